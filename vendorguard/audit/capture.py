"""Session hooks that turn every change of an ``Audited`` model into an audit event.

Capturing in the flush, instead of asking each service to remember, means no create, update or
archive can slip past the trail, and the event is written in the same transaction as the change.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import InstanceState, Session, UOWTransaction

from vendorguard.audit import chain
from vendorguard.audit.context import Actor, current_actor
from vendorguard.audit.mixins import Audited
from vendorguard.core.timeutil import utcnow

_PENDING = "vendorguard.audit.pending"
_TAGS = "vendorguard.audit.tags"
_BATCH = "vendorguard.audit.batch"
BATCH_SIZE = 500


def jsonable(value: Any) -> Any:
    """Turn a column value into something JSON keeps exactly."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return value


def _state(obj: object) -> InstanceState[Any]:
    # Spelled out: without ``raiseerr`` SQLAlchemy's stubs pick the overload that may return None.
    state: InstanceState[Any] = inspect(obj, raiseerr=True)
    return state


def _masked(obj: Audited, key: str, value: Any) -> Any:
    return "***" if key in obj.__audit_exclude__ else jsonable(value)


def snapshot(obj: Audited) -> dict[str, Any]:
    """All column values of an object, sensitive ones masked."""
    state = _state(obj)
    return {
        attr.key: _masked(obj, attr.key, getattr(obj, attr.key))
        for attr in state.mapper.column_attrs
    }


def _stored_values(session: Session, obj: Audited, keys: list[str]) -> dict[str, Any]:
    """Values as they are in the database, for attributes changed while they were expired."""
    mapper = _state(obj).mapper
    columns = [mapper.column_attrs[key].columns[0] for key in keys]
    pk_columns = mapper.primary_key
    identity = _state(obj).identity
    if not identity:
        return {}
    # select_from the mapper's own selectable: for joined inheritance that is the base⋈subclass
    # join, so a subclass column and the base primary key do not form a cartesian product.
    stmt = (
        select(*columns)
        .select_from(mapper.persist_selectable)
        .where(*[col == value for col, value in zip(pk_columns, identity, strict=False)])
    )
    row = session.connection().execute(stmt).first()
    return dict(zip(keys, row, strict=False)) if row is not None else {}


def _changes(session: Session, obj: Audited) -> tuple[dict[str, Any], dict[str, Any]]:
    state = _state(obj)
    changed: dict[str, tuple[Any, Any]] = {}
    unknown_old: list[str] = []
    for attr in state.mapper.column_attrs:
        if attr.key in obj.__audit_ignore__:
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        new = history.added[0] if history.added else None
        if history.deleted:
            changed[attr.key] = (history.deleted[0], new)
        else:  # set while expired (after a commit): the old value was never loaded
            changed[attr.key] = (None, new)
            unknown_old.append(attr.key)
    if unknown_old:
        stored = _stored_values(session, obj, unknown_old)
        for key in unknown_old:
            changed[key] = (stored.get(key), changed[key][1])
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key, (old, new) in changed.items():
        if jsonable(old) == jsonable(new):
            continue
        before[key] = _masked(obj, key, old)
        after[key] = _masked(obj, key, new)
    return before, after


def object_type(obj: Any) -> str:
    """The table name that identifies an object's kind in the trail."""
    # Typed as any FROM clause; for the model's own Table the description is its name.
    return _state(obj).mapper.local_table.description


def tag(session: Session, obj: Audited, action: str) -> None:
    """Name the action the next flush of ``obj`` records (``approve`` instead of ``update``)."""
    obj = obj._get_current_object() if hasattr(obj, "_get_current_object") else obj  # current_user
    session.info.setdefault(_TAGS, {})[id(obj)] = action


def make_event(
    action: str,
    object_type_: str,
    object_id: Any,
    label: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actor: Actor | None = None,
) -> dict[str, Any]:
    """An event row (without its chain fields) for the given or current actor, now."""
    actor = actor or current_actor()
    return {
        "occurred_at": utcnow(),
        "actor_id": actor.user_id,
        "actor_label": actor.label,
        "action": action,
        "object_type": object_type_,
        "object_id": None if object_id is None else str(object_id),
        "object_label": (label or "")[:300],
        "before": before,
        "after": after,
        "remote_addr": actor.remote_addr,
    }


def _label(obj: Audited) -> str:
    return str(getattr(obj, obj.__audit_label__, "") or "")


@event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context: UOWTransaction, instances: object) -> None:
    pending = session.info.setdefault(_PENDING, [])
    tags = session.info.get(_TAGS, {})
    for obj in session.new:
        if isinstance(obj, Audited):
            pending.append((tags.pop(id(obj), "create"), obj, None, None))
    for obj in session.dirty:
        if not isinstance(obj, Audited) or not session.is_modified(obj, include_collections=False):
            continue
        before, after = _changes(session, obj)
        if not after:
            continue
        action = tags.pop(id(obj), None)
        if action is None:
            archived = "archived_at" in after and before.get("archived_at") is None
            restored = "archived_at" in after and after.get("archived_at") is None
            action = "archive" if archived else "restore" if restored else "update"
        pending.append((action, obj, before, after))
    for obj in session.deleted:
        if isinstance(obj, Audited):
            pending.append(("delete", obj, snapshot(obj), None))


@event.listens_for(Session, "after_flush_postexec")
def _write(session: Session, flush_context: UOWTransaction) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    events = []
    for action, obj, before, after in pending:
        if action == "create" or (before is None and after is None):
            after = snapshot(obj)
        identity = _state(obj).identity
        events.append(
            make_event(
                action,
                object_type(obj),
                identity[0] if identity else None,
                _label(obj),
                before,
                after,
            )
        )
    batch = session.info.get(_BATCH)
    if batch is None:
        chain.append(session.connection(), events)
        return
    batch.extend(events)
    if len(batch) >= BATCH_SIZE:
        write_batch(session)


@contextmanager
def batched(session: Session) -> Iterator[None]:
    """Within: events are chained ``BATCH_SIZE`` at a time instead of at every flush.

    The same events in the same order and the same transaction (written at the latest when the
    block ends normally), with the chain's head locked and updated once per batch instead of once
    per flush: a bulk job of ten thousand small flushes (the register import) saves four
    statements per flush. An exception drops what is not yet written, as the rollback it leads
    to drops the rest.
    """
    session.info[_BATCH] = []
    try:
        yield
        write_batch(session)
    finally:
        session.info.pop(_BATCH, None)


def write_batch(session: Session) -> None:
    """Chain and insert the events kept by ``batched`` so far."""
    batch = session.info.get(_BATCH)
    if batch:
        chain.append(session.connection(), batch)
        batch.clear()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_TAGS, None)
