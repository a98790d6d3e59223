"""Time helpers: UTC for storage, Asia/Tokyo and the Japanese calendar for people."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")

# (first day, era name in kanji, era name in English); newest first.
ERAS = (
    (date(2019, 5, 1), "令和", "Reiwa"),
    (date(1989, 1, 8), "平成", "Heisei"),
    (date(1926, 12, 25), "昭和", "Showa"),
)


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def today_tokyo() -> date:
    """Return today's date in Japan, which is the date that matters to a municipality."""
    return datetime.now(TOKYO).date()


def wareki(day: date) -> str:
    """Format a date in the Japanese era style, e.g. 令和8年4月1日 (first year as 元年)."""
    for start, name, _ in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            year_text = "元" if year == 1 else str(year)
            return f"{name}{year_text}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def fiscal_year(day: date) -> int:
    """Return the municipal fiscal year (1 April – 31 March) a date belongs to."""
    return day.year if day.month >= 4 else day.year - 1
