"""The home page's summaries — the chart by department and the auditor's register counts —
counted at most once a minute for each statement, whoever asks.

The chart sums a whole city's live arrangements and their evidence standing by department (19,000
arrangements at city scale: about a third of an admin's home page made again after a change); the
register counts pass over the same 20,000 arrangements. The to-do counts beside them must move the
moment a task is done, and are counted at every view; a summary a minute old misleads no one, and
the page says when each was counted.

Rows are kept per statement and bound values (SQLAlchemy's cache key of the statement, as its
dogpile caching recipe keys results), not per user: every user whose view sends the same SQL with
the same values — all the city-wide readers, every officer of one department with the same
permissions — shares one count, and a user whose permissions read other rows sends another
statement and gets a count of their own. Kept per process (``HOME_SUMMARY_MAX_AGE_SECONDS``; 0
counts at every view).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Row, Select
from sqlalchemy.orm import Session

from vendorguard.core import changes
from vendorguard.core.timeutil import utcnow

KEPT = 128  # statements: a few scopes per role and department, a few hundred bytes of rows each


@dataclass(frozen=True)
class Counted:
    """A statement's rows, when they were read, and the records marker of the request that read
    them (``dashboard.kept.read_marker``: read before the count, so rows counted under a marker
    that still holds include every change)."""

    rows: tuple[Row[Any], ...]
    counted_at: datetime  # aware, UTC
    made: float  # time.monotonic() at the count
    marker: str | None
    # What a page drew from these rows, by what else it depends on (the chart's SVG per language):
    # drawn again only when the rows are counted again.
    drawn: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def exact_under(self, marker: str | None) -> bool:
        """Whether no change was committed since the count (the marker is the one it was made at)."""
        return marker is not None and self.marker == marker


class KeptCounts:
    """Rows by statement and values, each served for ``max_age`` seconds after its count; the least
    recently used dropped past ``limit`` statements."""

    def __init__(self, max_age: float, limit: int = KEPT) -> None:
        self._counted: OrderedDict[Hashable, Counted] = OrderedDict()
        self._max_age = max_age
        self._limit = limit
        self._lock = threading.Lock()

    def rows(self, session: Session, statement: Select[Any], marker: str | None) -> Counted:
        """``statement``'s rows as counted with no change since (under ``marker``, the records
        marker now), or at most ``max_age`` seconds ago; counted now if neither."""
        key = _key(statement) if self._max_age > 0 else None
        if key is not None:
            with self._lock:
                found = self._counted.get(key)
                if found is not None:
                    age = time.monotonic() - found.made
                    exact = found.exact_under(marker) and age <= changes.MAX_AGE
                    if exact or age <= self._max_age:
                        self._counted.move_to_end(key)
                        return found
        counted = Counted(
            tuple(session.execute(statement).all()), utcnow(), time.monotonic(), marker
        )
        if key is not None:
            with self._lock:
                self._counted[key] = counted
                self._counted.move_to_end(key)
                while len(self._counted) > self._limit:
                    self._counted.popitem(last=False)
        return counted

    def lifetime(self, counts: list[Counted], marker: str | None) -> float | None:
        """How long a page showing ``counts`` may be kept under ``marker`` (None: no counts): until
        the first of them is due again — an exact one ``MAX_AGE`` after its count, like the page
        itself, an older one its ``max_age`` after (a page must not show a count past its age,
        however quiet the city)."""
        now = time.monotonic()
        left = [
            counted.made + (changes.MAX_AGE if counted.exact_under(marker) else self._max_age) - now
            for counted in counts
        ]
        return max(0.0, min(left)) if left else None

    def clear(self) -> None:
        """Forget every kept count (the next view of each statement counts again)."""
        with self._lock:
            self._counted.clear()


def _key(statement: Select[Any]) -> Hashable | None:
    """The statement's structure and its bound values (None: a statement that cannot be cached)."""
    cache_key = statement._generate_cache_key()
    if cache_key is None:
        return None
    values = tuple(_hashable(param.effective_value) for param in cache_key.bindparams)
    try:
        hash(values)
    except TypeError:
        return None  # a value of an odd type: counted at every view
    return (cache_key.key, values)


def _hashable(value: Any) -> Any:
    # an IN's values arrive as a list (the states a social account's draft can be in)
    return tuple(value) if isinstance(value, list) else value


def kept_counts(app: Flask | None = None) -> KeptCounts:
    """The application's kept summaries (one set per app: test apps never share them)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("vg_home_summaries")
    if found is None:
        max_age = float(app.config.get("HOME_SUMMARY_MAX_AGE_SECONDS", 60))
        found = app.extensions.setdefault("vg_home_summaries", KeptCounts(max_age))
    return found
