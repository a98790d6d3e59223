"""PostgreSQL connections keep their prepared statements when a transaction rolls back.

psycopg prepares a statement on a connection once it has run there five times; PostgreSQL then
skips parsing it and, once it settles on a generic plan, planning it (the home page's counts
statement spent ~8 ms per view in the planner). But psycopg forgets every prepared statement on
``rollback()``, in case the rollback undid DDL the statements depend on, and every request ends
by rolling its session back: no statement ever reached its fifth run, and every request planned
every statement again. The app runs no DDL outside migrations, which commit (and psycopg still
forgets its statements after a DROP or ALTER it runs), so a rollback here is a plain ``ROLLBACK``
that leaves psycopg's cache as it is. Anything unusual about the connection's state takes
psycopg's own ``rollback()``.
"""

from __future__ import annotations

from typing import Any

from psycopg import pq
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

_GENERIC_PLANS = text("SET LOCAL plan_cache_mode = force_generic_plan")


def keep_prepared_statements(engine: Engine) -> None:
    """Make ``engine``'s rollbacks keep psycopg's prepared statements (psycopg engines only)."""
    dialect = engine.dialect
    if dialect.driver != "psycopg" or getattr(dialect, "_keeps_prepared", False):
        return
    plain_rollback = dialect.do_rollback

    def do_rollback(dbapi_connection: Any) -> None:
        if not _rolled_back(getattr(dbapi_connection, "driver_connection", dbapi_connection)):
            plain_rollback(dbapi_connection)

    # The dialect object belongs to this engine alone; its class and other engines are untouched.
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]
    dialect._keeps_prepared = True  # type: ignore[attr-defined]


def _rolled_back(connection: Any) -> bool:
    """Roll ``connection`` back with a plain ROLLBACK; False if psycopg's own way is needed."""
    status = connection.info.transaction_status
    if status == pq.TransactionStatus.IDLE:
        return True  # nothing to end (the pool's reset after the session's own rollback)
    if status not in (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR):
        return False  # a command still running, or a broken connection: psycopg reports it
    with connection.lock:
        result = connection.pgconn.exec_(b"ROLLBACK")
    return bool(
        result.status == pq.ExecStatus.COMMAND_OK
        and connection.info.transaction_status == pq.TransactionStatus.IDLE
    )


def generic_plans_here(session: Session) -> None:
    """Have PostgreSQL use its generic plan for every statement for the rest of this transaction
    (``SET LOCAL plan_cache_mode``; nothing on other databases).

    For statements whose constants are written in (``core.sqlvalues.constants_written_in``) the
    generic plan is as good as one made for the values, and it is made once per connection. Left
    to choose, PostgreSQL kept planning the home page's counts for a whole city afresh at every
    view: 4 ms of planning to run 4 ms, because its estimate of the generic plan was the higher.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_GENERIC_PLANS)
