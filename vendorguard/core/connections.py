"""A pooled PostgreSQL connection whose server end has gone is replaced before a request uses it.

SQLAlchemy's ``pool_pre_ping`` does this with a ``SELECT 1`` on every checkout: one more round
trip on every request. A backend that has ended — PostgreSQL restarted, ``pg_terminate_backend``,
an idle timeout — sends its last message and closes its end of the socket, so an idle connection
in the pool that has anything to read is dead; a live one has nothing to read between the
requests' statements (every reply was read with its statement). The socket is polled without
waiting: a system call instead of a round trip. A connection with something else to read (a
``ParameterStatus`` after a server reload) is replaced too, which costs one new connection.

A connection the pool has just made is not checked: were a live connection ever to look dead (a
server that sends something unasked), each checkout would cost one new connection, never a failed
request.

What neither check catches — the server going away while the request runs, a network that drops
packets without closing the connection — fails that request either way.
"""

from __future__ import annotations

import select
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

_READY = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL
_FRESH = "vg_fresh"  # in a connection record's ``info`` (emptied when its connection is replaced)


def replace_dead_connections(engine: Engine) -> None:
    """Have ``engine``'s pool replace a checked-out connection whose server has gone (psycopg
    engines only: SQLite has no server)."""
    if engine.dialect.driver != "psycopg" or event.contains(
        engine, "checkout", _refuse_dead_connection
    ):
        return
    # SQLAlchemy's documented custom liveness check: DisconnectionError raised on checkout makes
    # the pool discard the connection and connect anew (up to three attempts). The listener
    # stays with the engine's next pool after ``dispose()``.
    event.listen(engine, "connect", _mark_fresh)
    event.listen(engine, "checkout", _refuse_dead_connection)


def _mark_fresh(dbapi_connection: Any, record: Any) -> None:
    record.info[_FRESH] = True


def _refuse_dead_connection(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    if record.info.pop(_FRESH, False):
        return  # just connected: nothing can have ended it yet
    if is_dead(getattr(dbapi_connection, "driver_connection", dbapi_connection)):
        raise exc.DisconnectionError("the server closed the connection")


def is_dead(connection: Any) -> bool:
    """Whether a psycopg connection between statements is closed, broken or has something to
    read (its server end closed)."""
    if connection.closed or connection.broken:
        return True
    poller = select.poll()
    poller.register(connection.pgconn.socket, _READY)
    return bool(poller.poll(0))
