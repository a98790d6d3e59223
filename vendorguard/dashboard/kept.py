"""The home page's body, kept by the process while the city's records stay as they were.

The body follows the user (role, department, permissions), the day, the language, the list bound
and the section asked open — these make the key — and the records, which the marker stands for
(``core.changes``): a kept body is served while the marker read with the signed-in user is the one
it was made at, and for at most ``changes.MAX_AGE`` seconds. The page's own statements (counts of
a whole city, its chart) and its rendering are then skipped, and a return to the home page costs
the fixed cost of a page. Bodies are per process and per user, and any committed change renews the
marker (a sign-in too), so a busy city makes most home pages again.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from flask import Flask, current_app, g
from markupsafe import Markup

from vendorguard.auth import sessions
from vendorguard.core import changes

LIMIT_BYTES = 8 * 2**20  # a body is 10–20 KB: some 500 users' pages per process


@dataclass(frozen=True)
class _Body:
    marker: str
    made_at: float
    html: Markup
    size: int


class KeptBodies:
    """Rendered bodies by key, each with the marker it was made at; least recently used dropped
    past ``limit_bytes``."""

    def __init__(self, limit_bytes: int = LIMIT_BYTES) -> None:
        self._bodies: OrderedDict[Hashable, _Body] = OrderedDict()
        self._size = 0
        self._limit = limit_bytes
        self._lock = threading.Lock()

    def get(self, key: Hashable, marker: str | None) -> Markup | None:
        """The body kept under ``key`` if it was made at ``marker`` and is young enough."""
        if marker is None:
            return None
        with self._lock:
            body = self._bodies.get(key)
            if body is None:
                return None
            if body.marker != marker or time.monotonic() - body.made_at > changes.MAX_AGE:
                self._drop(key)
                return None
            self._bodies.move_to_end(key)
            return body.html

    def put(self, key: Hashable, marker: str | None, html: Markup) -> None:
        """Keep ``html`` under ``key``, made at ``marker`` (nothing is kept without a marker)."""
        if marker is None:
            return
        size = len(html)
        with self._lock:
            self._drop(key)
            self._bodies[key] = _Body(marker, time.monotonic(), html, size)
            self._size += size
            while self._size > self._limit and self._bodies:
                self._drop(next(iter(self._bodies)))

    def _drop(self, key: Hashable) -> None:
        body = self._bodies.pop(key, None)
        if body is not None:
            self._size -= body.size


def kept_bodies(app: Flask | None = None) -> KeptBodies:
    """The application's kept bodies (one set per app: test apps never share them)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("vg_kept_home")
    if found is None:
        found = app.extensions.setdefault("vg_kept_home", KeptBodies())
    return found


def read_marker() -> str | None:
    """The records marker read with the signed-in user (None: not read, or no marker row)."""
    return g.get("records_marker")


# Read by the statement that loads the user: knowing whether a kept body holds costs no round trip.
sessions.load_alongside(
    changes.marker_value(), None, lambda value: setattr(g, "records_marker", value)
)
