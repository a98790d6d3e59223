"""Optimistic locking: a change made on a stale page is refused instead of overwriting another.

Every reviewed or approved model maps a ``version`` column as SQLAlchemy's ``version_id_col``, so
an UPDATE only succeeds where the row still has the version this session read. Forms carry the
version the page was rendered with; ``check_version`` compares it before anything changes, and
``flush`` turns the ORM's ``StaleDataError`` (someone committed between our read and our write)
into the same ``StaleWrite``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

from vendorguard.core.errors import DomainError


class StaleWrite(DomainError):
    """Someone else changed the record after this page was shown; nothing was saved."""

    def __init__(self) -> None:
        super().__init__(
            _("他の利用者が先に更新しました。最新の内容を確認してからやり直してください。")
        )


def parse_version(value: Any) -> int | None:
    """The version a form sent back (a hidden field), or None when it sent none."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return -1  # tampered with: never matches, so the change is refused as stale


class VersionedForm:
    """Mixin for a form that changes a versioned record: the version the page was rendered with."""

    version = HiddenField()

    @property
    def expected_version(self) -> int | None:
        """The record's version as the page showed it (None when the form sent none)."""
        return parse_version(self.version.data)


def check_version(record: Any, expected: int | str | None) -> None:
    """Refuse when the page was rendered from another version of ``record`` than the stored one."""
    expected_version = parse_version(expected)
    if expected_version is not None and expected_version != record.version:
        raise StaleWrite()


def flush(session: Session) -> None:
    """Flush, turning a lost race on a versioned row into ``StaleWrite``."""
    try:
        session.flush()
    except StaleDataError:
        raise StaleWrite() from None
