"""Time helpers: UTC for storage, Asia/Tokyo and the Japanese calendar for people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True)
class Era:
    """A Japanese era: its first day, its name, its one-letter abbreviation and English name."""

    start: date
    name: str
    letter: str
    english: str

    @property
    def offset(self) -> int:
        """Add the era year to get the Western year (令和: 2018, so 令和9年 is 2027)."""
        return self.start.year - 1


# The one era table: 和暦 display (``wareki``) and parsing (``core.dates``, the ISMAP list) use it.
# Newest first. (Dates before 1900 are refused at input, so Meiji's lunisolar years do not matter.)
ERAS = (
    Era(date(2019, 5, 1), "令和", "R", "Reiwa"),
    Era(date(1989, 1, 8), "平成", "H", "Heisei"),
    Era(date(1926, 12, 25), "昭和", "S", "Showa"),
    Era(date(1912, 7, 30), "大正", "T", "Taisho"),
    Era(date(1868, 10, 23), "明治", "M", "Meiji"),
)


def era_of(day: date) -> Era | None:
    """The era ``day`` falls in, or ``None`` before the Gregorian calendar."""
    return next((era for era in ERAS if day >= era.start), None)


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def today_tokyo() -> date:
    """Return today's date in Japan, which is the date that matters to a municipality."""
    return datetime.now(TOKYO).date()


def wareki(day: date) -> str:
    """Format a date in the Japanese era style, e.g. 令和8年4月1日 (first year as 元年)."""
    era = era_of(day)
    if era is None:
        return f"{day.year}年{day.month}月{day.day}日"
    year = day.year - era.offset
    year_text = "元" if year == 1 else str(year)
    return f"{era.name}{year_text}年{day.month}月{day.day}日"


def fiscal_year(day: date) -> int:
    """Return the municipal fiscal year (1 April – 31 March) a date belongs to."""
    return day.year if day.month >= 4 else day.year - 1
