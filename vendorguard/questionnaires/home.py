"""The home page's self-check section: what to send and what to review, for whoever may change
the arrangements (a fixed number of queries)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from vendorguard.arrangements import access
from vendorguard.arrangements.models import Arrangement
from vendorguard.core.timeutil import fiscal_year
from vendorguard.questionnaires.models import (
    WAITING,
    QuestionnaireRequest,
    QuestionnaireTemplate,
    RequestStatus,
)

ROWS = 5


def _counted(session, stmt) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return session.scalars(stmt.limit(ROWS)).unique().all(), total or 0


def home(session, user, today: date) -> dict[str, Any]:
    """Arrangements without this year's self-check, submitted ones to review, overdue ones."""
    year = fiscal_year(today)
    kinds = select(QuestionnaireTemplate.applies_to).where(
        QuestionnaireTemplate.archived_at.is_(None)
    )
    to_send = (
        select(Arrangement)
        .where(
            access.managed_by(user),
            Arrangement.archived_at.is_(None),
            Arrangement.kind.in_(kinds),
            Arrangement.id.not_in(
                select(QuestionnaireRequest.arrangement_id).where(
                    QuestionnaireRequest.fiscal_year == year,
                    QuestionnaireRequest.status != RequestStatus.CANCELLED,
                )
            ),
        )
        .order_by(Arrangement.title, Arrangement.id)
    )
    base = (
        select(QuestionnaireRequest)
        .join(Arrangement, Arrangement.id == QuestionnaireRequest.arrangement_id)
        .where(access.managed_by(user))
        .options(
            joinedload(QuestionnaireRequest.arrangement), joinedload(QuestionnaireRequest.template)
        )
        .order_by(QuestionnaireRequest.due_on, QuestionnaireRequest.id)
    )
    review = base.where(QuestionnaireRequest.status == RequestStatus.SUBMITTED)
    overdue = base.where(
        QuestionnaireRequest.status.in_(WAITING), QuestionnaireRequest.due_on < today
    )
    return {
        "year": year,
        "to_send": _counted(session, to_send),
        "to_review": _counted(session, review),
        "overdue": _counted(session, overdue),
    }
