"""Bulk paths of ``vg seed-scale``: batched Core inserts, explicit ids, audit events in the chain."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from vendorguard.audit import chain

ACTOR = "cli:seed-scale"
BATCH = 5_000


def table_of(model: Any) -> Table:
    """The model's table (typed as such for Core inserts)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def insert_rows(session: Session, model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Insert in batches of ``BATCH`` (one executemany each); return the number of rows."""
    table, batch, total = table_of(model), [], 0
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            session.execute(insert(table), batch)
            total, batch = total + len(batch), []
    if batch:
        session.execute(insert(table), batch)
        total += len(batch)
    return total


def next_id(session: Session, model: Any) -> int:
    """The first id after the table's largest (rows go in with explicit ids)."""
    return (session.scalar(select(func.max(table_of(model).c.id))) or 0) + 1


def reset_sequences(session: Session, models: Iterable[Any]) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move them past the largest id."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        name = table_of(model).name
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
            )
        )


class AuditBatch:
    """Collects audit events and appends them to the chain in batches."""

    def __init__(self, session: Session, limit: int, now: datetime) -> None:
        self.session, self.limit, self.now, self.written = session, limit, now, 0
        self.pending: list[dict[str, Any]] = []

    def add(self, action: str, object_type: Any, object_id: Any, label: Any, after: dict) -> None:
        """Queue one event (none past ``limit``); a full batch goes into the chain at once."""
        if self.written + len(self.pending) >= self.limit:
            return
        self.pending.append(
            {
                "occurred_at": self.now,
                "actor_id": None,
                "actor_label": ACTOR,
                "action": action,
                "object_type": object_type,
                "object_id": str(object_id),
                "object_label": label[:300],
                "before": None,
                "after": after,
                "remote_addr": None,
            }
        )
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Append the queued events to the hash chain."""
        chain.append(self.session.connection(), self.pending)
        self.written += len(self.pending)
        self.pending = []
