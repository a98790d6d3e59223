"""A marker that changes with every committed change to the city's records.

A page the process keeps (the home page, ``dashboard.kept``) is kept under the marker it was made
at and shown again only while the database still holds that marker; the marker is read by the
statement that loads the signed-in user, so checking it costs no round trip.

Every transaction that wrote to a table outside ``UNTRACKED`` writes a fresh random value into
``change_marker`` as its last statement, on its own connection, just before ``COMMIT``: the new
value becomes visible exactly when the change does. A reader that sees the old value may already
see the change in its later statements; it then keeps newer output under an older marker, which
costs one more render later, never a stale page. Taking the row's lock last means a writer never
waits for anything else while it holds it (no deadlock), and holds it only for its commit.

Writes are noticed where every statement passes, at the connection (``after_cursor_execute``):
ORM flushes, bulk ``insert()``/``update()``/``delete()`` statements and the audit chain's Core
statements alike. Textual SQL (``text("UPDATE …")``, which the app does not use for writes) and
writes that bypass SQLAlchemy altogether (psql, another program) are not; what is kept under a
marker is therefore also dropped after ``MAX_AGE`` seconds.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ScalarSelect, String, Table, event, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, mapped_column

from vendorguard.extensions import Model

RECORDS = "records"
MAX_AGE = 300  # seconds a kept page may outlive a change made outside the app
# Bookkeeping that changes nothing a kept page shows: the API's rate window, the login throttle,
# notifications being read or resolved, the progress of imports and bulk jobs, the marker itself,
# and the audit chain — every change to a record also writes the record's own table, so what the
# chain alone receives is sign-ins, sign-outs, downloads and exports. The one kept page that shows
# audit events (the auditor's home) is also keyed by the chain's head (``dashboard.kept``).
UNTRACKED = frozenset(
    {
        "change_marker",
        "api_rate_window",
        "login_failure",
        "notification",
        "import_batch",
        "import_run",
        "bulk_job",
        "audit_event",
        "audit_head",
    }
)
# Columns that are bookkeeping in a table of records: an UPDATE that sets these and nothing else
# renews nothing (a sign-in's "last signed in", the generation that ends a user's sessions).
BOOKKEEPING_COLUMNS = {"user_account": frozenset({"last_login_at", "session_generation"})}
UNTRACKED_OPTION = "vg_changes_untracked"  # execution option: the connection's writes renew nothing
_WROTE = "vg_wrote_records"  # in the DBAPI connection's info: this transaction wrote records
_UPDATE_QMARK = "UPDATE change_marker SET value = ? WHERE name = ?"
_UPDATE_FORMAT = "UPDATE change_marker SET value = %s WHERE name = %s"


class ChangeMarker(Model):
    """One row per marker; ``value`` is replaced by a random one with every committed change."""

    __tablename__ = "change_marker"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(32))


# A database made by ``create_all`` (the tests, scripts/screenshots) gets the row that
# the migration inserts, so it behaves as a migrated one.
@event.listens_for(ChangeMarker.__table__, "after_create")
def _first_marker(table: Table, connection: Connection, **_: Any) -> None:
    connection.execute(insert(table).values(name=RECORDS, value=fresh_value()))


def marker_value() -> ScalarSelect[str]:
    """The records marker, as a column to add to a statement the caller sends anyway."""
    return select(ChangeMarker.value).where(ChangeMarker.name == RECORDS).scalar_subquery()


def fresh_value() -> str:
    """A marker value no other state of any database shares."""
    return uuid.uuid4().hex


def track_record_changes(engine: Engine) -> None:
    """Make every transaction on ``engine`` that wrote records renew the marker as it commits."""
    if event.contains(engine, "commit", _renew):  # test apps share one engine per database URL
        return
    event.listen(engine, "after_cursor_execute", _note_write)
    event.listen(engine, "commit", _renew)
    event.listen(engine, "rollback", _forget)
    event.listen(engine, "reset", _forget_on_return)


def _note_write(
    conn: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> None:
    if context is None or not (context.isinsert or context.isupdate or context.isdelete):
        return
    if conn.get_execution_options().get(UNTRACKED_OPTION):
        return
    table = getattr(getattr(context.compiled, "statement", None), "table", None)
    name = getattr(table, "name", None)
    if name in UNTRACKED:
        return
    if context.isupdate and name in BOOKKEEPING_COLUMNS and table is not None:
        # SET values are bound under their column's key (ORM flush and Core alike); WHERE values
        # under other names. A statement whose SET cannot be read this way counts as a change.
        assigned = {key for key in context.compiled.params if key in table.c}
        if assigned and assigned <= BOOKKEEPING_COLUMNS[name]:
            return
    conn.info[_WROTE] = True


def _renew(conn: Connection) -> None:
    if not conn.info.pop(_WROTE, False):
        return
    update = _UPDATE_QMARK if conn.dialect.paramstyle == "qmark" else _UPDATE_FORMAT
    # The DBAPI cursor, not ``conn.execute``: this runs inside the connection's own commit.
    cursor = conn.connection.cursor()
    try:
        cursor.execute(update, (fresh_value(), RECORDS))
    finally:
        cursor.close()


def _forget(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)


def _forget_on_return(dbapi_connection: Any, record: Any, reset_state: Any) -> None:
    record.info.pop(_WROTE, None)
