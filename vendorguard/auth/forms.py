"""Sign-in and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectChoice, SelectField
from wtforms.validators import DataRequired, EqualTo, Length

from vendorguard.auth.passwords import MIN_LENGTH

MIN_PASSWORD = MIN_LENGTH  # one rule: auth/passwords.py


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(
        _l("メールアドレス"),
        validators=[DataRequired(_l("メールアドレスを入力してください。")), Length(max=254)],
    )
    password = PasswordField(
        _l("パスワード"), validators=[DataRequired(_l("パスワードを入力してください。"))]
    )
    next = HiddenField()


class PasswordChangeForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField(
        _l("現在のパスワード"), validators=[DataRequired(_l("入力してください。"))]
    )
    new = PasswordField(
        _l("新しいパスワード"),
        validators=[
            DataRequired(_l("入力してください。")),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=_l("%(min)d文字以上で入力してください。", min=MIN_PASSWORD),
            ),
        ],
    )
    confirm = PasswordField(
        _l("新しいパスワード（確認）"),
        validators=[
            EqualTo("new", message=_l("確認用のパスワードが一致しません。")),
        ],
    )


class LanguageForm(FlaskForm):
    """The interface language."""

    locale = SelectField(
        _l("表示言語"), choices=[SelectChoice("ja", "日本語"), SelectChoice("en", "English")]
    )
    next = HiddenField()
