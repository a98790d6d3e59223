"""The home page's body, kept by the process while the city's records stay as they were.

The body follows the user (role, department, permissions), the day, the language, the list bound
and the section asked open — these make the key — and the records, which the marker stands for
(``core.changes``): a kept body is served while the marker read with the signed-in user is the one
it was made at, and for at most ``changes.MAX_AGE`` seconds. The page's own statements (counts of
a whole city, its chart) and its rendering are then skipped, and a return to the home page costs
the fixed cost of a page. Bodies are per user, and any committed change to the records renews the
marker (an edit, an upload, a review anywhere), so a busy city makes many home pages again; sign-ins
and what only the audit chain records do not (``changes.UNTRACKED``, ``BOOKKEEPING_COLUMNS``).

A body one process made is also written to a private folder (``SharedBodies``, ``KEPT_PAGES_DIR``)
that the instance's other processes read on a miss of their own: gunicorn's workers each keep their
own copy, and without the folder a user's next view, landing on another worker, was made again
(part 4's load test: most home views). The same marker rule holds for a body read from a file.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g
from markupsafe import Markup
from sqlalchemy import select

from vendorguard.audit.models import AuditHead
from vendorguard.auth import sessions
from vendorguard.core import changes

LIMIT_BYTES = 8 * 2**20  # a body is 10–20 KB: some 500 users' pages per process
PRUNE_EVERY = 60.0  # seconds between one process's sweeps of the shared folder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Body:
    marker: str
    made_at: float
    html: Markup
    size: int


class KeptBodies:
    """Rendered bodies by key, each with the marker it was made at; least recently used dropped
    past ``limit_bytes``."""

    def __init__(self, limit_bytes: int = LIMIT_BYTES, shared: SharedBodies | None = None) -> None:
        self._bodies: OrderedDict[Hashable, _Body] = OrderedDict()
        self._size = 0
        self._limit = limit_bytes
        self._lock = threading.Lock()
        self._shared = shared

    def get(self, key: Hashable, marker: str | None) -> Markup | None:
        """The body kept under ``key`` if it was made at ``marker`` and is young enough: this
        process's own, else one another process made (then kept here too)."""
        if marker is None:
            return None
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                if body.marker == marker and time.monotonic() - body.made_at <= changes.MAX_AGE:
                    self._bodies.move_to_end(key)
                    return body.html
                self._drop(key)
        if self._shared is None:
            return None
        found = self._shared.get(key, marker)
        if found is None:
            return None
        html, age = found
        self._keep(key, marker, html, time.monotonic() - age)
        return html

    def put(
        self, key: Hashable, marker: str | None, html: Markup, lifetime: float | None = None
    ) -> None:
        """Keep ``html`` under ``key``, made at ``marker`` (nothing is kept without a marker), and
        share it with the instance's other processes; for at most ``lifetime`` seconds when given
        (a page showing a summary, no longer than the summary may be shown: ``dashboard.summary``)."""
        if marker is None or (lifetime is not None and lifetime <= 0):
            return
        # served while younger than MAX_AGE: a shorter life is kept as an earlier making
        earlier = 0.0 if lifetime is None else max(0.0, changes.MAX_AGE - lifetime)
        self._keep(key, marker, html, time.monotonic() - earlier)
        if self._shared is not None:
            self._shared.put(key, marker, html, earlier)

    def _keep(self, key: Hashable, marker: str, html: Markup, made_at: float) -> None:
        size = len(html)
        with self._lock:
            self._drop(key)
            self._bodies[key] = _Body(marker, made_at, html, size)
            self._size += size
            while self._size > self._limit and self._bodies:
                self._drop(next(iter(self._bodies)))

    def _drop(self, key: Hashable) -> None:
        body = self._bodies.pop(key, None)
        if body is not None:
            self._size -= body.size


class SharedBodies:
    """Bodies shared by the processes of one instance through files in a private folder.

    A file is named by an HMAC of its key (the names give away no user), holds the marker it was
    made at on its first line and the body after it, and is written whole under a temporary name
    then renamed, so a reader sees an old body, a new one or none (a miss), never half of one. Its
    age is its modification time: past ``changes.MAX_AGE`` it is never served, and each process
    deletes such files once every ``PRUNE_EVERY`` seconds, which bounds the folder by what five
    minutes make.
    A folder that cannot be written costs renders, never a page.
    """

    def __init__(self, directory: Path, secret: bytes) -> None:
        self._dir = directory
        self._secret = secret
        self._pruned_at = 0.0
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    def _path(self, key: Hashable) -> Path:
        return self._dir / hmac.new(self._secret, repr(key).encode(), hashlib.sha256).hexdigest()

    def get(self, key: Hashable, marker: str) -> tuple[Markup, float] | None:
        """The body and its age in seconds, if the file under ``key`` was made at ``marker``."""
        head = marker.encode() + b"\n"
        try:
            with self._path(key).open("rb") as file:
                age = time.time() - os.fstat(file.fileno()).st_mtime
                if age > changes.MAX_AGE or file.read(len(head)) != head:
                    return None
                return Markup(file.read().decode("utf-8")), max(age, 0.0)
        except (OSError, UnicodeDecodeError):
            return None  # none yet, or damaged: made again

    def put(self, key: Hashable, marker: str, html: Markup, earlier: float = 0.0) -> None:
        """Write the body under ``key`` for the other processes, dated ``earlier`` seconds before
        now (a shorter life); failures are logged, not raised."""
        part = None
        try:
            handle, part = tempfile.mkstemp(dir=self._dir, prefix=".part-")
            with os.fdopen(handle, "wb") as file:
                file.write(marker.encode() + b"\n" + str(html).encode("utf-8"))
            if earlier:
                made = time.time() - earlier
                os.utime(part, (made, made))
            target = self._path(key)
            # Renamed over an existing file, ext4 writes the new one out first (auto_da_alloc):
            # 0.1–0.2 ms a page, against 0.02 ms. So the old file goes first; a reader in between
            # finds none and makes the page, as it did before the first one was shared.
            with suppress(FileNotFoundError):
                os.unlink(target)
            os.replace(part, target)
            part = None
        except OSError as error:
            log.warning("kept home page not shared (%s): %s", self._dir, error)
        finally:
            if part is not None:
                with suppress(OSError):
                    os.unlink(part)
        self._prune()

    def _prune(self) -> None:
        now = time.time()
        if now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        with suppress(OSError):
            for entry in os.scandir(self._dir):
                with suppress(OSError):  # another process may have removed or replaced it
                    if now - entry.stat().st_mtime > changes.MAX_AGE:
                        os.unlink(entry.path)


def kept_bodies(app: Flask | None = None) -> KeptBodies:
    """The application's kept bodies (one set per app: test apps never share them), shared through
    ``KEPT_PAGES_DIR`` with the instance's other processes when that folder can be made."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("vg_kept_home")
    if found is None:
        found = app.extensions.setdefault("vg_kept_home", KeptBodies(shared=_shared(app)))
    return found


def _shared(app: Flask) -> SharedBodies | None:
    folder = app.config.get("KEPT_PAGES_DIR")
    if not folder:
        return None
    try:
        return SharedBodies(Path(folder), str(app.config["SECRET_KEY"]).encode())
    except OSError as error:
        log.warning("home pages kept per process only: %s cannot be made (%s)", folder, error)
        return None


def read_marker() -> str | None:
    """The records marker read with the signed-in user (None: not read, or no marker row)."""
    return g.get("records_marker")


def read_audit_head() -> int | None:
    """The audit chain's last sequence number, read with the signed-in user: the auditor's home
    lists the latest events, which the records marker leaves out (``changes.UNTRACKED``)."""
    return g.get("audit_head_seq")


# Read by the statement that loads the user: knowing whether a kept body holds costs no round trip.
sessions.load_alongside(
    changes.marker_value(), None, lambda value: setattr(g, "records_marker", value)
)
sessions.load_alongside(
    select(AuditHead.seq).where(AuditHead.id == 1).scalar_subquery(),
    None,
    lambda value: setattr(g, "audit_head_seq", value),
)
