"""What the home page is made of: its section and strip records, and the statements the process
keeps per user, scope and day (building them on every view took a third of the page's time)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select

from vendorguard.core.sqlvalues import constants_written_in

T = TypeVar("T")


@dataclass
class Section:
    """One kind of work: what matches, how urgent it is, and the page where it is done."""

    key: str
    title: str
    stmt: Select
    link: str | None
    urgency: int
    hint: str = ""
    total: int = 0
    bounded: bool = False  # more than ``total`` match (the count stopped at ``HOME_COUNT_BOUND``)
    rows: list[Any] = field(default_factory=list)
    cost: int = 1  # queries to show its rows
    # The same rows' keys in the same order with fewer joins: counted, and the first rows picked
    # by, instead of ``stmt`` (whose joins would be read for every match).
    counted: Select | None = None
    # The same keys, for picking its first rows when another statement finds them in order sooner
    # than ``counted`` (one department's overdue requests, by the requests' own department).
    picked: Select | None = None
    # The columns its table prints, read as flat rows (``dashboard.shown``); None: whole entities.
    shown: Callable[[Select], Select] | None = None


@dataclass
class StripItem:
    """One of today's counts at the top of the page, linking to the list that shows the same rows."""

    key: str
    label: str
    stmt: Select
    link: str | None
    tone: str = "warn"  # danger | warn: how the number is coloured when not zero
    count: int = 0
    bounded: bool = False  # more than ``count`` match
    section: str = ""  # the section that lists the same rows: counted once, for both
    counted: Select | None = None  # as ``Section.counted``


class Built:
    """The home page's statements for one user, scope and day, built once and kept by the process.

    Building some twenty ``select()`` trees and generating their cache keys took about a third of
    the page's time; a kept ``Select`` keeps its memoized cache key, so SQLAlchemy finds the
    compiled statement at once. Every value a statement depends on is in the key (``_KEY``).
    """

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}

    def get(self, key: str, build: Callable[[], T]) -> T:
        """The statement kept under ``key``, built by ``build`` the first time."""
        if key not in self._built:
            self._built[key] = build()
        return self._built[key]

    def executed(self, key: str, build: Callable[[], Select[Any]]) -> Select[Any]:
        """Like ``get``, for a statement the page sends: kept with its code constants written in
        (``core.sqlvalues.constants_written_in``; nothing here comes from the reader), so that
        PostgreSQL's generic plan serves it as well as a fresh one."""
        return self.get(key, lambda: constants_written_in(build()))


KEPT = 512  # users × scopes kept (a few hundred bytes of tree each, per statement)
_kept: OrderedDict[Hashable, Built] = OrderedDict()
_kept_lock = threading.Lock()


def kept_for(key: Hashable) -> Built:
    """The statements kept under ``key`` (everything they read), the least recently used of more
    than ``KEPT`` dropped."""
    with _kept_lock:
        found = _kept.get(key)
        if found is None:
            found = _kept[key] = Built()
            if len(_kept) > KEPT:
                _kept.popitem(last=False)
        else:
            _kept.move_to_end(key)
        return found
