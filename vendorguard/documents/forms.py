"""The generation forms: one document, or the appendices of many engagements at once."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, SelectMultipleField

from vendorguard.documents.models import DateStyle


def date_style_choices() -> list[SelectChoice]:
    """The template's own setting first, then 和暦 and 西暦."""
    return [
        SelectChoice("", _l("テンプレートの設定に従う")),
        SelectChoice(DateStyle.WAREKI.value, DateStyle.WAREKI.lazy_label),
        SelectChoice(DateStyle.WESTERN.value, DateStyle.WESTERN.lazy_label),
    ]


class GenerateForm(FlaskForm):
    """Generate the next version; the date style defaults to the template's setting."""

    date_style = SelectField(_l("日付の表記"), default="", choices=date_style_choices())


def optional_int(value):
    """'' or garbage → None; digits → int (the filter's hidden fields)."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class BulkForm(FlaskForm):
    """Generate the appendices of the ticked engagements; the filter rides along for the record."""

    starting_fy = HiddenField(filters=[optional_int])
    department = HiddenField(filters=[optional_int])
    # Checkboxes are drawn in the table rows; which ids are allowed is the service's decision.
    engagement_ids = SelectMultipleField(_l("作成する業務委託"), coerce=int, validate_choice=False)
    date_style = SelectField(_l("日付の表記"), default="", choices=date_style_choices())
