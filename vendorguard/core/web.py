"""Small helpers for views: safe redirects, sorting, search terms, domain errors (lists a page at
a time: ``core.pagination``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import current_app, flash, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import (
    Select,
    and_,
    literal_column,
    or_,
)
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.routing import MapAdapter

from vendorguard.core import settings
from vendorguard.core.bigrams import bigram_filter
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


def search_term() -> str:
    """The trimmed ``q`` argument, without control characters (PostgreSQL refuses NUL in text)."""
    return CONTROL_CHARACTERS.sub("", request.args.get("q", "")).strip()[:100]


def like_pattern(term: str) -> str:
    """A LIKE pattern matching ``term`` anywhere, with wildcards in the term escaped."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# The shortest search term a trigram index can serve; shorter ones read every title.
TRIGRAM = 3


def contains(column: SortColumn, term: str) -> ColumnElement[bool]:
    """``column`` holds ``term`` anywhere: LIKE when the term has no letter case, else ILIKE.

    PostgreSQL's ILIKE folds the case of every character of UTF-8 text, two to three times the
    cost of LIKE when a short term (「税務」, too short for a trigram index) scans 20,000 titles;
    kana, kanji and digits have no case, so LIKE finds exactly the same rows. Both use the
    trigram indexes; a two-character LIKE uses the column's bigram index (see ``contains_any``).
    """
    return contains_any((column, term))


def contains_any(
    *searches: tuple[SortColumn, str], also: Sequence[ColumnElement[bool]] = ()
) -> ColumnElement[bool]:
    """One of the columns holds its term (as ``contains``), or one of ``also`` holds (each of
    them served by an index, e.g. an equality on an indexed column).

    On PostgreSQL, when every term has two characters without letter case and every column a
    bigram index (core.bigrams), this is "(any LIKE, or also) and (any column has its term's
    bigram, or also)": the same rows, as a LIKE implies its bigram, but PostgreSQL reads the
    second part from the indexes alone (a BitmapOr), where bigrams inside an OR of LIKEs would
    be computed for each row whose LIKE holds. Otherwise (a one-character term, letter case, a
    column without the index, SQLite) it is the OR, which reads every row for terms shorter
    than a trigram.
    """
    found = [bigram_filter(column, term) for column, term in searches]
    narrowing = [condition for condition in found if condition is not None]
    if len(narrowing) < len(searches):
        return or_(*(_like(column, term) for column, term in searches), *also)
    # The LIKEs on ``column || ''``, which the trigram index does not serve: a prepared
    # statement's generic plan, not seeing the pattern, would AND its (lossy) bitmap with the
    # bigrams', then recheck every row's bigrams (228 ms for 「委託」), and for two characters
    # that index reads every entry anyway. The LIKEs first: a plan reading the rows computes
    # bigrams only where a LIKE holds.
    exact = [_like(column.concat(literal_column("''")), term) for column, term in searches]
    return and_(or_(*exact, *also), or_(*narrowing, *also))


def _like(column: ColumnElement[str] | SortColumn, term: str) -> ColumnElement[bool]:
    pattern = like_pattern(term)
    if term.lower() == term.upper():
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's error next to its field, or flash it when it concerns the whole form."""
    db.session.rollback()
    if error.field and error.field in form:
        form[error.field].errors.append(error.message)
    else:
        flash(error.message, "error")
