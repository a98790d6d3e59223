"""``column IN (many values)`` as one statement with one parameter, whatever the number of values.

Chunked IN lists make a page's query count grow with its data (40,000 reminder keys = 80
queries). PostgreSQL takes the values as one array (``IN (SELECT unnest(:values))``); SQLite as one JSON text
read by ``json_each``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Integer, String, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement


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
