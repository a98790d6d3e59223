"""Many rows into a PostgreSQL table by ``COPY`` (a sweep's outbox rows, the upcoming plan).

``COPY`` takes tens of thousands of rows in one round trip where an ``executemany`` sends one
``INSERT`` per row; the server parses each value with its column's input function, so values are
written as text: JSON dumped, enum members by value (psycopg would write an Enum's *name*).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session


def _plain(value: Any, is_json: bool) -> Any:
    if is_json:
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Enum):
        return value.value
    return value


def copy_rows(
    session: Session,
    table: str,
    columns: Sequence[str],
    rows: Iterable[dict[str, Any]],
    json_columns: frozenset[str] = frozenset(),
) -> None:
    """``COPY table (columns) FROM STDIN`` on the session's connection (its transaction)."""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    flags = [name in json_columns for name in columns]
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([_plain(row[name], j) for name, j in zip(columns, flags, strict=True)])
