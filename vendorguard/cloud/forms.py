"""Cloud service forms: the register entry, the use application and its approval."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    TextAreaField,
    URLField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from vendorguard.arrangements.models import ArrangementState
from vendorguard.cloud.application_services import MAX_NOTE, checklist_key
from vendorguard.cloud.models import ChecklistAnswer, TermsType
from vendorguard.core.forms import (
    CHOOSE,
    REQUIRED,
    DateField,
    IdSelectField,
    LineField,
    MultiCheckboxField,
    enum_options,
    http_url,
    options,
)
from vendorguard.ismap.models import IsmapKind


class CloudServiceForm(FlaskForm):
    """Register or change a cloud service. Field names are the column names."""

    title = LineField(_l("サービス名"), validators=[DataRequired(REQUIRED), Length(max=200)])
    department_id = IdSelectField(_l("所管課"), validators=[DataRequired(CHOOSE)])
    responsible_officer_id = IdSelectField(
        _l("外部サービス管理者"), description=_l("利用申請の前に指定してください。")
    )
    provider_contractor_id = IdSelectField(
        _l("提供事業者（委託事業者台帳）"),
        description=_l("台帳にない事業者は「提供事業者名」に入力してください。"),
    )
    provider_name = LineField(_l("提供事業者名"), validators=[Length(max=200)])
    service_url = URLField(_l("サービスのURL"), validators=[Optional(), Length(max=500), http_url])
    purpose = TextAreaField(_l("利用目的"), validators=[Optional(), Length(max=5000)])
    using_department_ids = MultiCheckboxField(
        _l("利用する所属"),
        coerce=int,
        description=_l("所管課以外に利用する所属があれば選んでください。"),
    )
    handles_high_confidentiality = BooleanField(_l("機密性2以上の情報を取り扱う"))
    terms_type = RadioField(
        _l("契約形態"),
        choices=lambda: enum_options(TermsType),
        default=TermsType.STANDARD_TERMS.value,
        validators=[DataRequired(CHOOSE)],
    )
    data_location = LineField(
        _l("データの保存場所（国・地域）"), validators=[Optional(), Length(max=200)]
    )
    governing_law = LineField(_l("準拠法"), validators=[Optional(), Length(max=100)])
    jurisdiction = LineField(_l("合意管轄裁判所"), validators=[Optional(), Length(max=200)])
    ismap_kind = SelectField(
        _l("ISMAP区分"),
        choices=lambda: options([("", _l("登録なし"))]) + enum_options(IsmapKind),
        invalid_choice_message=CHOOSE,
    )
    ismap_registration_number = LineField(
        _l("ISMAP登録番号"), validators=[Optional(), Length(max=50)]
    )
    state = SelectField(
        _l("状態"),
        choices=lambda: enum_options(ArrangementState),
        default=ArrangementState.DRAFT.value,
        invalid_choice_message=CHOOSE,
    )
    next_review_on = DateField(_l("次回見直し日"), validators=[Optional()])

    def validate_provider_name(self, field) -> None:
        """A provider must be named: from the contractor register or typed in."""
        if not self.provider_contractor_id.data and not (field.data or "").strip():
            raise ValidationError(_l("提供事業者を台帳から選ぶか、事業者名を入力してください。"))

    def validate_ismap_kind(self, field) -> None:
        """A registration number means nothing without the list it is on."""
        if (self.ismap_registration_number.data or "").strip() and not field.data:
            raise ValidationError(_l("ISMAP登録番号を入力した場合は区分を選んでください。"))


class UseApplicationForm(FlaskForm):
    """A department's use application; ``application_form`` adds one answer and note per requirement."""

    purpose = TextAreaField(_l("利用目的"), validators=[DataRequired(REQUIRED), Length(max=5000)])
    data_description = TextAreaField(
        _l("取り扱う情報"),
        description=_l("例：電子申請の申請者の氏名・住所・連絡先と申請内容"),
        validators=[DataRequired(REQUIRED), Length(max=5000)],
    )
    confidentiality_level_id = IdSelectField(
        _l("取り扱う情報の機密性"),
        description=_l("取り扱う情報のうち最も高いものを選んでください。"),
        validators=[DataRequired(CHOOSE)],
    )
    users_description = TextAreaField(
        _l("利用者（所属・人数など）"),
        description=_l("例：市民課職員 約20名、運用を委託する事業者の担当者 2名"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
    )
    data_location = LineField(
        _l("データの保存場所（国・地域）"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    terms_type = RadioField(
        _l("契約形態"), choices=lambda: enum_options(TermsType), validators=[DataRequired(CHOOSE)]
    )
    checklist_codes = (
        HiddenField()
    )  # the requirement codes the form asked, to notice when they change

    checklist: list = []

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then: a "該当なし" answer needs the reason written next to it."""
        valid = super().validate(extra_validators)
        for _requirement, answer, note in self.checklist:
            if (
                answer.data == ChecklistAnswer.NOT_APPLICABLE.value
                and not (note.data or "").strip()
            ):
                note.errors = list(note.errors) + [str(_l("該当しない理由を記入してください。"))]
                valid = False
        return valid


def application_form(requirements, **kwargs) -> UseApplicationForm:
    """A use-application form asking the given catalog requirements as a checklist."""

    class Form(UseApplicationForm):
        pass

    for requirement in requirements:
        key = checklist_key(requirement.code)
        setattr(
            Form,
            f"answer_{key}",
            RadioField(
                f"{requirement.code} {requirement.title}",
                description=requirement.explanation,
                choices=enum_options(ChecklistAnswer),
                validators=[Optional()],
                validate_choice=True,
            ),
        )
        setattr(
            Form,
            f"note_{key}",
            TextAreaField(
                _l("対応の内容・予定、該当しない理由"),
                validators=[Optional(), Length(max=MAX_NOTE)],
            ),
        )
    form = Form(**kwargs)
    form.checklist = [
        (
            requirement,
            form[f"answer_{checklist_key(requirement.code)}"],
            form[f"note_{checklist_key(requirement.code)}"],
        )
        for requirement in requirements
    ]
    return form
