"""Forms of the staff roster (portal), the exit checklist and its waivers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from vendorguard.core.concurrency import VersionedForm
from vendorguard.core.forms import REQUIRED, DateField, LineField, optional_int
from vendorguard.supervision.models import ErasureMethod


class StaffForm(VersionedForm, FlaskForm):
    """One person of the roster, kept by the contractor in the portal."""

    stage_id = SelectField(_l("所属する段階"), coerce=optional_int, validators=[Optional()])
    name = LineField(_l("氏名"), validators=[DataRequired(REQUIRED), Length(max=100)])
    role = LineField(
        _l("役割"),
        validators=[Optional(), Length(max=100)],
        description=_l("例: 業務責任者、作業者"),
    )
    affiliation = LineField(_l("所属"), validators=[Optional(), Length(max=200)])
    access_rights = TextAreaField(
        _l("アクセス権限"),
        validators=[Optional(), Length(max=2000)],
        description=_l("例: 住民記録システム（参照のみ）、VPN、サーバ室入室"),
    )
    starts_on = DateField(_l("従事開始日"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("従事終了日"), validators=[Optional()])
    access_revoked_on = DateField(
        _l("アクセス削除日"),
        validators=[Optional()],
        description=_l("離任した方のアカウント・入館証等を削除した日。"),
    )
    pledge = FileField(
        _l("誓約書"),
        description=_l("PDF、Word（.docx）、画像（JPEG・PNG）。内容を確認してから保存します。"),
    )


class TrainingForm(FlaskForm):
    """A training record of one person."""

    held_on = DateField(_l("実施日"), validators=[InputRequired(REQUIRED)])
    content = LineField(_l("研修の内容"), validators=[DataRequired(REQUIRED), Length(max=500)])


class OpenExitForm(FlaskForm):
    """Open the exit checklist (what it asks for follows from what the work handled)."""

    sns_work = BooleanField(_l("SNSアカウントの運用を含む（認証情報の引継ぎが必要）"))


class ExitItemForm(VersionedForm, FlaskForm):
    """Record one item as done: when, how and who witnessed it."""

    done_on = DateField(_l("実施日"), validators=[InputRequired(REQUIRED)])
    method = SelectField(
        _l("消去の方法"),
        coerce=lambda v: ErasureMethod(v) if v else None,
        validators=[Optional()],
    )
    witness = LineField(
        _l("立会者"),
        validators=[Optional(), Length(max=200)],
        description=_l("市の職員など、消去・返還に立ち会った者（職・氏名）。"),
    )
    notes = TextAreaField(_l("備考"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = [("", _l("（該当なし）"))] + [
            (m.value, m.label) for m in ErasureMethod
        ]


class WaiverForm(VersionedForm, FlaskForm):
    """Leave an item undone on purpose, saying why (kept in the audit trail)."""

    reason = TextAreaField(
        _l("対応不要とする理由"), validators=[DataRequired(REQUIRED), Length(max=2000)]
    )


class CloseExitForm(VersionedForm, FlaskForm):
    """Close the exit and with it the engagement."""
