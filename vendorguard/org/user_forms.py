"""User administration forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from vendorguard.auth.forms import MIN_PASSWORD
from vendorguard.auth.roles import ROLE_LABELS, Role
from vendorguard.core.forms import REQUIRED, LineField

LOCALES = [SelectChoice("ja", "日本語"), SelectChoice("en", "English")]


def optional_id(value):
    """Coerce a drop-down value to an id; the empty choice means "none"."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class UserForm(FlaskForm):
    """A user's details, as an administrator edits them."""

    email = EmailField(
        _l("メールアドレス"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=254),
            Email(_l("メールアドレスの形式が正しくありません。"), check_deliverability=False),
        ],
        description=_l("ログインに使います。大文字・小文字は区別しません。"),
    )
    name = LineField(_l("氏名"), validators=[DataRequired(REQUIRED), Length(max=100)])
    name_kana = LineField(
        _l("よみがな"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        description=_l("並べ替えに使います（ひらがな・カタカナ）。"),
    )
    role = SelectField(
        _l("役割"),
        choices=[SelectChoice("", _l("（選択してください）"))]
        + [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        validators=[DataRequired(_l("選択してください。"))],
        description=_l(
            "管理者は利用者・分類体系の管理と承認ができます。必要な人だけに付けてください。"
        ),
    )
    department_id = SelectField(
        _l("所属"),
        coerce=optional_id,
        validate_choice=True,
        description=_l("所管課担当者とSNS運用責任者は必須です。"),
    )
    contractor_id = SelectField(
        _l("委託事業者"),
        coerce=optional_id,
        validate_choice=True,
        description=_l("役割が「委託事業者」の場合のみ選択します。"),
    )
    locale = SelectField(_l("表示言語"), choices=LOCALES, default="ja")

    def set_choices(self, departments, contractors) -> None:
        """Fill the drop-downs (the current values stay selectable even when archived)."""
        blank = [SelectChoice("", _l("（なし）"))]
        self.department_id.choices = blank + [SelectChoice(d.id, d.name) for d in departments]
        if self.contractor_id is not None:
            self.contractor_id.choices = blank + [SelectChoice(c.id, c.name) for c in contractors]


def _password_validators():
    return [
        DataRequired(REQUIRED),
        Length(
            min=MIN_PASSWORD,
            max=200,
            message=_l("%(min)d文字以上で入力してください。", min=MIN_PASSWORD),
        ),
    ]


class UserCreateForm(UserForm):
    """A new city user, with the initial password the administrator hands over.

    Contractor staff are never created here: they are invited from their company's page and set
    their own password, so no administrator ever knows it.
    """

    contractor_id = None

    password = PasswordField(
        _l("初期パスワード"),
        validators=_password_validators(),
        description=_l(
            "%(min)d文字以上。本人に安全な方法で伝え、ログイン後に変更してもらってください。",
            min=MIN_PASSWORD,
        ),
    )
    confirm = PasswordField(
        _l("初期パスワード（確認）"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", message=_l("確認用のパスワードが一致しません。")),
        ],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [
            choice for choice in self.role.choices if choice.value != Role.CONTRACTOR.value
        ]


class PasswordResetForm(FlaskForm):
    """A new password set by an administrator for someone who forgot theirs."""

    password = PasswordField(
        _l("新しいパスワード"),
        validators=_password_validators(),
        description=_l("%(min)d文字以上。本人に安全な方法で伝えてください。", min=MIN_PASSWORD),
    )
    confirm = PasswordField(
        _l("新しいパスワード（確認）"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", message=_l("確認用のパスワードが一致しません。")),
        ],
    )
