"""Self-check periods: the risk tier's interval cut into periods, and each period in words.

A period is keyed by its first day. Intervals of up to twelve months restart every fiscal year
(1 April), so 6 months gives 上期 (April–September) and 下期 (October–March), and a last period
that does not fit ends on 31 March. Longer intervals run on from April 2000, so 24 months gives
one period every second fiscal year (FY2026–FY2027, FY2028–FY2029, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _

from vendorguard.core.dates import add_months

YEAR = 12
EPOCH = date(2000, 4, 1)  # where periods longer than a year are counted from
MAX_MONTHS = 120  # the tier policy form's bound


@dataclass(frozen=True)
class Period:
    """One self-check period: its first day and its length in months."""

    start: date
    months: int

    @property
    def fiscal_year(self) -> int:
        return self.start.year if self.start.month >= 4 else self.start.year - 1

    @property
    def end(self) -> date:
        """The last day: ``months`` later, or 31 March when a short interval does not fit."""
        end = add_months(self.start, self.months)
        if self.months <= YEAR:
            end = min(end, date(self.fiscal_year + 1, 4, 1))
        return end - timedelta(days=1)

    def label(self) -> str:
        """The period in words: 「2026年度」「2026年度 上期」「2026年4月〜9月」."""
        return label(self.start, self.months)


def _clamp(months: int | None) -> int:
    return max(1, min(MAX_MONTHS, months or YEAR))


def _months_since_epoch(day: date) -> int:
    return (day.year - EPOCH.year) * YEAR + day.month - EPOCH.month


def containing(day: date, months: int | None) -> Period:
    """The period of an interval of ``months`` that ``day`` falls in."""
    months = _clamp(months)
    if months <= YEAR:
        fiscal_year = day.year if day.month >= 4 else day.year - 1
        offset = (day.month - 4) % YEAR
        return Period(add_months(date(fiscal_year, 4, 1), offset - offset % months), months)
    elapsed = _months_since_epoch(day)
    return Period(add_months(EPOCH, elapsed - elapsed % months), months)


def of_year(fiscal_year: int, months: int | None) -> list[Period]:
    """Every period that starts in the fiscal year, or the one it falls in (long intervals)."""
    months = _clamp(months)
    first = date(fiscal_year, 4, 1)
    if months > YEAR:
        return [containing(first, months)]
    return [Period(add_months(first, n), months) for n in range(0, YEAR, months)]


def due(fiscal_year: int, months: int | None, today: date) -> Period:
    """The period a send for ``fiscal_year`` is for: the one ``today`` falls in during that year,
    the first before it, the last after it."""
    periods = of_year(fiscal_year, months)
    started = [p for p in periods if p.start <= today]
    return started[-1] if started else periods[0]


def label(start: date, months: int) -> str:
    """A period in words, whatever its interval."""
    fiscal_year = start.year if start.month >= 4 else start.year - 1
    offset = (start.month - 4) % YEAR
    if months == YEAR and offset == 0:
        return _("%(year)s年度", year=fiscal_year)
    if months == 6 and offset in (0, 6):
        if offset == 0:
            return _("%(year)s年度 上期", year=fiscal_year)
        return _("%(year)s年度 下期", year=fiscal_year)
    if months == 3 and offset % 3 == 0:
        return _("%(year)s年度 第%(number)s四半期", year=fiscal_year, number=offset // 3 + 1)
    end = Period(start, months).end
    if start.year == end.year:
        return _(
            "%(year)d年%(start)s〜%(end)s",
            year=start.year,
            start=format_date(start, "MMM"),
            end=format_date(end, "MMM"),
        )
    return _(
        "%(start_year)d年%(start)s〜%(end_year)d年%(end)s",
        start_year=start.year,
        start=format_date(start, "MMM"),
        end_year=end.year,
        end=format_date(end, "MMM"),
    )
