"""Form fields and helpers every feature's forms share.

* :class:`DateField` reads every date format people type (see ``core.dates.parse_day``) and
  refuses dates outside 1900-01-01 … 2199-12-31.
* :class:`LineField` is the single-line text field: a title, name or subject ends up in mail
  headers, file names and CSV cells, so CR, LF, NUL and other control characters are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField as _DateField
from wtforms import SelectField, SelectMultipleField, StringField, ValidationError, widgets
from wtforms.fields.choices import SelectChoice

from vendorguard.core.dates import DateInputError, parse_day

REQUIRED = _l("入力してください。")
CHOOSE = _l("一覧から選んでください。")

# C0 controls (tab, CR, LF, NUL …), DEL, C1 controls (NEL …) and the Unicode line/paragraph
# separators: none of them belongs in a one-line value.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_CHARACTER_MESSAGE = _l(
    "改行・タブなどの制御文字は入力できません。1行の文字だけで入力してください。"
)


def has_control_characters(text: str | None) -> bool:
    """Whether ``text`` holds a character that would break a mail header or a file name."""
    return bool(text and CONTROL_CHARACTERS.search(text))


class LineField(StringField):
    """A single-line text input that refuses control characters (CR, LF, NUL, tab …)."""

    def pre_validate(self, form: Any) -> None:
        if has_control_characters(self.data):
            raise ValidationError(CONTROL_CHARACTER_MESSAGE)


class DateField(_DateField):
    """A date typed as 2027-04-01, 2027/4/1, full-width digits or 和暦 (令和9年4月1日, R9.4.1).

    Rendered as a text input (a browser's date picker cannot take 和暦); an empty input is no
    date (``InputRequired`` / ``Optional`` decide whether that is allowed).
    """

    widget = widgets.TextInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        render_kw = {"autocomplete": "off", "placeholder": _l("例: 2027-04-01 / 令和9年4月1日")}
        render_kw.update(kwargs.pop("render_kw", None) or {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_day(valuelist[0])
        except DateInputError as error:
            self.data = None
            raise ValueError(str(error)) from None


class IdSelectField(SelectField):
    """A drop-down of record ids in which 0 stands for "none chosen"."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", CHOOSE)
        super().__init__(label, validators, coerce=int, **kwargs)

    def process_data(self, value: Any) -> None:
        self.data = int(value) if value else 0

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist:
            try:
                self.data = int(valuelist[0] or 0)
            except ValueError as exc:
                raise ValueError(str(CHOOSE)) from exc


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as check boxes (``_macros.field`` renders them as a group)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", lambda count: str(CHOOSE))
        super().__init__(label, validators, **kwargs)


def http_url(form: Any, field: Any) -> None:
    """Accept only absolute http(s) addresses: anything else cannot be opened from the register."""
    value = (field.data or "").strip()
    if not value:
        return
    if has_control_characters(value):  # urlsplit would silently drop CR, LF and tab
        raise ValidationError(CONTROL_CHARACTER_MESSAGE)
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError(_l("http:// または https:// で始まるURLを入力してください。"))


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_options(enum_cls: type[Enum]) -> list[SelectChoice]:
    """Options for every member of a labelled enum, labelled in the request's language."""
    return options((member.value, member.lazy_label) for member in enum_cls)  # type: ignore[attr-defined]


def optional_int(value: Any) -> int | None:
    """Coerce a select's value: the empty choice is ``None``, anything else an int."""
    if value is None or value == "" or value == "None":
        return None
    return int(value)


def blank_choice(label: Any = None) -> tuple[str, str]:
    """The "nothing chosen" entry at the top of a select."""
    return ("", str(label or _("（選択してください）")))
