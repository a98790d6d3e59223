"""Reads of assessments and actions that pages (and the home page) share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload, selectinload

from vendorguard.arrangements.access import can_manage, manage_permission, visible_to
from vendorguard.arrangements.models import Arrangement, ArrangementState
from vendorguard.assessments.models import Action, ActionStatus, Assessment, AssessmentResult
from vendorguard.auth.models import User
from vendorguard.auth.roles import PERMISSIONS
from vendorguard.core.web import like_pattern
from vendorguard.org.models import Department

BLOCK_ROWS = 10
REVIEW_WITHIN_DAYS = 30
TOTAL = func.count().over().label("total")


def owner_candidates(kind: str, keep_id: int | None = None) -> Select:
    """Active users who may be put in charge of an action on this kind of arrangement, by reading.

    Only roles that may change such an arrangement: the person in charge must be able to act.
    """
    roles = [role.value for role in PERMISSIONS[manage_permission(kind)]]
    usable = and_(User.archived_at.is_(None), User.active.is_(True), User.role.in_(roles))
    if keep_id is not None:
        usable = or_(usable, User.id == keep_id)
    return select(User).where(usable).order_by(User.name_kana, User.name, User.id)


# --- one arrangement --------------------------------------------------------------------------


def _with_people(stmt: Select) -> Select:
    return stmt.options(
        joinedload(Assessment.assessed_by),
        selectinload(Assessment.actions).joinedload(Action.owner),
        selectinload(Assessment.actions).joinedload(Action.closed_by),
    )


def history(arrangement_id: int, include_archived: bool = False) -> Select:
    """An arrangement's assessments, newest first, each with its actions and people loaded."""
    stmt = _with_people(select(Assessment).where(Assessment.arrangement_id == arrangement_id))
    if not include_archived:
        stmt = stmt.where(Assessment.archived_at.is_(None))
    return stmt.order_by(Assessment.assessed_on.desc(), Assessment.id.desc())


def assessment_detail(assessment_id: int) -> Select:
    """One assessment with its actions and the people named on them."""
    return _with_people(select(Assessment).where(Assessment.id == assessment_id))


def is_latest(assessment=Assessment) -> ColumnElement[bool]:
    """``assessment`` (the entity or an alias) is its arrangement's latest non-archived assessment."""
    newer = aliased(Assessment)
    return and_(
        assessment.archived_at.is_(None),
        ~exists(
            select(newer.id).where(
                newer.arrangement_id == assessment.arrangement_id,
                newer.archived_at.is_(None),
                or_(
                    newer.assessed_on > assessment.assessed_on,
                    and_(newer.assessed_on == assessment.assessed_on, newer.id > assessment.id),
                ),
            )
        ),
    )


def flagged_arrangement_ids() -> Select:
    """Arrangements whose latest assessment is 不適合 and still has open actions.

    Use as ``Arrangement.id.in_(flagged_arrangement_ids())`` in a list's query.
    """
    has_open = exists(
        select(Action.id).where(
            Action.assessment_id == Assessment.id, Action.status == ActionStatus.OPEN
        )
    )
    return select(Assessment.arrangement_id).where(
        is_latest(), Assessment.result == AssessmentResult.NONCONFORMING, has_open
    )


def is_flagged(session: Session, arrangement_id: int) -> bool:
    """Whether one arrangement is flagged (see :func:`flagged_arrangement_ids`)."""
    stmt = flagged_arrangement_ids().where(Assessment.arrangement_id == arrangement_id)
    return session.scalars(stmt.limit(1)).first() is not None


PANEL_ACTIONS = 10  # open actions an arrangement's page lists; its history page has them all


@dataclass
class Summary:
    """What ``assessments/_summary.html`` shows for one arrangement."""

    arrangement: Any
    latest: Assessment | None
    open_actions: list[Action]  # the first ``PANEL_ACTIONS``, soonest due first
    today: date
    may_record: bool
    open_count: int = 0
    overdue_count: int = 0  # of all open actions, not only those listed
    flagged: bool = False  # latest result 不適合 with open actions of that assessment


def summary_context(session: Session, arrangement, user, today: date) -> dict[str, Summary]:
    """Template context for ``assessments/_summary.html``, in one statement: the latest
    assessment joined to the first open actions of current assessments, with their counts."""
    current = select(Assessment.id).where(
        Assessment.arrangement_id == arrangement.id, Assessment.archived_at.is_(None)
    )
    newest = current.order_by(Assessment.assessed_on.desc(), Assessment.id.desc()).limit(1)
    latest_open = aliased(Action)
    flagged = and_(
        Assessment.result == AssessmentResult.NONCONFORMING,
        exists().where(
            latest_open.assessment_id == Assessment.id,
            latest_open.status == ActionStatus.OPEN,
        ),
    )
    rows = session.execute(
        select(
            Assessment,
            Action,
            func.count(Action.id).over(),
            func.coalesce(func.sum(case((Action.due_on < today, 1), else_=0)).over(), 0),
            flagged,
        )
        .outerjoin(
            Action,
            and_(
                Action.arrangement_id == arrangement.id,
                Action.status == ActionStatus.OPEN,
                Action.assessment_id.in_(current),
            ),
        )
        .where(Assessment.id == newest.scalar_subquery())
        .options(joinedload(Action.owner))
        .order_by(Action.due_on, Action.id)
        .limit(PANEL_ACTIONS)
    ).all()
    may_record = can_manage(user, arrangement) and not arrangement.is_archived
    summary = Summary(arrangement, None, [], today, may_record)
    if rows:
        latest, _action, open_count, overdue_count, is_flagged = rows[0]
        summary = Summary(
            arrangement,
            latest,
            [row[1] for row in rows if row[1] is not None],
            today,
            may_record,
            open_count,
            overdue_count,
            bool(is_flagged),
        )
    return {"assessment_summary": summary}


# --- the action list --------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFilters:
    """What a person can narrow the action list by (all optional)."""

    term: str = ""
    status: ActionStatus | None = ActionStatus.OPEN
    overdue: bool = False
    owner_id: int | None = None
    department_id: int | None = None
    kind: str | None = None  # a registered kind's value


def _actions() -> Select:
    """Actions of current assessments of live arrangements, with what a row shows loaded."""
    return (
        select(Action)
        .join(Assessment, Assessment.id == Action.assessment_id)
        .join(Arrangement, Arrangement.id == Action.arrangement_id)
        .join(Department, Department.id == Arrangement.department_id)
        .options(
            contains_eager(Action.assessment),
            contains_eager(Action.arrangement).contains_eager(Arrangement.department),
            joinedload(Action.owner),
        )
        .where(Assessment.archived_at.is_(None), Arrangement.archived_at.is_(None))
    )


def overdue(today: date) -> ColumnElement[bool]:
    """Open and due before ``today`` (pass Japan's date: ``core.timeutil.today_tokyo()``)."""
    return and_(Action.status == ActionStatus.OPEN, Action.due_on < today)


def action_list(user, filters: ActionFilters, today: date) -> Select:
    """Actions ``user`` may read, narrowed by ``filters``."""
    stmt = _actions().where(visible_to(user))
    if filters.term:
        pattern = like_pattern(filters.term)
        stmt = stmt.where(
            or_(
                Action.finding.ilike(pattern, escape="\\"),
                Arrangement.title.ilike(pattern, escape="\\"),
            )
        )
    if filters.status is not None:
        stmt = stmt.where(Action.status == filters.status)
    if filters.overdue:
        stmt = stmt.where(overdue(today))
    if filters.owner_id is not None:
        stmt = stmt.where(Action.owner_id == filters.owner_id)
    if filters.department_id is not None:
        stmt = stmt.where(Arrangement.department_id == filters.department_id)
    if filters.kind is not None:
        stmt = stmt.where(Arrangement.kind == filters.kind)
    return stmt


# --- home page blocks: rows with ``total`` (a window count), one query each --------------------


def overdue_actions_for_owner(user_id: int, today: date, limit: int = BLOCK_ROWS) -> Select:
    """Rows ``(Action, total)``: the user's own overdue actions, most overdue first."""
    return (
        _actions()
        .add_columns(TOTAL)
        .where(Action.owner_id == user_id, overdue(today))
        .order_by(Action.due_on, Action.id)
        .limit(limit)
    )


def reviews_due(
    today: date,
    department_id: int | None = None,
    viewer=None,
    within_days: int = REVIEW_WITHIN_DAYS,
    limit: int = BLOCK_ROWS,
) -> Select:
    """Rows ``(Arrangement, total)``: live arrangements whose next review date has passed or falls
    within ``within_days``, soonest first (department None: every department)."""
    stmt = (
        select(Arrangement, TOTAL)
        .options(joinedload(Arrangement.department))
        .where(
            Arrangement.archived_at.is_(None),
            Arrangement.state != ArrangementState.ENDED,
            Arrangement.next_review_on.is_not(None),
            Arrangement.next_review_on <= today + timedelta(days=within_days),
        )
    )
    if department_id is not None:
        stmt = stmt.where(Arrangement.department_id == department_id)
    if viewer is not None:
        stmt = stmt.where(visible_to(viewer))
    return stmt.order_by(Arrangement.next_review_on, Arrangement.id).limit(limit)
