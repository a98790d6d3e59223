"""Contractor and certification forms.

Format rules (reading, 法人番号) live in ``services`` so that no caller can skip them; the forms
call the same functions so that every mistake on a page is reported at once, next to its field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from vendorguard.contractors import services
from vendorguard.contractors.models import CertificationKind
from vendorguard.core.errors import DomainError
from vendorguard.core.forms import REQUIRED, DateField, LineField


def _service_rule(check):
    """A WTForms validator that runs a service's normaliser and shows its message."""

    def validator(form, field):
        try:
            check(field.data)
        except DomainError as error:
            raise ValidationError(error.message) from None

    return validator


class ContractorForm(FlaskForm):
    """Create or edit a contractor; field names are the column names."""

    name = LineField(
        _l("委託事業者名"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        description=_l("登記上の名称（例：株式会社みほん情報サービス）"),
    )
    name_kana = LineField(
        _l("よみがな"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=300),
            _service_rule(services.normalise_reading),
        ],
        description=_l(
            "一覧の並べ替えに使います。「株式会社」などは除き、ひらがな又はカタカナで入力してください。"
        ),
    )
    corporate_number = LineField(
        _l("法人番号"),
        validators=[Optional(), Length(max=40), _service_rule(services.normalise_corporate_number)],
        description=_l(
            "13桁（全角・ハイフン区切りも可）。個人事業主など法人番号のない事業者は空欄にしてください。"
        ),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    address = LineField(_l("所在地"), validators=[Optional(), Length(max=300)])
    contact_name = LineField(_l("担当者名"), validators=[Optional(), Length(max=100)])
    contact_email = EmailField(
        _l("担当者メールアドレス"),
        validators=[
            Optional(),
            Email(_l("メールアドレスの形式が正しくありません。"), check_deliverability=False),
            Length(max=254),
        ],
    )
    contact_phone = LineField(_l("担当者電話番号"), validators=[Optional(), Length(max=40)])
    notes = TextAreaField(_l("備考"), validators=[Optional(), Length(max=4000)])


def kind_choices() -> list[tuple[str, str]]:
    """Certification kinds for a drop-down, in the order the enum lists them."""
    return [(kind.value, kind.lazy_label) for kind in CertificationKind]


class CertificationForm(FlaskForm):
    """Add or edit a certificate a contractor holds."""

    kind = SelectField(_l("種類"), validators=[DataRequired(_l("選択してください。"))])
    # No Optional() here: it would stop the chain before validate_kind_other sees the blank.
    kind_other = LineField(_l("認証の名称（「その他」のとき）"), validators=[Length(max=100)])
    number = LineField(
        _l("登録番号"),
        validators=[Optional(), Length(max=100)],
        description=_l("認証書・登録証に記載された番号"),
    )
    issuer = LineField(_l("認証機関"), validators=[Optional(), Length(max=200)])
    scope = LineField(
        _l("認証範囲"),
        validators=[Optional(), Length(max=300)],
        description=_l("対象となる事業所・業務の範囲"),
    )
    valid_from = DateField(_l("有効期間の開始日"), validators=[Optional()])
    valid_until = DateField(
        _l("有効期限"),
        validators=[Optional()],
        description=_l("空欄の場合は期限なしとして扱います。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices()

    def validate_kind_other(self, field):
        """The name is needed when the kind is 'other'."""
        if self.kind.data == CertificationKind.OTHER.value and not (field.data or "").strip():
            raise ValidationError(_l("「その他」を選んだときは、認証の名称を入力してください。"))

    def validate_valid_until(self, field):
        """An end before the start is a typing mistake."""
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("有効期限は有効期間の開始日以降の日付にしてください。"))
