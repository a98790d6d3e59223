"""The municipal calendar (FACTS §6): which days the city's offices are open.

Closed (行政機関の休日): Saturdays, Sundays, national holidays (including substitute holidays and
the "citizens' holiday" between two holidays, as ``jpholiday`` computes them offline), and
29 December to 3 January. A due date on a closed day moves to the next open day.
"""

from __future__ import annotations

from datetime import date, timedelta

import jpholiday

# The longest run of closed days is about nine (year end plus a weekend and a holiday); the guard
# only stops an endless loop if the holiday table ever went wrong.
_MAX_CLOSED_RUN = 40


def is_year_end_closure(day: date) -> bool:
    """Whether ``day`` falls in the year-end and new-year closure (29 December – 3 January)."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_open_day(day: date) -> bool:
    """Whether the city's offices are open on ``day``."""
    return day.weekday() < 5 and not is_year_end_closure(day) and not jpholiday.is_holiday(day)


def next_open_day(day: date) -> date:
    """``day`` itself when open, otherwise the first open day after it."""
    for _ in range(_MAX_CLOSED_RUN):
        if is_open_day(day):
            return day
        day += timedelta(days=1)
    raise RuntimeError(f"no open day within {_MAX_CLOSED_RUN} days of {day}")
