"""法人番号: check digit (FACTS §7) and how the register normalises and refuses numbers."""

from __future__ import annotations

import pytest

from vendorguard.contractors import corporate_number
from vendorguard.contractors.services import normalise_corporate_number
from vendorguard.core.errors import DomainError


def test_national_tax_agency_number_is_valid():
    assert corporate_number.check_digit("000012050002") == 7
    assert corporate_number.is_valid("7000012050002")


def test_wrong_check_digit_is_invalid():
    assert not corporate_number.is_valid("8000012050002")
    assert not corporate_number.is_valid("1000012050002")


def test_check_digit_nine_when_sum_is_a_multiple_of_nine():
    # Σ = 0 → 9 − 0 = 9: the check digit is never 0.
    assert corporate_number.check_digit("000000000000") == 9
    assert corporate_number.make("000000000000") == "9000000000000"


@pytest.mark.parametrize(
    "number", ["700001205000", "70000120500021", "7000O12050002", "７０００１２０５０００２"]
)
def test_only_thirteen_ascii_digits_can_be_valid(number):
    assert not corporate_number.is_valid(number)


@pytest.mark.parametrize(
    "typed",
    [
        "７００００１２０５０００２",
        "7000-01-2050002",
        " 7 000012 050002 ",
        "７０００－０１－２０５０００２",
    ],
)
def test_normalise_accepts_full_width_hyphens_and_spaces(typed):
    assert corporate_number.normalise(typed) == "7000012050002"


@pytest.fixture
def ctx(app):
    """Messages are translated per request, so service calls need one."""
    with app.test_request_context():
        yield


def test_register_normalises_full_width_input(ctx):
    assert normalise_corporate_number("７０００－０１２０－５０００２") == "7000012050002"
    assert normalise_corporate_number("  ") is None


def test_register_refuses_twelve_digits(ctx):
    with pytest.raises(DomainError) as raised:
        normalise_corporate_number("700001205000")
    assert raised.value.field == "corporate_number"
    assert raised.value.message == "法人番号は13桁の数字で入力してください。"


def test_register_refuses_letters(ctx):
    with pytest.raises(DomainError) as raised:
        normalise_corporate_number("7000O12050002")
    assert raised.value.message == "法人番号は13桁の数字で入力してください。"


def test_register_refuses_a_wrong_check_digit(ctx):
    with pytest.raises(DomainError) as raised:
        normalise_corporate_number("8000012050002")
    assert (
        raised.value.message
        == "法人番号のチェックディジットが正しくありません。入力内容をご確認ください。"
    )
