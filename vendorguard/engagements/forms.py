"""Engagement, subcontractor, approval and information-item forms.

Choices that come from the database (departments, users, contractors, classification levels) are
filled in by the views through ``queries``; the forms only know their shape.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from vendorguard.arrangements.models import ArrangementState
from vendorguard.core.forms import REQUIRED, DateField, LineField, optional_int
from vendorguard.engagements.models import MAX_TIER, PersonalInfoVolume, ReportingCycle

CHOOSE = _l("選択してください。")


class EngagementForm(FlaskForm):
    """Create or edit an engagement; field names are the model's column names."""

    title = LineField(_l("業務名"), validators=[DataRequired(REQUIRED), Length(max=200)])
    contract_number = LineField(
        _l("契約番号"),
        validators=[Optional(), Length(max=50)],
        description=_l("契約番号がまだ無い場合は空欄のまま登録できます。"),
    )
    department_id = SelectField(
        _l("所管課"), coerce=optional_int, validators=[DataRequired(CHOOSE)]
    )
    responsible_officer_id = SelectField(
        _l("市の責任者"), coerce=optional_int, validators=[Optional()]
    )
    contractor_id = SelectField(
        _l("委託事業者"), coerce=optional_int, validators=[DataRequired(CHOOSE)]
    )
    contractor_representative = LineField(
        _l("受託者側の責任者"), validators=[Optional(), Length(max=100)]
    )
    starts_on = DateField(_l("契約期間（開始日）"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("契約期間（終了日）"), validators=[InputRequired(REQUIRED)])
    work_locations = TextAreaField(
        _l("作業場所"),
        validators=[Optional(), Length(max=2000)],
        description=_l("1行に1か所ずつ入力してください。"),
    )
    description = TextAreaField(_l("委託内容"), validators=[Optional(), Length(max=5000)])
    handles_personal_info = BooleanField(_l("個人情報を取り扱う"))
    handles_my_number = BooleanField(
        _l("マイナンバー（特定個人情報）を取り扱う"),
        description=_l("チェックすると「個人情報を取り扱う」も自動的に設定されます。"),
    )
    personal_info_volume = SelectField(
        _l("個人情報の件数"),
        coerce=lambda value: PersonalInfoVolume(value) if value else None,
        validators=[Optional()],
        description=_l("取り扱う個人情報の本人の数（おおよそ）。リスク区分の判定に使います。"),
    )
    remote_access = BooleanField(
        _l("リモートアクセスがある"),
        description=_l("委託事業者が市の外から市のシステムや情報に接続して作業する場合。"),
    )
    segment_my_number = BooleanField(_l("マイナンバー利用事務系"))
    segment_lgwan = BooleanField(_l("LGWAN接続系"))
    segment_internet = BooleanField(_l("インターネット接続系"))
    access_scope = TextAreaField(
        _l("アクセスを許可する情報の種類と範囲"), validators=[Optional(), Length(max=5000)]
    )
    access_method = TextAreaField(_l("アクセス方法"), validators=[Optional(), Length(max=5000)])
    subcontracting_allowed = BooleanField(_l("再委託を認める"))
    reporting_cycle = SelectField(
        _l("定期報告の頻度"), coerce=ReportingCycle, default=ReportingCycle.MONTHLY
    )
    state = SelectField(_l("状態"), coerce=ArrangementState, default=ArrangementState.DRAFT)
    next_review_on = DateField(_l("次回確認予定日"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reporting_cycle.choices = [(cycle.value, cycle.label) for cycle in ReportingCycle]
        self.personal_info_volume.choices = [("", _("（未記入）"))] + [
            (volume.value, volume.label) for volume in PersonalInfoVolume
        ]
        self.state.choices = [(state.value, state.label) for state in ArrangementState]


class SubcontractorForm(FlaskForm):
    """Add or edit a subcontractor (再委託先); approval may be recorded at once when already given."""

    contractor_id = SelectField(
        _l("登録済みの事業者"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("選択すると名称と法人番号は登録内容から入ります。"),
    )
    name = LineField(_l("名称"), validators=[Optional(), Length(max=200)])
    corporate_number = LineField(
        _l("法人番号"),
        validators=[Optional(), Length(max=20)],
        description=_l("13桁の数字（分かる場合）。"),
    )
    work_scope = TextAreaField(
        _l("再委託する業務の範囲"), validators=[Optional(), Length(max=5000)]
    )
    tier = SelectField(_l("再委託の階層"), coerce=int, default=1)
    approved_by = LineField(
        _l("許諾した者（職・氏名）"),
        validators=[Optional(), Length(max=100)],
        description=_l("例: 情報政策課長 見本太郎"),
    )
    approved_on = DateField(_l("許諾日"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = tier_choices()


def tier_choices() -> list[tuple[int, str]]:
    """1 = 再委託, 2 = 再々委託, then plain ordinal tiers."""
    names = {1: _("1次（再委託）"), 2: _("2次（再々委託）")}
    return [(n, names.get(n) or _("%(n)d次", n=n)) for n in range(1, MAX_TIER + 1)]


class ApprovalForm(FlaskForm):
    """Record the city's permission (許諾) for a subcontractor."""

    approved_by = LineField(
        _l("許諾した者（職・氏名）"),
        validators=[DataRequired(REQUIRED), Length(max=100)],
        description=_l("例: 情報政策課長 見本太郎"),
    )
    approved_on = DateField(_l("許諾日"), validators=[InputRequired(REQUIRED)])


class InformationItemForm(FlaskForm):
    """An item of information the work handles, classified on the three axes."""

    name = LineField(_l("情報の名称"), validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(_l("説明"), validators=[Optional(), Length(max=5000)])
    confidentiality_level_id = SelectField(
        _l("機密性"), coerce=optional_int, validators=[Optional()]
    )
    integrity_level_id = SelectField(_l("完全性"), coerce=optional_int, validators=[Optional()])
    availability_level_id = SelectField(_l("可用性"), coerce=optional_int, validators=[Optional()])
