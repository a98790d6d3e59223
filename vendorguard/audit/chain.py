"""Appending to and verifying the hash chain. Works on a Connection so it can run inside a flush.

Version 2 rows (everything written since the chain was keyed) carry an HMAC-SHA256 with the audit
key (``audit/keys.py``, kept outside the database) over their fields, their version and the
previous row's hash; version 1 rows (written before) a plain sha256. Once a keyed row exists no
unkeyed row may follow it, so re-forging any row — a legacy one too, since the first keyed row
covers its hash — needs the key.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, Update, bindparam, insert, select, union_all, update
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from vendorguard.audit.keys import audit_key
from vendorguard.audit.models import AuditEvent, AuditHead

GENESIS = "0" * 64
KEYED = 2  # the chain version written now
_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "before",
    "after",
    "remote_addr",
    "prev_hash",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def event_hash(row: dict[str, Any], key: bytes | None = None) -> str:
    """The hash of one event's fields, including the previous event's hash: HMAC-SHA256 with
    ``key`` for keyed rows (chain version 2), sha256 for the rows written before keying."""
    payload = {name: _canonical(row.get(name)) for name in _FIELDS}
    version = row.get("chain_version") or 1
    if version >= KEYED:
        if not key:
            raise ValueError("a keyed audit row needs the audit key")
        payload["chain_version"] = version
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _table(model: type[AuditEvent] | type[AuditHead]) -> Table:
    """The model's table (SQLAlchemy types ``__table__`` as any FROM clause)."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


# Up to this many events go in as one INSERT … SELECT (14 parameters each, far below
# PostgreSQL's 65,535); bulk writes use executemany.
_ONE_STATEMENT_EVENTS = 100


@functools.lru_cache(maxsize=_ONE_STATEMENT_EVENTS)
def _events_with_head(count: int, names: tuple[str, ...]) -> Update:
    """The head's UPDATE with the INSERT of ``count`` events (columns ``names``) in its WITH, the
    values bound by name (``<column>_<n>``, ``head_seq``, ``head_hash``). SQLAlchemy caches its
    compiled form; rows given as a multi-row VALUES it compiles afresh every time."""
    events_table, head_table = _table(AuditEvent), _table(AuditHead)
    rows = [
        select(*[bindparam(f"{name}_{n}", type_=events_table.c[name].type) for name in names])
        for n in range(count)
    ]
    add_events = insert(events_table).from_select(
        names, rows[0] if count == 1 else union_all(*rows), include_defaults=False
    )
    return (
        update(head_table)
        .where(head_table.c.id == 1)
        .values(seq=bindparam("head_seq"), hash=bindparam("head_hash"))
        .add_cte(add_events.cte("new_events"))
    )


def _with_every_default(names: tuple[str, ...]) -> bool:
    """Whether events with columns ``names`` give every column that has a default in the model
    (``_events_with_head`` adds none: a missing one takes the literal path, which does)."""
    columns = _table(AuditEvent).columns
    return all(column.name in names for column in columns if column.default is not None)


@functools.cache
def _stored_defaults() -> dict[str, Any]:
    """Hashed columns the table fills with a plain value when an event leaves them out."""
    columns = _table(AuditEvent).columns
    defaults = {name: columns[name].default for name in _FIELDS}
    return {
        name: default.arg
        for name, default in defaults.items()
        if isinstance(default, ScalarElementColumnDefault)
    }


def append(conn: Connection, events: Iterable[dict[str, Any]], key: bytes | None = None) -> None:
    """Chain and insert events (keyed with ``key``, by default this installation's audit key).
    The head row is locked first, so concurrent writers queue up."""
    events = list(events)
    if not events:
        return
    head_table = _table(AuditHead)
    # An UPDATE takes the write lock on SQLite and the row lock on PostgreSQL before we read;
    # RETURNING reads the head in the same round trip.
    head = conn.execute(
        update(head_table)
        .where(head_table.c.id == 1)
        .values(seq=head_table.c.seq)
        .returning(head_table.c.seq, head_table.c.hash)
    ).first()
    if head is None:
        conn.execute(insert(head_table).values(id=1, seq=0, hash=GENESIS))
        seq, prev = 0, GENESIS
    else:
        seq, prev = head
    key = key or audit_key()
    rows = []
    for event in events:
        seq += 1
        # hash what the row will hold: a left-out column that the table defaults is hashed with
        # its default, not as None (verify reads the stored value)
        row = {**_stored_defaults(), **event, "seq": seq, "prev_hash": prev, "chain_version": KEYED}
        row["hash"] = prev = event_hash(row, key)
        rows.append(row)
    add_events = insert(_table(AuditEvent))
    move_head = update(head_table).where(head_table.c.id == 1).values(seq=seq, hash=prev)
    names = tuple(rows[0])
    if (
        conn.dialect.name == "postgresql"
        and len(rows) <= _ONE_STATEMENT_EVENTS
        and all(tuple(row) == names for row in rows)
        and _with_every_default(names)
    ):
        # PostgreSQL runs an INSERT inside WITH exactly once, referenced or not: the events and
        # the new head go in one round trip (every audited transaction pays this).
        parameters = {f"{name}_{n}": row[name] for n, row in enumerate(rows) for name in names}
        conn.execute(
            _events_with_head(len(rows), names), {**parameters, "head_seq": seq, "head_hash": prev}
        )
    else:
        conn.execute(add_events, rows)
        conn.execute(move_head)


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the chain does not hold.

    ``code`` is one of ``removed``, ``previous_altered``, ``altered`` (for people: translate it);
    ``reason`` is the English detail for logs and the command line.
    """

    seq: int
    event_id: int | None
    reason: str
    code: str = "altered"

    def __str__(self) -> str:
        where = f"seq {self.seq}" + (f" (id {self.event_id})" if self.event_id is not None else "")
        return f"{where}: {self.reason}"


def _rows(conn: Connection) -> Iterator[dict[str, Any]]:
    table = AuditEvent.__table__
    result = conn.execute(select(table).order_by(table.c.seq).execution_options(yield_per=2000))
    for row in result.mappings():
        yield dict(row)


def verify(conn: Connection, key: bytes | None = None) -> tuple[int, ChainProblem | None]:
    """Walk the chain; return how many rows were checked and the first problem, if any."""
    key = key or audit_key()
    expected_seq, prev, count, keyed = 1, GENESIS, 0, False
    for row in _rows(conn):
        if row["seq"] != expected_seq:
            return count, ChainProblem(
                expected_seq,
                None,
                f"removed (next row present is seq {row['seq']}, id {row['id']})",
                "removed",
            )
        if row["prev_hash"] != prev:
            return count, ChainProblem(
                row["seq"],
                row["id"],
                "previous hash does not match: a row before it was altered or removed",
                "previous_altered",
            )
        occurred = row["occurred_at"]
        if isinstance(occurred, datetime) and occurred.tzinfo is None:
            row["occurred_at"] = occurred.replace(tzinfo=UTC)
        version = row.get("chain_version") or 1
        if keyed and version < KEYED:
            return count, ChainProblem(
                row["seq"],
                row["id"],
                "altered (an unkeyed row after keyed ones: rewritten without the key)",
                "altered",
            )
        keyed = keyed or version >= KEYED
        if not hmac.compare_digest(event_hash(row, key), row["hash"]):
            return count, ChainProblem(
                row["seq"], row["id"], "altered (its content no longer matches its hash)", "altered"
            )
        prev, expected_seq, count = row["hash"], expected_seq + 1, count + 1
    head = (
        conn.execute(select(AuditHead.__table__).where(AuditHead.__table__.c.id == 1))
        .mappings()
        .first()
    )
    head_seq, head_hash = (head["seq"], head["hash"]) if head else (0, GENESIS)
    if head_seq != count or head_hash != prev:
        return count, ChainProblem(
            count + 1,
            None,
            f"removed (the chain head records {head_seq} rows, {count} found)",
            "removed",
        )
    return count, None
