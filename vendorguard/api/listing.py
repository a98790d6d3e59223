"""Lists of the API: page and per_page, ``sort`` (``-`` for descending), Link and X-Total-Count.

Every list is one count query and one row query (plus the eager loads its schema needs), however
many rows there are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import request, url_for
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from vendorguard.api.errors import ApiError
from vendorguard.core.web import SortColumn
from vendorguard.extensions import db

MAX_PER_PAGE = 200
LIST_HEADERS = {
    "Link": {
        "description": "RFC 8288 links: first, prev, next, last",
        "schema": {"type": "string"},
    },
    "X-Total-Count": {
        "description": "rows matching the filters, over all pages",
        "schema": {"type": "integer"},
    },
}


IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "schema": {"type": "string"},
    "description": "the ETag of the version the change is based on (412 if it changed since)",
}


def etag_of(data: Any) -> str:
    """The ETag of a dumped representation (flask-smorest's, so GET and If-Match agree)."""
    from vendorguard.api.blueprint import bp

    return str(bp._generate_etag(data))


def etag_header(data: Any) -> str:
    """The ETag header value for a dumped representation."""
    return f'"{etag_of(data)}"'


def check_if_match(data: Any, required: bool = True) -> None:
    """428 without If-Match (when required), 412 when it names another version than ``data``."""
    if not request.if_match:
        if required:
            raise ApiError("precondition_required")
        return
    if not request.if_match.contains(etag_of(data)):
        raise ApiError("precondition_failed")


class ListArgs(Schema):
    """Paging shared by every list."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def sort_field(keys: Sequence[str], default: str) -> fields.String:
    """A ``sort`` argument accepting ``key`` or ``-key`` for each of ``keys``."""
    choices = [*keys, *(f"-{key}" for key in keys)]
    return fields.String(
        load_default=default,
        validate=validate.OneOf(choices),
        metadata={"description": "sort key; a leading '-' sorts descending"},
    )


def page_of(
    stmt: Select[Any],
    args: Mapping[str, Any],
    sorts: Mapping[str, tuple[SortColumn, ...]],
    tiebreaker: SortColumn,
) -> tuple[list[Any], dict[str, str]]:
    """One page of ``stmt`` sorted as asked, and the headers that describe the whole list."""
    key = args["sort"]
    descending = key.startswith("-")
    columns = [*sorts[key.lstrip("-")], tiebreaker]
    ordered = stmt.order_by(*(c.desc() if descending else c.asc() for c in columns))
    page, per_page = args["page"], args["per_page"]
    total = db.session.execute(
        select(func.count()).select_from(stmt.order_by(None).subquery())
    ).scalar_one()
    rows: list[Any] = []
    if total and (page - 1) * per_page < total:
        result = db.session.execute(ordered.limit(per_page).offset((page - 1) * per_page)).unique()
        rows = list(result.scalars() if len(stmt.column_descriptions) == 1 else result.all())
    return rows, _headers(total, page, per_page)


def _link(page: int, per_page: int) -> str:
    args = request.args.to_dict()
    args.update(page=str(page), per_page=str(per_page))
    values = {**(request.view_args or {}), **args}
    return url_for(request.endpoint or "", _external=True, **values)


def _headers(total: int, page: int, per_page: int) -> dict[str, str]:
    last = max(1, -(-total // per_page))
    links = {"first": 1, "last": last}
    if page > 1:
        links["prev"] = min(page - 1, last)
    if page < last:
        links["next"] = page + 1
    return {
        "X-Total-Count": str(total),
        "Link": ", ".join(f'<{_link(p, per_page)}>; rel="{rel}"' for rel, p in links.items()),
    }
