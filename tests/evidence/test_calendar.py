"""The municipal calendar (FACTS §6): weekends, national holidays, 29 December – 3 January."""

from __future__ import annotations

import pytest

from tests.evidence.helpers import day
from vendorguard.evidence.calendar import is_open_day, next_open_day


@pytest.mark.parametrize(
    "given, expected",
    [
        ("2027-01-01", "2027-01-04"),  # New Year's Day (Friday), then the weekend
        ("2026-12-29", "2027-01-04"),  # the year-end closure starts on a Tuesday
        ("2026-12-28", "2026-12-28"),  # the last open day of the year
        ("2027-01-03", "2027-01-04"),
        ("2026-07-20", "2026-07-21"),  # 海の日, a Monday holiday
        ("2027-01-11", "2027-01-12"),  # 成人の日, a Monday holiday
        ("2026-11-28", "2026-11-30"),  # Saturday
        ("2026-11-27", "2026-11-27"),  # an ordinary Friday stays
    ],
)
def test_next_open_day(given, expected):
    assert next_open_day(day(given)) == day(expected)


def test_golden_week_runs_through_the_substitute_holiday():
    # 2026: 4/29 昭和の日 (Wed), 5/2–3 weekend, 5/4 みどりの日, 5/5 こどもの日, 5/6 振替休日 (for 5/3)
    assert not is_open_day(day("2026-04-29"))
    assert is_open_day(day("2026-04-30")) and is_open_day(day("2026-05-01"))
    assert [is_open_day(day(f"2026-05-0{n}")) for n in range(2, 8)] == [
        False,
        False,
        False,
        False,
        False,
        True,
    ]
    assert next_open_day(day("2026-05-02")) == day("2026-05-07")


def test_silver_week_citizens_holiday_is_closed():
    # 9/21 敬老の日, 9/22 国民の休日 (between two holidays), 9/23 秋分の日
    assert next_open_day(day("2026-09-19")) == day("2026-09-24")
