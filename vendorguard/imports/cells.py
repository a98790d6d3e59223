"""Reading one cell as people type it: dates (和暦 too), flags, numbers, enum labels, 法人番号.

Each parser takes the raw cell (``str`` from CSV; ``str``, number, date or ``None`` from Excel)
and returns a value or raises :class:`CellError` with a message for the person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from typing import Any

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from vendorguard.contractors import corporate_number as cn
from vendorguard.core.dates import DateInputError, parse_day
from vendorguard.core.export import is_formula_like


class CellError(ValueError):
    """A cell that cannot be read; ``message`` is for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def text(value: Any) -> str:
    """A cell as text: trailing spaces gone, integral numbers without ``.0``, an export's
    formula guard (a leading ``'``) taken off again."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    result = str(value).replace("\r\n", "\n").replace("\r", "\n")
    result = "\n".join(line.rstrip() for line in result.split("\n")).strip()
    if result.startswith("'") and is_formula_like(result[1:]):
        result = result[1:]  # core.export writes '=… so that no spreadsheet runs it
    return result


def one_line(value: Any) -> str:
    """Text on one line with runs of spaces collapsed (full-width characters kept as typed)."""
    return " ".join(text(value).split())


def key_text(value: Any) -> str:
    """How names and labels are compared: NFKC, no spaces, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text(value))).casefold()


def day(value: Any) -> date | None:
    """A date cell, or a date typed as 2027/4/1, 令和9年4月1日, R9.4.1, ２０２７年４月１日 …"""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(
            _("日付として読めません。日付の書式で入力してください（例：2027/4/1、令和9年4月1日）。")
        )
    typed = text(value)
    if not typed:
        return None
    try:
        return parse_day(typed)
    except DateInputError as error:
        raise CellError(str(error)) from None


_YES = {
    "はい",
    "yes",
    "y",
    "true",
    "1",
    "○",
    "〇",
    "◯",
    "有",
    "あり",
    "する",
    "可",
    "済",
    "✓",
    "✔",
    "レ",
}
_NO = {"いいえ", "no", "n", "false", "0", "×", "✕", "無", "なし", "しない", "不可", "-", "―", "－"}


@lru_cache(maxsize=16)
def _flag_words(locale: str) -> tuple[frozenset[str], frozenset[str]]:
    # Read once per language: a 10,000-row file asks this for every flag cell.
    yes = frozenset(key_text(word) for word in (*_YES, _("はい")))
    no = frozenset(key_text(word) for word in (*_NO, _("いいえ")))
    return yes, no


def flag(value: Any) -> bool:
    """はい / いいえ and the usual marks (○ ×, 有 無, あり なし …); a blank cell is いいえ."""
    if isinstance(value, bool):
        return value
    typed = key_text(value)
    if not typed:
        return False
    yes, no = _flag_words(str(get_locale()))
    if typed in yes:
        return True
    if typed in no:
        return False
    raise CellError(_("「はい」か「いいえ」で入力してください。"))


def optional_flag(value: Any, unknown_words: Iterable[str]) -> bool | None:
    """A flag that may also be not yet known (blank or one of ``unknown_words``)."""
    typed = key_text(value)
    if not typed or typed in {key_text(word) for word in unknown_words}:
        return None
    return flag(value)


def whole_number(value: Any) -> int | None:
    """An integer typed with any digits (１, 2次 …); blank is None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer():
            return int(value)
        raise CellError(_("整数で入力してください。"))
    digits = re.sub(r"[次\s]", "", unicodedata.normalize("NFKC", text(value)))
    if not digits:
        return None
    if not digits.isdigit():
        raise CellError(_("整数で入力してください。"))
    return int(digits)


def corporate_number(value: Any) -> str:
    """13 digits (hyphens, spaces and full-width digits allowed); blank is ``""``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = f"{int(value)}"
    number = cn.normalise(text(value))
    if not number:
        return ""
    if len(number) != 13 or not (number.isascii() and number.isdigit()):
        raise CellError(_("法人番号は13桁の数字で入力してください。"))
    if not cn.is_valid(number):
        raise CellError(
            _("法人番号のチェックディジットが正しくありません。入力内容をご確認ください。")
        )
    return number


def labels_of(member: Enum) -> frozenset[str]:
    """Every way a member may be written: its value, its label here and in Japanese."""
    return _labels(member, str(get_locale()))


@lru_cache(maxsize=256)
def _labels(member: Enum, locale: str) -> frozenset[str]:
    label = getattr(member, "label", member.value)
    with force_locale("ja"):
        japanese = str(label)
    return frozenset({key_text(member.value), key_text(str(label)), key_text(japanese)})


def choice(
    value: Any, members: Iterable[Enum], extra: dict[str, Enum] | None = None
) -> Enum | None:
    """The member whose label (or value) the cell holds; blank is None."""
    typed = key_text(value)
    if not typed:
        return None
    members = list(members)
    for member in members:
        if typed in labels_of(member):
            return member
    for word, member in (extra or {}).items():
        if typed == key_text(word):
            return member
    raise CellError(
        _(
            "「%(value)s」は選べる値にありません（%(choices)s）。",
            value=one_line(value),
            choices="、".join(str(getattr(m, "label", m.value)) for m in members),
        )
    )


def split_list(value: Any) -> list[str]:
    """Several names in one cell, separated by 、 , ; / or line breaks (・ belongs to names)."""
    return [part.strip() for part in re.split(r"[、,，;；/／\n]", text(value)) if part.strip()]
