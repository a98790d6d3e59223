"""Dates as people type them, the era table, and month arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from vendorguard.core.dates import MAX_DAY, MIN_DAY, DateInputError, add_months, parse_day
from vendorguard.core.timeutil import ERAS, wareki


@pytest.fixture(autouse=True)
def _context(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    "typed",
    [
        "2027-04-01",
        "2027/4/1",
        "2027/04/01",
        "2027.4.1",
        "2027年4月1日",
        "20270401",
        " 2027-04-01 ",
        "２０２７－０４－０１",
        "２０２７／４／１",
        "２０２７年４月１日",
        "令和9年4月1日",
        "令和９年４月１日",
        "令和 9 年 4 月 1 日",
        "R9.4.1",
        "r9.4.1",
        "R9/4/1",
        "R09-04-01",
        "Ｒ９．４．１",
    ],
)
def test_every_accepted_format_is_the_same_day(typed):
    assert parse_day(typed) == date(2027, 4, 1)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("R1.5.1", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("S50.10.1", date(1975, 10, 1)),
        ("大正15年12月24日", date(1926, 12, 24)),
        ("明治45年7月29日", date(1912, 7, 29)),
    ],
)
def test_era_dates_and_their_edges(typed, expected):
    assert parse_day(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["令和元年4月30日", "平成31年5月1日", "平成元年1月7日", "昭和64年1月8日", "R0.5.1"],
)
def test_a_day_outside_its_era_is_refused(typed):
    with pytest.raises(DateInputError, match="その日付はありません"):
        parse_day(typed)


@pytest.mark.parametrize("typed", ["2027-02-30", "2026/13/40", "令和9年2月29日"])
def test_a_day_that_does_not_exist_is_refused(typed):
    with pytest.raises(DateInputError):
        parse_day(typed)


@pytest.mark.parametrize("typed", ["来年3月", "2027-04", "4/1", "X9.4.1", "2027-04-01T00:00"])
def test_unreadable_text_is_explained(typed):
    with pytest.raises(DateInputError, match="令和9年4月1日 のように入力してください"):
        parse_day(typed)


@pytest.mark.parametrize("typed", ["9999-12-31", "2200-01-01", "1899-12-31", "0001-01-01"])
def test_out_of_range_dates_are_refused_with_the_range(typed):
    with pytest.raises(DateInputError) as error:
        parse_day(typed)
    assert str(error.value) == "日付は1900年1月1日から2199年12月31日までの範囲で入力してください。"


def test_the_range_itself_is_accepted():
    assert parse_day("1900-01-01") == MIN_DAY
    assert parse_day("2199-12-31") == MAX_DAY


def test_display_and_parsing_share_one_era_table():
    """Every era's first day, shown as 和暦 and read back, is the same day (元年 included)."""
    for era in ERAS:
        assert wareki(era.start).startswith(f"{era.name}元年")
        if era.start >= MIN_DAY:
            assert parse_day(wareki(era.start)) == era.start
    assert wareki(date(2019, 4, 30)) == "平成31年4月30日"
    assert wareki(date(2027, 4, 1)) == "令和9年4月1日"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2027, 3, 31), -1, date(2027, 2, 28)),
        (date(2027, 12, 15), 1, date(2028, 1, 15)),
        (date(2027, 4, 1), 16, date(2028, 8, 1)),
        (date(2027, 5, 10), 0, date(2027, 5, 10)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected
