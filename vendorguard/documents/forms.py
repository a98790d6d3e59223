"""The generation form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from vendorguard.documents.models import DateStyle


class GenerateForm(FlaskForm):
    """Generate the next version; the date style defaults to the template's setting."""

    date_style = SelectField(_l("日付の表記"), default="", choices=[
        ("", _l("テンプレートの設定に従う")),
        (DateStyle.WAREKI.value, DateStyle.WAREKI.label),
        (DateStyle.WESTERN.value, DateStyle.WESTERN.label),
    ])
