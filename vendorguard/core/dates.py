"""Dates as people type them (Western or 和暦) and month arithmetic.

Every date field and every import reads dates through :func:`parse_day`, so 2027-04-01,
2027/4/1, ２０２７年４月１日, 令和9年4月1日, R9.4.1 and 令和元年5月1日 mean the same everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _

from vendorguard.core.timeutil import ERAS, Era

# Dates outside this range are typing mistakes (9999-12-31 for "no end"), and dates near
# date.max make every later calculation (schedules, reminders) overflow.
MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2199, 12, 31)

_ERA_BY_KEY = {key: era for era in ERAS for key in (era.name, era.letter.lower())}
# Era names, or a letter that does not end a word (the "r" of "Ver5.4.1" is no era).
_ERA_NAMES = "|".join(era.name for era in ERAS) + (
    "|(?<![a-z])[" + "".join(era.letter.lower() for era in ERAS) + "]"
)
_SEP = r"\s*[-/.年]\s*"
_SEP_MONTH = r"\s*[-/.月]\s*"
_WESTERN = re.compile(rf"(?P<y>\d{{4}}){_SEP}(?P<m>\d{{1,2}}){_SEP_MONTH}(?P<d>\d{{1,2}})\s*日?")
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_JAPANESE = re.compile(
    rf"(?P<era>{_ERA_NAMES})\s*(?P<y>\d{{1,2}}|元){_SEP}(?P<m>\d{{1,2}}){_SEP_MONTH}(?P<d>\d{{1,2}})\s*日?",
    re.IGNORECASE,
)


class DateInputError(ValueError):
    """Text that is not a date people could mean; the message is translated."""


def era_for_key(key: str) -> Era:
    """The era named ``令和`` or abbreviated ``R`` / ``r``."""
    return _ERA_BY_KEY[key.lower() if len(key) == 1 else key]


def era_pattern() -> str:
    """A regular expression matching every era name and letter (use with re.IGNORECASE)."""
    return _ERA_NAMES


def era_date(era: Era, era_year: int, month: int, day: int) -> date:
    """The day 令和``era_year``年``month``月``day``日; ValueError if that era had no such day."""
    result = date(era.offset + era_year, month, day)
    following = next((e for e in reversed(ERAS) if e.start > era.start), None)
    if result < era.start or (following is not None and result >= following.start):
        raise ValueError(f"{era.name}{era_year} has no {month}/{day}")
    return result


def parse_day(text: str) -> date:
    """Read a date as typed; raise :class:`DateInputError` with a message for the user.

    Full-width digits and punctuation are folded first (NFKC). The result lies in
    ``MIN_DAY`` … ``MAX_DAY``.
    """
    value = unicodedata.normalize("NFKC", text).strip()
    try:
        if match := _JAPANESE.fullmatch(value):
            era = era_for_key(match["era"])
            era_year = 1 if match["y"] == "元" else int(match["y"])
            try:
                day = era_date(era, era_year, int(match["m"]), int(match["d"]))
            except ValueError:
                raise DateInputError(
                    _(
                        "%(era)sにその日付はありません。和暦の年・月・日を確かめてください。",
                        era=era.name,
                    )
                ) from None
        elif match := _WESTERN.fullmatch(value) or _COMPACT.fullmatch(value):
            day = date(int(match["y"]), int(match["m"]), int(match["d"]))
        else:
            raise DateInputError(
                _("日付は 2027-04-01、2027/4/1 または 令和9年4月1日 のように入力してください。")
            )
    except DateInputError:
        raise
    except ValueError:  # 2027-02-30 and the like
        raise DateInputError(_("存在しない日付です。年・月・日を確かめてください。")) from None
    check_range(day)
    return day


def check_range(day: date) -> None:
    """Refuse a date outside ``MIN_DAY`` … ``MAX_DAY`` with a message for the user."""
    if not MIN_DAY <= day <= MAX_DAY:
        raise DateInputError(
            _(
                "日付は%(first)sから%(last)sまでの範囲で入力してください。",
                first=f"{MIN_DAY.year}年{MIN_DAY.month}月{MIN_DAY.day}日",
                last=f"{MAX_DAY.year}年{MAX_DAY.month}月{MAX_DAY.day}日",
            )
        )


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the 31st in a shorter month becomes its last day (1/31 + 1 → 2/28)."""
    result: date = day + relativedelta(months=months)
    return result


def first_of_month(day: date, months: int = 0) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    result: date = day.replace(day=1) + relativedelta(months=months)
    return result
