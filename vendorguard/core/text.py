"""Text normalisation for Japanese input."""

from __future__ import annotations

import unicodedata


def to_katakana(text: str) -> str:
    """Normalise a reading to full-width katakana (ﾄﾖｵｶ and とよおか both become トヨオカ)."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    return "".join(chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" else ch for ch in text)


def clean(text: str | None) -> str:
    """Trim and NFKC-normalise free text typed by people (full-width digits, stray spaces)."""
    return unicodedata.normalize("NFKC", text or "").strip()
