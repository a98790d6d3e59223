"""The assurance state an arrangement page's evidence panel shows: its first few items and counts.

The same rule as ``assurance._states`` (which the evidence page and the lists use), applied in
the database: each open request and each latest accepted evidence near or past its valid-until
date gets its kind's rank, the first ``shown`` in the panel's order are read, and the rest only
counted — the panel no longer reads every problem request of the arrangement to show five.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import case, func, select, true, union_all
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement
from vendorguard.evidence.assurance import (
    BLOCKING,
    EXPIRING_DAYS,
    WARNING,
    AssuranceItem,
    AssuranceState,
    _latest_accepted,
    _open_requests,
    _with_requirements,
)
from vendorguard.evidence.models import RequestStatus

_KINDS = BLOCKING + WARNING
_RANK = {kind: n for n, kind in enumerate(_KINDS)}


def panel_state(
    session: Session, arrangement: Arrangement, today: date, shown: int = 5
) -> AssuranceState:
    """The assurance state of one arrangement with only its first ``shown`` items, one statement."""
    ids = [arrangement.id]
    opened = _open_requests(ids, today).subquery()
    accepted = _latest_accepted(ids).cte("accepted")
    soon = today + timedelta(days=EXPIRING_DAYS)
    rejected = case((opened.c.due_on <= today, _RANK["rejected"]), else_=_RANK["rejected_upcoming"])
    items = union_all(
        select(
            case(
                (opened.c.status == RequestStatus.REJECTED, rejected),
                (opened.c.status == RequestStatus.SUBMITTED, _RANK["submitted"]),
                (opened.c.due_on < today, _RANK["overdue"]),
                else_=_RANK["due_today"],
            ).label("rank"),
            opened.c.id.label("request_id"),
            opened.c.due_on.label("on"),
            opened.c.occurrence,
            opened.c.title,
        ),
        select(
            case((accepted.c.valid_until < today, _RANK["expired"]), else_=_RANK["expiring"]),
            accepted.c.request_id,
            accepted.c.valid_until,
            accepted.c.occurrence,
            accepted.c.title,
        ).where(accepted.c.valid_until <= soon),  # no valid-until date: never expires
    ).cte("items")
    first = (
        select(items)
        .order_by(items.c.rank, items.c.on, items.c.title, items.c.request_id)
        .limit(shown)
        .subquery("first")
    )
    counts = select(
        _with_requirements(ids).exists().label("required"),
        select(accepted.c.request_id).exists().label("has_accepted"),
        select(func.count()).select_from(items).scalar_subquery().label("total"),
        select(func.count())
        .select_from(items)
        .where(items.c.rank < len(BLOCKING))
        .scalar_subquery()
        .label("problems"),
    ).subquery("counts")
    rows = session.execute(
        select(counts, first)
        .select_from(counts.outerjoin(first, true()))
        .order_by(first.c.rank, first.c.on, first.c.title, first.c.request_id)
    ).all()
    head = rows[0]
    state = AssuranceState(arrangement.id, total=head.total, problem_total=head.problems)
    state.items = [
        AssuranceItem(_KINDS[row.rank], row.title, row.on, row.request_id, row.occurrence)
        for row in rows
        if row.rank is not None
    ]
    if not head.required:
        state.status = "none"
    elif head.problems:
        state.status = "attention"
    elif head.has_accepted:
        state.status = "confirmed"
    else:
        state.status = "pending"
    return state
