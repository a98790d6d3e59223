"""Lists a page at a time: the bounded count and the page's rows (``RowPagination``), the page
number and size asked for, and list statements kept by the app between views."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import Any, TypeVar, cast

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Integer, Select, bindparam, func, inspect, select
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.sql.elements import ColumnElement

from vendorguard.core import settings
from vendorguard.core.sqlvalues import constants_written_in
from vendorguard.extensions import db


def page_arg() -> int:
    """The requested page number; anything odd means page 1."""
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


# A list counts at most this many rows (or ten pages past the one shown, when further on): beyond
# it the page says "N件以上". An exact COUNT(*) over 500,000 evidence requests costs more than
# the page itself on every view, and nobody pages to the 20,000th row by number.
COUNT_BOUND = 1000
PAGES_AHEAD = 10


class RowPagination(Pagination):
    """One count query and one row query, always; whole rows when the select has several columns.

    (Flask-SQLAlchemy skips the count on a short first page; a list's query count then depends on
    its length, which is exactly what our N+1 tests must not see.) The count is bounded (see
    ``COUNT_BOUND``): ``total_bounded`` says the list holds more than ``total`` rows.

    The row query is a deferred join when the select's first column is a mapped entity with a
    one-column primary key: the page's keys are chosen by a subquery that carries only that key
    (``ORDER BY … LIMIT … OFFSET …``, the select's filters), and only those rows are loaded, by
    key, with their columns and joins. Skipping 5,000 rows then walks an index of keys instead of
    dragging every joined row through a sort; joins a list makes only for display can be outer
    joins, which PostgreSQL leaves out of the key subquery (an unused LEFT JOIN on a unique key is
    removed). The select's joins must be many-to-one (one row per key), as a list's are.

    ``keys``, when given, is a one-column select of the same keys under the same filters and in
    the same order, written by the list's queries to read fewer tables than the entity's select
    (an inherited entity always joins its base table, probed for each skipped row): the count
    and the page's keys come from it, the rows from ``select`` without its WHERE.

    ``page_keys``, when given, is another such select that only picks the page's keys (the count
    still comes from ``keys`` or ``select``): for a list whose first rows one index finds and
    whose count another reads best (``evidence.queries.department_request_keys``).

    ``statements``, when given, are the list's count and page statements already derived (kept by
    ``paginate_kept``); ``select``, ``keys`` and ``page_keys`` are then not used.
    """

    def __init__(
        self,
        select: Select[Any] | None,
        session: Session,
        page: int,
        per_page: int,
        known_total: int | None = None,
        keys: Select[Any] | None = None,
        statements: ListStatements | None = None,
        page_keys: Select[Any] | None = None,
    ):
        if statements is None:
            assert select is not None
            statements = list_statements(select, keys, page_keys)
        self._query_args = {"select": select, "session": session}
        self._statements = statements
        self._session = session
        self.page, self.per_page, self.max_per_page = page, per_page, 200
        self.bound = max(COUNT_BOUND, (page + PAGES_AHEAD) * per_page)
        counted = self._query_count() if known_total is None else known_total
        self.total_bounded = counted > self.bound
        self.total = min(counted, self.bound)
        self.page = min(self.page, max(1, -(-self.total // per_page)))
        self.items = self._query_items() if self.total else []

    def _query_items(self) -> list[Any]:
        numbers = {"page_size": self.per_page, "page_offset": self._query_offset}
        result = self._session.execute(self._statements.page, numbers).unique()
        return list(result.scalars() if self._statements.entities else result.all())

    def _query_count(self) -> int:
        # Counting the keys of a LIMITed subquery stops the scan at the bound.
        numbers = {"count_limit": self.bound + 1}
        return int(self._session.execute(self._statements.count, numbers).scalar_one())


@dataclass(frozen=True)
class ListStatements:
    """A list's bounded count and its page of rows, with the page's numbers left as parameters
    (``page_size``, ``page_offset``, ``count_limit``), so one pair serves every page."""

    count: Select[Any]
    page: Select[Any]
    entities: bool  # one column selected: the page's items are its scalars


def list_statements(
    select_: Select[Any], keys: Select[Any] | None = None, page_keys: Select[Any] | None = None
) -> ListStatements:
    """The count and page statements ``RowPagination`` runs for ``select_`` (and its keys)."""
    key = _row_key(select_)
    size = bindparam("page_size", type_=Integer)
    offset = bindparam("page_offset", type_=Integer)
    if key is None:
        counted, page = select_, select_.limit(size).offset(offset)
    else:
        counted = (
            keys if keys is not None else select_.with_only_columns(key, maintain_column_froms=True)
        )
        picked = counted if page_keys is None else page_keys
        # (Wrapped once more: some databases refuse LIMIT directly inside IN.)
        chosen = picked.limit(size).offset(offset).subquery("page_keys")
        page = _without_where(select_).where(key.in_(select(chosen.c[0])))
    limit = bindparam("count_limit", type_=Integer)
    count = select(func.count()).select_from(counted.order_by(None).limit(limit).subquery())
    return ListStatements(count, page, len(page.column_descriptions) == 1)


def _without_where(stmt: Select[Any]) -> Select[Any]:
    """``stmt`` without its WHERE criteria (SQLAlchemy has no public call that drops them).

    The page's keys already met them; evaluated again they would cost a second search (a hashed
    subquery is built whole, whatever the 25 rows it is asked about).
    """
    bare = stmt._generate()
    bare._where_criteria = ()
    return bare


def _row_key(stmt: Select[Any]) -> ColumnElement[Any] | None:
    """The one-column primary key of the select's first entity, or None (no deferred join)."""
    first = stmt.column_descriptions[0]["expr"]
    info = inspect(first, raiseerr=False)
    if not isinstance(info, Mapper) or len(info.primary_key) != 1:
        return None
    return info.primary_key[0]


def paginate(
    stmt: Select[Any],
    per_page: int | None = None,
    known_total: int | None = None,
    keys: Select[Any] | None = None,
) -> RowPagination:
    """Paginate a select: always exactly one count query and one row query (no count query when
    the caller already knows the total, e.g. from counts stored with the rows).

    ``keys``: the list's keys read from fewer tables (see ``RowPagination``).

    ``?per_page=`` may ask for up to 200 rows (for printing a long list).
    """
    return RowPagination(stmt, db.session, page_arg(), page_size(per_page), known_total, keys)


def page_size(per_page: int | None = None) -> int:
    """Rows a page shows: ``?per_page=`` (at most 200), else ``per_page``, else the setting."""
    try:
        asked = int(request.args.get("per_page", "0"))
    except ValueError:
        asked = 0
    return min(200, asked) if asked > 0 else per_page or settings.current().page_size


def paginate_kept(
    key: Hashable,
    build: Callable[[], tuple[Select[Any] | None, ...]],
    per_page: int | None = None,
    *,
    constants_written: bool = False,
) -> RowPagination:
    """``paginate`` for a list whose statements are built once per ``key`` and kept.

    ``build`` returns the list's select, keys and optionally page keys (as ``RowPagination``
    takes them); ``key`` must hold every value they depend on (filters, sort, day, the user's
    visibility). Building a list's select trees and generating their SQL cache keys took 1–3 ms
    a view, a sixth of the page; a kept statement keeps its memoized cache key. Only statements
    are kept, never rows.
    ``constants_written``: sent with their code constants in the SQL
    (``core.sqlvalues.constants_written_in``; the page's numbers stay parameters) — for lists
    without a search term, whose other values all come from fixed choices.
    """

    def kept() -> ListStatements:
        select_, *keys = build()
        assert select_ is not None
        statements = list_statements(select_, *keys)
        if not constants_written:
            return statements
        return replace(
            statements,
            count=constants_written_in(statements.count),
            page=constants_written_in(statements.page),
        )

    statements = kept_statement(("list", key, constants_written), kept)
    return RowPagination(None, db.session, page_arg(), page_size(per_page), statements=statements)


_Kept = TypeVar("_Kept")


def kept_statement(key: Hashable, build: Callable[[], _Kept]) -> _Kept:
    """What ``build`` returns (statements, never rows), built once per view and ``key`` and kept
    by the app; ``key`` must hold every value the statements depend on."""
    kept: KeptStatements = current_app.extensions.setdefault("kept_statements", KeptStatements())
    return kept.get((request.endpoint, key), build)


class KeptStatements:
    """The most recently used statements of one app's views, by key (thread-safe)."""

    LIMIT = 512  # lists × filters × users kept (a few kB of tree each)

    def __init__(self) -> None:
        self._kept: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], _Kept]) -> _Kept:
        """The statements kept under ``key``, built by ``build`` when missing."""
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return cast(_Kept, found)
        built = build()
        with self._lock:
            self._kept[key] = built
            if len(self._kept) > self.LIMIT:
                self._kept.popitem(last=False)
        return built


def viewer_key(user: Any) -> tuple[Any, ...]:
    """What a list's visibility rule reads of ``user``, for a kept statement's key."""
    return (user.id, user.role, user.department_id, user.contractor_id)
