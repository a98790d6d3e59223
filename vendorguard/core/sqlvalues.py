"""Values in SQL: ``column IN (many values)`` as one statement with one parameter, whatever the
number of values, and code constants written into a statement's text (``constants_written_in``).

Chunked IN lists make a page's query count grow with its data (40,000 reminder keys = 80
queries). PostgreSQL takes the values as one array (``IN (SELECT unnest(:values))``); SQLite as one JSON text
read by ``json_each``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from enum import Enum
from typing import Any, TypeVar, cast

from sqlalchemy import Integer, String, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter, ClauseElement, ColumnElement

# LIMIT and OFFSET values are bound as this subclass (SQLAlchemy 2.0); no public name exists.
from sqlalchemy.sql.selectable import _OffsetLimitParam

_Statement = TypeVar("_Statement", bound=ClauseElement)


def one_of(session: Session, column: Any, values: Iterable[int | str]) -> ColumnElement[bool]:
    """``column`` equals one of ``values`` (all ints or all strings), in one bound parameter."""
    values = sorted(set(values))
    kind = Integer() if values and isinstance(values[0], int) else String()
    if session.get_bind().dialect.name == "postgresql":
        # A semi-join with unnest, not "= ANY(array)": with 40,000 values the latter plans for half
        # a second and then scans the table; the join probes the column's index.
        found: ColumnElement[bool] = column.in_(
            select(func.unnest(bindparam(None, values, type_=ARRAY(kind))))
        )
        return found
    listed = func.json_each(json.dumps(values, ensure_ascii=False)).table_valued("value")
    listed_in: ColumnElement[bool] = column.in_(select(listed.c.value))
    return listed_in


# A code constant that may be written into SQL as it is: lower-case words (enum values, kinds).
_WORD = re.compile(r"[a-z_][a-z0-9_]{0,59}|")


def constants_written_in(statement: _Statement) -> _Statement:
    """``statement`` with its code constants written into the SQL instead of bound: enum members
    and lower-case words (statuses, kinds, an empty string) and its LIMIT / OFFSET numbers. Dates,
    ids and anything else stay parameters.

    psycopg prepares a statement once it has run five times on a connection, and PostgreSQL may
    then plan it once for any parameters. A generic plan knows nothing of a bound status or
    limit: it cannot use a partial index whose predicate names the statuses, nor walk an index for
    five rows. Planned for the values instead, the home page's join of eight tables spent 3.5 ms
    planning to run 0.2 ms. With the constants written in, the generic plan is as good, and the
    planning is done once per connection. For statements whose constants do not come from the
    reader (the home page's, built per user and day): a search term must stay bound.
    """

    def written(element: Any, **_: Any) -> Any:
        if not isinstance(element, BindParameter) or element.callable is not None:
            return None
        value = element.value
        if isinstance(element, _OffsetLimitParam):
            return literal_column(str(int(value)), element.type) if type(value) is int else None
        if element.expanding:
            words = [_word(item) for item in value or ()]
            if not words or any(word is None for word in words):
                return None
            return literal_column("(" + ", ".join(f"'{word}'" for word in words) + ")")
        word = _word(value)
        return None if word is None else literal_column(f"'{word}'", element.type)

    return cast(_Statement, visitors.replacement_traverse(statement, {}, written))


def _word(value: Any) -> str | None:
    text = value.value if isinstance(value, Enum) else value
    if isinstance(text, str) and _WORD.fullmatch(text):
        return text
    return None
