"""Values in SQL: ``column IN (many values)`` as one statement with one parameter, whatever the
number of values, and code constants written into a statement's text (``constants_written_in``).

Chunked IN lists make a page's query count grow with its data (40,000 reminder keys = 80
queries). PostgreSQL takes the values as one array (``IN (SELECT unnest(:values))``); SQLite as one JSON text
read by ``json_each``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import Engine, Integer, String, bindparam, event, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import Executable

_Statement = TypeVar("_Statement", bound=Executable)


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
WRITE_CONSTANTS = "vg_write_constants"  # execution option read by ``write_constants_in_sql``
_LIMITS = re.compile(r"param_\d+")  # SQLAlchemy's name for an anonymous value: LIMIT, OFFSET


def constants_written_in(statement: _Statement) -> _Statement:
    """``statement``, marked to be sent with its code constants written into the SQL instead of
    bound (on PostgreSQL, by ``write_constants_in_sql``): lower-case words (statuses, kinds, an
    empty string) and its anonymous numbers (LIMIT, OFFSET). Dates, ids and any other text stay
    parameters.

    psycopg prepares a statement once it has run five times on a connection, and PostgreSQL may
    then plan it once for any parameters. A generic plan knows nothing of a bound status or
    limit: it cannot use a partial index whose predicate names the statuses, nor walk an index for
    five rows. Planned for the values instead, the home page's join of eight tables spent 3.5 ms
    planning to run 0.2 ms. With the constants written in, the generic plan is as good, and the
    planning is done once per connection. For statements whose constants do not come from the
    reader (the home page's, built per user and day): a search term must stay bound.

    The SQL is rewritten as it is sent, not the statement tree: copying the home page's counts
    statement to replace its parameters cost a new user's first view 6 ms.
    """
    return statement.execution_options(**{WRITE_CONSTANTS: True})


def write_constants_in_sql(engine: Engine) -> None:
    """Make ``engine`` write the constants of statements marked by ``constants_written_in`` into
    their SQL (PostgreSQL with psycopg's named parameters; elsewhere nothing changes)."""
    if engine.dialect.name == "postgresql" and engine.dialect.paramstyle == "pyformat":
        if not event.contains(engine, "before_cursor_execute", _written):
            event.listen(engine, "before_cursor_execute", _written, retval=True)


def _written(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> tuple[str, Any]:
    if (
        executemany
        or context is None
        or not isinstance(parameters, dict)
        or not context.execution_options.get(WRITE_CONSTANTS)
    ):
        return statement, parameters
    literals = {}
    kept = {}
    for name, value in parameters.items():
        literal = _literal(name, value)
        if literal is None:
            kept[name] = value
        else:
            literals[name] = literal
    return _rewritten(statement, tuple(literals.items())), kept


# (``%%`` is a percent sign the driver unescapes: matched to be left alone, never read as a name)
_PLACEHOLDER = re.compile(r"%%|%\((\w+)\)s")
_REWRITTEN_KEPT = 512  # texts: a page's few statements for each role, scope and day


@functools.lru_cache(maxsize=_REWRITTEN_KEPT)
def _rewritten(statement: str, literals: tuple[tuple[str, str], ...]) -> str:
    """``statement`` with the named placeholders in ``literals`` replaced by their text, in one
    pass (the home page's counts statement has ~130 of them: one ``str.replace`` per value read its
    20 KB that many times, 2–3 ms a view) and kept for the next view, which sends the same text."""
    by_name = dict(literals)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return match.group(0) if name is None else by_name.get(name, match.group(0))

    return _PLACEHOLDER.sub(replace, statement)


def _literal(name: str, value: Any) -> str | None:
    if type(value) is int and _LIMITS.fullmatch(name):
        return str(value)
    # (the app's enums are StrEnums: a status arrives here as its string)
    if isinstance(value, str) and _WORD.fullmatch(value):
        return f"'{value}'"
    return None
