"""The code forms of enrolment, the second sign-in step and re-authentication."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

_CODE_ATTRS = {"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}


class ConfirmForm(FlaskForm):
    """The first code from the authenticator app, confirming enrolment."""

    code = StringField(
        _l("確認コード（6桁）"),
        validators=[DataRequired(_l("確認コードを入力してください。")), Length(max=20)],
        render_kw={**_CODE_ATTRS, "inputmode": "numeric"},
    )


class VerifyForm(FlaskForm):
    """The second sign-in step: a code from the app, or a recovery code."""

    code = StringField(
        _l("確認コード、または回復コード"),
        validators=[DataRequired(_l("確認コードを入力してください。")), Length(max=40)],
        render_kw=_CODE_ATTRS,
    )


class ReauthForm(FlaskForm):
    """Re-authentication: the password and, when enrolled, a code (the view drops what the
    account does not have)."""

    password = PasswordField(_l("パスワード"), render_kw={"autocomplete": "current-password"})
    code = StringField(
        _l("確認コード、または回復コード"), validators=[Length(max=40)], render_kw=_CODE_ATTRS
    )
    next = HiddenField()


class ConfirmedActionForm(FlaskForm):
    """A one-click action (start enrolment, new recovery codes, disable, reset): CSRF only."""
