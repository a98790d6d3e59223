"""Keep ``EvidenceStanding`` equal to what the evidence says, in the transaction that changes it.

The home page's chart counts, per department, the arrangements whose evidence needs attention
(an unsettled request due by today) and those without a requirement in use. Computed from the
requests that walks every live arrangement's requests (500,000 at city scale); kept per
arrangement it is one narrow row each. As in ``tiers.events``, the session notes which
arrangements a flush touched through their requests or requirements (every write path goes through
the ORM) and recomputes them just before the commit. The standing keeps the earliest due date, not
a flag, so a due date passing changes nothing stored: no daily job is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Insert, Select, event, exists, func, inspect, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement
from vendorguard.evidence.models import (
    UNSETTLED,
    EvidenceRequest,
    EvidenceRequirement,
    EvidenceStanding,
)

_PENDING = "vendorguard.evidence.standing.pending"
WATCHED: dict[type, tuple[str, ...]] = {
    EvidenceRequest: ("status", "due_on", "arrangement_id"),
    EvidenceRequirement: ("archived_at", "arrangement_id"),
}
BATCH = 500  # arrangements per recomputing statement


def computed() -> Select:
    """Every arrangement's standing computed from scratch: ``(arrangement_id, due_from, in_use)``."""
    due_from = (
        select(func.min(EvidenceRequest.due_on))
        .where(
            EvidenceRequest.arrangement_id == Arrangement.id,
            EvidenceRequest.status.in_(list(UNSETTLED)),
        )
        .scalar_subquery()
    )
    in_use = exists().where(
        EvidenceRequirement.arrangement_id == Arrangement.id,
        EvidenceRequirement.archived_at.is_(None),
    )
    return select(Arrangement.id, due_from, in_use)


def _upsert(session: Session, rows: Select) -> Insert:
    """Write ``rows`` (``computed()`` filtered) over the stored ones.

    An upsert, not a delete and an insert: two transactions recomputing one arrangement at once
    (a submission and a review of the same contract) would otherwise both insert its row after
    deleting the old one, and the second commit would fail on the key. Every arrangement gets a
    row from ``computed()``, so nothing needs deleting (rows go with their arrangement).
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(EvidenceStanding).from_select(
        ["arrangement_id", "due_from", "in_use"], rows
    )
    return stmt.on_conflict_do_update(
        index_elements=["arrangement_id"],
        set_={"due_from": stmt.excluded.due_from, "in_use": stmt.excluded.in_use},
    )


def recompute(session: Session, arrangement_ids: Iterable[int]) -> None:
    """Rewrite the standing of these arrangements from their requests and requirements."""
    ids = sorted(set(arrangement_ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        session.execute(_upsert(session, computed().where(Arrangement.id.in_(chunk))))


def recompute_all(session: Session) -> None:
    """Rewrite every arrangement's standing: after bulk loads that bypass the ORM (seeding), and
    daily (``vg evidence-schedule``), so that a standing two concurrent writers left behind the
    evidence is put right."""
    # SQLite needs a WHERE to tell INSERT … SELECT from the upsert's ON CONFLICT
    session.execute(_upsert(session, computed().where(true())))


def _touched(obj: Any) -> set[Any]:
    """Arrangement ids whose standing ``obj``'s pending change may alter (old and new owner)."""
    attributes = WATCHED[type(obj)]
    state = inspect(obj)
    histories = {name: state.attrs[name].history for name in attributes}
    if not any(history.has_changes() for history in histories.values()):
        return set()
    owner = histories["arrangement_id"]
    return {i for i in (*owner.deleted, *owner.unchanged, *owner.added) if i is not None}


def _load_old_owner(target: Any, value: Any, oldvalue: Any, initiator: Any) -> None:
    """Nothing to do: listening with ``active_history`` makes the ORM load the old arrangement id
    before a move, so ``_touched`` recomputes the arrangement a row leaves as well."""


for _owner in (EvidenceRequest.arrangement_id, EvidenceRequirement.arrangement_id):
    event.listen(_owner, "set", _load_old_owner, active_history=True)


@event.listens_for(Session, "before_flush")
def _note(session: Session, flush_context: Any, instances: Any) -> None:
    pending: set[Any] = session.info.setdefault(_PENDING, set())
    for obj in session.new:
        if type(obj) in WATCHED:
            pending.add(obj)  # its arrangement id may be set only by the flush: resolved later
    for obj in session.dirty:
        if type(obj) in WATCHED:
            pending |= _touched(obj)
    for obj in session.deleted:
        if type(obj) in WATCHED:
            pending.add(obj.arrangement_id)
    if not pending:
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "before_commit")
def _recompute(session: Session) -> None:
    for _round in range(3):  # a commit's flush may note more; bounded like ``tiers.events``
        session.flush()
        pending = session.info.pop(_PENDING, None)
        if not pending:
            return
        ids = {item if isinstance(item, int) else item.arrangement_id for item in pending}
        ids.discard(None)
        recompute(session, ids)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_soft(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_PENDING, None)
