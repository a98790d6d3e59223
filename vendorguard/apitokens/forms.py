"""The form creating a personal API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, Length

from vendorguard.apitokens.models import TokenScope
from vendorguard.apitokens.services import EXPIRY_DAYS
from vendorguard.core.forms import REQUIRED, LineField, enum_options


class TokenForm(FlaskForm):
    """Name, scope and lifetime of a new token."""

    name = LineField(
        _l("名前（用途）"),
        validators=[InputRequired(REQUIRED), Length(max=100)],
        description=_l("例：財務会計システム連携"),
    )
    scope = RadioField(
        _l("権限"),
        choices=enum_options(TokenScope),
        default=TokenScope.READ.value,
        validators=[InputRequired(_l("選択してください。"))],
    )
    days = SelectField(
        _l("有効期間"),
        choices=[SelectChoice(str(d), _l("%(days)d日", days=d)) for d in EXPIRY_DAYS],
        default="90",
        coerce=int,
    )
