"""法人番号 (corporate number): 13 digits, a check digit followed by a 12-digit base (FACTS §7)."""

from __future__ import annotations

import unicodedata


def check_digit(base: str) -> int:
    """The check digit for a 12-digit base number."""
    if len(base) != 12 or not base.isdigit():
        raise ValueError("base must be 12 digits")
    # P1 is the rightmost digit; odd positions weigh 1, even positions weigh 2.
    total = sum(
        int(digit) * (1 if position % 2 else 2)
        for position, digit in enumerate(reversed(base), start=1)
    )
    return 9 - (total % 9)


def normalise(value: str) -> str:
    """Full-width digits to ASCII; spaces and hyphens removed (people paste ７０００-０１…)."""
    value = unicodedata.normalize("NFKC", value or "")
    return "".join(ch for ch in value if ch not in " -\u2010\u2011\u2012\u2013\u2014\u2212\u30fc\t")


def is_valid(number: str) -> bool:
    """Whether ``number`` is 13 ASCII digits whose first digit is the right check digit."""
    return (
        len(number) == 13
        and number.isascii()
        and number.isdigit()
        and int(number[0]) == check_digit(number[1:])
    )


def make(base: str) -> str:
    """A full 13-digit number from a 12-digit base (for test and demo data)."""
    return f"{check_digit(base)}{base}"
