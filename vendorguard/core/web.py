"""Small helpers for views: safe redirects, pagination, sorting, search terms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import current_app, flash, request, url_for
from flask_sqlalchemy.pagination import Pagination
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, select
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.routing import MapAdapter

from vendorguard.core import settings
from vendorguard.core.errors import DomainError
from vendorguard.core.forms import CONTROL_CHARACTERS
from vendorguard.extensions import db


def base_url_adapter() -> MapAdapter:
    """The URL map bound to ``BASE_URL`` (host, scheme and path prefix), usable outside requests."""
    base = urlsplit(settings.current().base_url)
    return current_app.url_map.bind(
        base.netloc or "localhost",
        script_name=base.path or "/",
        url_scheme=base.scheme or "http",
    )


def absolute_url(endpoint: str, /, **values: Any) -> str:
    """A URL for someone reading a mail, a calendar or a chat message elsewhere: always under
    ``BASE_URL``, never whatever host the current request came in on."""
    return base_url_adapter().build(endpoint, values, force_external=True)


def safe_next(target: str | None, fallback_endpoint: str = "dashboard.index") -> str:
    """Return ``target`` only if it is a path on this site; otherwise the fallback page."""
    if target:
        target = target.strip().replace("\\", "/")
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and not any(ord(c) < 32 for c in target)
        ):
            return target
    return url_for(fallback_endpoint)


def page_arg() -> int:
    """The requested page number; anything odd means page 1."""
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


# What a list may be sorted by: a mapped attribute (``User.email``) or any SQL expression.
SortColumn = ColumnElement[Any] | QueryableAttribute[Any]

_Row = TypeVar("_Row", bound=tuple[Any, ...])


@dataclass(frozen=True)
class Sorting:
    """A whitelisted sort: key as given in the URL, the columns it orders by, and direction."""

    key: str
    descending: bool
    columns: tuple[SortColumn, ...]

    def apply(self, stmt: Select[_Row]) -> Select[_Row]:
        order = [c.desc() if self.descending else c.asc() for c in self.columns]
        return stmt.order_by(*order)

    def link_args(self, key: str) -> dict[str, str]:
        """Query args for a column header: toggles direction when already sorted by ``key``."""
        descending = not self.descending if key == self.key else False
        return {"sort": key, "dir": "desc" if descending else "asc"}


def sorting(
    options: Mapping[str, tuple[SortColumn, ...]], default: str, default_descending: bool = False
) -> Sorting:
    """Read ``sort`` and ``dir`` from the query string, falling back to ``default``.

    ``default_descending`` orders the default key newest-first when no direction is asked for.
    """
    key = request.args.get("sort", default)
    if key not in options:
        key = default
    direction = request.args.get("dir")
    if direction in ("asc", "desc"):
        descending = direction == "desc"
    else:
        descending = default_descending and key == default
    return Sorting(key, descending, tuple(options[key]))


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
    """

    def __init__(self, select: Select[Any], session: Session, page: int, per_page: int):
        self._query_args = {"select": select, "session": session}
        self.page, self.per_page, self.max_per_page = page, per_page, 200
        self.bound = max(COUNT_BOUND, (page + PAGES_AHEAD) * per_page)
        counted = self._query_count()
        self.total_bounded = counted > self.bound
        self.total = min(counted, self.bound)
        self.page = min(self.page, max(1, -(-self.total // per_page)))
        self.items = self._query_items() if self.total else []

    def _query_items(self) -> list[Any]:
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        result = self._query_args["session"].execute(stmt).unique()
        return list(result.scalars() if len(stmt.column_descriptions) == 1 else result.all())

    def _query_count(self) -> int:
        # Counting the rows of a LIMITed subquery stops the scan at the bound.
        sub = self._query_args["select"].order_by(None).limit(self.bound + 1).subquery()
        session: Session = self._query_args["session"]
        return session.execute(select(func.count()).select_from(sub)).scalar_one()


def paginate(stmt: Select[Any], per_page: int | None = None) -> RowPagination:
    """Paginate a select: always exactly one count query and one row query.

    ``?per_page=`` may ask for up to 200 rows (for printing a long list).
    """
    try:
        asked = int(request.args.get("per_page", "0"))
    except ValueError:
        asked = 0
    size = min(200, asked) if asked > 0 else per_page or settings.current().page_size
    return RowPagination(stmt, db.session, page_arg(), size)


def search_term() -> str:
    """The trimmed ``q`` argument, without control characters (PostgreSQL refuses NUL in text)."""
    return CONTROL_CHARACTERS.sub("", request.args.get("q", "")).strip()[:100]


def like_pattern(term: str) -> str:
    """A LIKE pattern matching ``term`` anywhere, with wildcards in the term escaped."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's error next to its field, or flash it when it concerns the whole form."""
    db.session.rollback()
    if error.field and error.field in form:
        form[error.field].errors.append(error.message)
    else:
        flash(error.message, "error")
