"""Per-token rate limit: a fixed window, counted in the database (``DatabaseWindow``, on
PostgreSQL) or in this process (``FixedWindow``, on SQLite: the one-machine embedded setup).

In the database every app process, on any machine, counts into the same row: the limit is the
limit however many gunicorn workers and servers there are. It costs one statement per API request
(an upsert returning the new count, one row per token whatever the traffic). ``FixedWindow`` keeps
the same rule in memory; windows that ended are dropped whenever its table grows past
``MAX_TRACKED`` entries.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from vendorguard.api.models import ApiRateWindow

MAX_TRACKED = 10_000


@dataclass
class Verdict:
    """Whether a request may go on, and what the response headers say about the window."""

    allowed: bool
    limit: int
    remaining: int
    reset_after: int  # seconds until the window ends


class FixedWindow:
    """Counts requests per key in windows of ``window`` seconds aligned to the clock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[object, int], int] = {}

    def hit(self, key: object, limit: int, window: int, now: float | None = None) -> Verdict:
        """Count one request for ``key``; refused once ``limit`` requests used the window."""
        now = time.time() if now is None else now
        slot = int(now // window)
        reset_after = max(1, math.ceil((slot + 1) * window - now))
        with self._lock:
            if len(self._counts) > MAX_TRACKED:
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= slot}
            used = self._counts.get((key, slot), 0)
            if used >= limit:
                return Verdict(False, limit, 0, reset_after)
            self._counts[(key, slot)] = used + 1
            return Verdict(True, limit, limit - used - 1, reset_after)

    def clear(self) -> None:
        """Forget every window (tests)."""
        with self._lock:
            self._counts.clear()


class DatabaseWindow:
    """The fixed window counted in ``api_rate_window``, on a connection of its own that the caller
    commits at once: the count stands even when the request then fails, and the request's session
    (its loaded token and user) is left untouched."""

    def hit(
        self, connection: Connection, key: object, limit: int, window: int, now: float | None = None
    ) -> Verdict:
        """Count one request for ``key``; refused once more than ``limit`` were counted."""
        now = time.time() if now is None else now
        slot = int(now // window)
        reset_after = max(1, math.ceil((slot + 1) * window - now))
        dialect = connection.dialect.name
        insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(ApiRateWindow).values(key=str(key), slot=slot, used=1)
        # One row per key: a new window starts the count again, in the same statement.
        stmt = stmt.on_conflict_do_update(
            index_elements=[ApiRateWindow.key],
            set_={
                "used": case(
                    (ApiRateWindow.slot == stmt.excluded.slot, ApiRateWindow.used + 1), else_=1
                ),
                "slot": stmt.excluded.slot,
            },
        ).returning(ApiRateWindow.used)
        used = int(connection.execute(stmt).scalar_one())
        if used > limit:
            return Verdict(False, limit, 0, reset_after)
        return Verdict(True, limit, limit - used, reset_after)
