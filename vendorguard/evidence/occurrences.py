"""Occurrence keys of evidence requests (「2026-04」, 「FY2026-H1」, 「adhoc-3」 …) in words.

Apart from the schedule so that models can label a request without importing the scheduler.
"""

from __future__ import annotations

from flask_babel import gettext as _

ADHOC_PREFIX = "adhoc-"


def occurrence_label(key: str) -> str:
    """An occurrence key in words for people."""
    if key == "start":
        return _("開始時")
    if key == "end":
        return _("終了時")
    if key.startswith(ADHOC_PREFIX):
        return _("随時（%(number)s）", number=key[len(ADHOC_PREFIX) :])
    if key.startswith("FY"):
        year, _sep, part = key[2:].partition("-")
        if not part:
            return _("%(year)s年度", year=year)
        if part.startswith("Q"):
            return _("%(year)s年度 第%(number)s四半期", year=year, number=part[1:])
        return (
            _("%(year)s年度 上期", year=year) if part == "H1" else _("%(year)s年度 下期", year=year)
        )
    year, _sep, month = key.partition("-")
    if month.isdigit():
        return _("%(year)s年%(month)d月分", year=year, month=int(month))
    return key
