"""Forms of the ISMAP pages."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import DataRequired, ValidationError

from vendorguard.cloud.models import IsmapKind

KIND_CHOICES = [SelectChoice(kind.value, kind.label) for kind in IsmapKind]


def _not_too_large(form, field) -> None:
    """Refuse a file over ISMAP_MAX_BYTES before it is read into memory."""
    stream = getattr(field.data, "stream", None)
    if stream is None:
        return
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    limit = current_app.config["ISMAP_MAX_BYTES"]
    if size > limit:
        raise ValidationError(
            _l("ファイルが大きすぎます（上限 %(limit)s MB）。", limit=f"{limit / 1024 / 1024:g}")
        )


class UploadForm(FlaskForm):
    """Import a list file saved from the ISMAP site."""

    list_kind = SelectField(
        _l("一覧の種類"),
        choices=KIND_CHOICES,
        default=IsmapKind.ISMAP.value,
        validators=[DataRequired(_l("選んでください。"))],
    )
    file = FileField(
        _l("一覧ファイル"),
        validators=[
            FileRequired(_l("ファイルを選んでください。")),
            FileAllowed(
                ["xlsx", "csv"], _l("Excel（.xlsx）または CSV（.csv）のファイルを選んでください。")
            ),
            _not_too_large,
        ],
        description=_l("ISMAP のサイトで公開されている一覧（Excel または CSV）。"),
        render_kw={"accept": ".xlsx,.csv"},
    )


class FetchForm(FlaskForm):
    """Import the list from the URL set in the configuration."""

    list_kind = SelectField(
        _l("一覧の種類"),
        choices=KIND_CHOICES,
        default=IsmapKind.ISMAP.value,
        validators=[DataRequired(_l("選んでください。"))],
    )


class LinkForm(FlaskForm):
    """Link a cloud service to a registration (the candidate's id)."""

    registration_id = HiddenField(validators=[DataRequired()])
