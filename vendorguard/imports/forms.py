"""Forms of the import pages: the upload, and one choice per header the app does not know."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import Optional

from vendorguard.imports.registers import Register


class UploadForm(FlaskForm):
    """Choose the file (and, for a CSV, which table it holds)."""

    file = FileField(
        _l("ファイル"),
        validators=[
            FileRequired(_l("ファイルを選んでください。")),
            FileAllowed(
                ["xlsx", "csv", "txt"],
                _l("Excel（.xlsx）または CSV（.csv）のファイルを選んでください。"),
            ),
        ],
        description=_l("Excel（.xlsx）、または CSV（UTF-8、BOM付き UTF-8、Shift_JIS）。"),
        render_kw={"accept": ".xlsx,.csv,.txt"},
    )
    table = SelectField(
        _l("CSV の内容"),
        validators=[Optional()],
        description=_l(
            "CSV は1つの表しか持てないため、どの表かを選びます（Excel はシート名で判断します）。"
        ),
    )

    def __init__(self, register: Register, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.table.choices = [(t.key, str(t.label)) for t in register.tables]


class MappingForm(FlaskForm):
    """Only the CSRF token: the choices are read from the posted ``column-<table>-<index>`` fields."""
