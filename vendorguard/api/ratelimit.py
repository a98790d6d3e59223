"""Per-token rate limit: a fixed window counted in this process.

Why in-process: it costs no database write per request and needs no extra service; a municipal
server runs a few gunicorn workers, so the real limit is at most workers × ``API_RATE_LIMIT``
(docs/api.md says so). Memory is bounded: windows that ended are dropped whenever the table
grows past ``MAX_TRACKED`` entries.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

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
