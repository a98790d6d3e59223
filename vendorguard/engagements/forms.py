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
from vendorguard.core.forms import (
    REQUIRED,
    DateField,
    LineField,
    MultiCheckboxField,
    optional_int,
)
from vendorguard.engagements.models import PersonalInfoVolume, ReportingCycle
from vendorguard.engagements.subcontracting import FLOW_DOWN_ITEMS

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
    """Add or edit one stage of the subcontracting chain; approval may be recorded at once."""

    parent_id = SelectField(
        _l("上位の委託先"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("この再委託先に業務を委託する者。受託者から直接なら1次（再委託）です。"),
    )
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
    information_handled = TextAreaField(
        _l("取り扱う情報"), validators=[Optional(), Length(max=5000)]
    )
    flow_down = MultiCheckboxField(_l("再委託先にも求める事項"), validators=[Optional()])
    approved_by = LineField(
        _l("許諾した者（職・氏名）"),
        validators=[Optional(), Length(max=100)],
        description=_l("例: 情報政策課長 見本太郎"),
    )
    approved_on = DateField(_l("許諾日"), validators=[Optional()])
    approval_conditions = TextAreaField(_l("許諾の条件"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.flow_down.choices = flow_down_choices()


def flow_down_choices() -> list[tuple[str, str]]:
    """The contract's security items a stage may be bound to, with their codes."""
    return [(code, f"{code} {label}") for code, label in FLOW_DOWN_ITEMS.items()]


class ProposalForm(FlaskForm):
    """A contractor proposes a stage in the portal (the city decides on it)."""

    parent_id = SelectField(_l("上位の委託先"), coerce=optional_int, validators=[Optional()])
    name = LineField(_l("名称"), validators=[DataRequired(REQUIRED), Length(max=200)])
    corporate_number = LineField(
        _l("法人番号"),
        validators=[Optional(), Length(max=20)],
        description=_l("13桁の数字（分かる場合）。"),
    )
    work_scope = TextAreaField(
        _l("再委託する業務の範囲"), validators=[DataRequired(REQUIRED), Length(max=5000)]
    )
    information_handled = TextAreaField(
        _l("取り扱う情報"), validators=[Optional(), Length(max=5000)]
    )
    flow_down = MultiCheckboxField(_l("再委託先にも求める事項"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.flow_down.choices = flow_down_choices()


class ApprovalForm(FlaskForm):
    """Record the city's permission (許諾) for a subcontractor, with its conditions."""

    approved_by = LineField(
        _l("許諾した者（職・氏名）"),
        validators=[DataRequired(REQUIRED), Length(max=100)],
        description=_l("例: 情報政策課長 見本太郎"),
    )
    approved_on = DateField(_l("許諾日"), validators=[InputRequired(REQUIRED)])
    approval_conditions = TextAreaField(_l("許諾の条件"), validators=[Optional(), Length(max=5000)])


class RejectionForm(FlaskForm):
    """Refuse a proposed stage, with the reason the contractor will read."""

    reason = TextAreaField(
        _l("不許諾の理由"), validators=[DataRequired(REQUIRED), Length(max=2000)]
    )


class InformationItemForm(FlaskForm):
    """An item of information the work handles, classified on the three axes."""

    name = LineField(_l("情報の名称"), validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(_l("説明"), validators=[Optional(), Length(max=5000)])
    confidentiality_level_id = SelectField(
        _l("機密性"), coerce=optional_int, validators=[Optional()]
    )
    integrity_level_id = SelectField(_l("完全性"), coerce=optional_int, validators=[Optional()])
    availability_level_id = SelectField(_l("可用性"), coerce=optional_int, validators=[Optional()])
