"""Forms of the ISMAP pages."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import DataRequired, ValidationError

from vendorguard.ismap.models import IsmapKind

KIND_CHOICES = [SelectChoice(kind.value, kind.lazy_label) for kind in IsmapKind]


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


class ValidityMappingForm(FlaskForm):
    """Pick the column that decides validity when the list's header was not recognised."""

    pending = HiddenField(validators=[DataRequired()])
    filename = HiddenField()
    list_kind = HiddenField(validators=[DataRequired()])
    column = SelectField(
        _l("有効性を決める列"), choices=[], validators=[DataRequired(_l("選んでください。"))]
    )
    meaning = SelectField(
        _l("その列の内容"),
        choices=[
            SelectChoice("audit_period", _l("監査対象期間（有効期限は末日の翌日から1年4か月後）")),
            SelectChoice("valid_until", _l("有効期限（その日付まで有効）")),
        ],
        default="audit_period",
        validators=[DataRequired(_l("選んでください。"))],
    )
