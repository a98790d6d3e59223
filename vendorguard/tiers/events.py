"""Recompute a tier whenever a commit changed what it is computed from, whatever the page or command.

The inputs live in three tables other features write (the engagement, its information items, its
subcontractors, including the subcontracting chain other features maintain), so instead of every
save path calling us, the session notes which engagements' inputs a flush touched and, just before
the commit, recomputes them in the same transaction (the commit's own flush writes the result and
its audit events). A rolled-back transaction forgets what it noted.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from vendorguard.audit.context import acting_as, current_actor
from vendorguard.core.timeutil import today_tokyo
from vendorguard.engagements.models import Engagement, InformationItem, Subcontractor

_PENDING = "vendorguard.tiers.pending"
_ACTOR = "vendorguard.tiers.actor"
INPUTS = (
    "handles_personal_info",
    "handles_my_number",
    "personal_info_volume",
    "remote_access",
    "segment_my_number",
    "segment_lgwan",
    "segment_internet",
    "subcontracting_allowed",
)
MAX_ROUNDS = 3  # recomputing flushes; anything it marks again is handled, a bounded number of times


def _engagement_id(obj: Any) -> int | None:
    if isinstance(obj, Engagement):
        return obj.id
    if isinstance(obj, InformationItem | Subcontractor):
        return obj.engagement_id
    return None


def _inputs_changed(obj: Engagement) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in INPUTS)


@event.listens_for(Session, "before_flush")
def _note(session: Session, flush_context: Any, instances: Any) -> None:
    pending: set[Any] = session.info.setdefault(_PENDING, set())
    before = len(pending)
    for obj in session.new:
        if isinstance(obj, Engagement | InformationItem | Subcontractor):
            pending.add(obj)  # new rows have no id yet: resolved before the commit
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, Engagement) and not _inputs_changed(obj):
            continue
        engagement_id = _engagement_id(obj)
        if engagement_id is not None:
            pending.add(engagement_id)
    if len(pending) > before and not has_request_context():
        # A command may commit after leaving ``acting_as``: the recomputation is still its doing.
        session.info.setdefault(_ACTOR, current_actor())


@event.listens_for(Session, "before_commit")
def _recompute(session: Session) -> None:
    actor = session.info.pop(_ACTOR, None)
    if actor is None:
        _recompute_noted(session)
        return
    with acting_as(actor.label, actor.user_id):
        _recompute_noted(session)


def _recompute_noted(session: Session) -> None:
    from vendorguard.tiers.services import recompute

    for _round in range(MAX_ROUNDS):
        session.flush()  # ids of new rows, and a last chance to note changes
        pending = session.info.pop(_PENDING, None)
        if not pending:
            return
        ids = {item if isinstance(item, int) else _engagement_id(item) for item in pending}
        ids.discard(None)
        if ids:
            recompute(session, [i for i in ids if i is not None], today_tokyo())


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_ACTOR, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_soft(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_ACTOR, None)
