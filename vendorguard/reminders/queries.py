"""Reads of the outbox that pages share: a person's notifications, the admin's sent and failed lists."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    ScalarSelect,
    Select,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute

from vendorguard.auth.models import User
from vendorguard.core.web import like_pattern
from vendorguard.extensions import db
from vendorguard.reminders.models import Channel, DeliveryStatus, Notification

# What a person sees in the app: their e-mail rows, except those replaced before they went out.
# Parked rows could not be rendered: they live on the admin's failed page, not in anyone's list.
VISIBLE = (
    Notification.channel == Channel.EMAIL,
    Notification.status.notin_([DeliveryStatus.SUPERSEDED, DeliveryStatus.PARKED]),
)
QUEUED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.BATCHED)


# The badge says "99+" past this: counting a person's 5,000 unread rows on every page is waste.
UNREAD_BOUND = 99
QUEUE_COUNT_BOUND = 10_000


def _bounded_unread(owner: ColumnElement[int] | InstrumentedAttribute[int]) -> Select:
    # Counting the rows of a LIMITed subquery stops at the bound.
    unread = (
        select(Notification.id)
        .where(Notification.user_id == owner, Notification.read_at.is_(None), *VISIBLE)
        .limit(UNREAD_BOUND + 1)
        .correlate(User)
        .subquery()
    )
    return select(func.count()).select_from(unread)


def unread_count(user_id: int | None) -> int:
    """How many of the user's notifications are unread, counted up to ``UNREAD_BOUND`` + 1
    (for the badge in the header: more than the bound shows as "99+")."""
    if not user_id:
        return 0
    return db.session.scalar(_bounded_unread(literal(user_id))) or 0


def unread_count_alongside_user() -> ScalarSelect[int]:
    """``unread_count`` as a scalar subquery correlated to the ``User`` row a statement loads
    (the badge is read with the signed-in user: no statement of its own)."""
    return _bounded_unread(User.id).scalar_subquery()


def notifications_for(user_id: int, unread_only: bool = False, today: date | None = None) -> Select:
    """The user's notifications as a to-do list: open ones first, the overdue among them first,
    then by the date they are about (soonest first), then newest; resolved ones after, newest first."""
    stmt = select(Notification).where(Notification.user_id == user_id, *VISIBLE)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    resolved = case((Notification.resolved_at.is_(None), 0), else_=1)
    if today is None:
        return stmt.order_by(resolved, Notification.created_at.desc(), Notification.id.desc())
    # open: overdue (date passed) 0, dated 1, undated 2; resolved ones keep their date out of it
    urgency = case(
        (Notification.resolved_at.is_not(None), 3),
        (Notification.target_on < today, 0),
        (Notification.target_on.is_not(None), 1),
        else_=2,
    )
    due = case((Notification.resolved_at.is_(None), Notification.target_on), else_=None)
    return stmt.order_by(
        resolved,
        urgency,
        due.asc().nulls_last(),
        Notification.created_at.desc(),
        Notification.id.desc(),
    )


def latest_unread(user_id: int, limit: int = 5) -> Select:
    """The user's newest unread notifications (for the home page)."""
    stmt = select(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None), *VISIBLE
    )
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)


def outbox_list(statuses, term: str = "", channel: str = "", kind: str = "") -> Select:
    """Outbox rows in the given statuses with their recipient's name, filtered."""
    # The name is a scalar subquery, not a join: the page's keys then come from the
    # (status, sent_at, id) index alone (PostgreSQL 15 reads the table for a removed join's key).
    user_name = select(User.name).where(User.id == Notification.user_id).scalar_subquery()
    stmt = select(Notification, user_name.label("user_name")).where(
        Notification.status.in_(list(statuses))
    )
    if channel in {c.value for c in Channel}:
        stmt = stmt.where(Notification.channel == channel)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    if term:
        pattern = like_pattern(term)
        named = select(User.id).where(User.name.ilike(pattern, escape="\\"))
        stmt = stmt.where(
            or_(
                Notification.email.ilike(pattern, escape="\\"),
                Notification.user_id.in_(named),
                Notification.dedup_key.ilike(pattern, escape="\\"),
            )
        )
    return stmt


def retrying() -> Select:
    """Rows that failed at least once and will be tried again."""
    return (
        select(Notification, User.name.label("user_name"))
        .outerjoin(User, User.id == Notification.user_id)
        .where(Notification.status == DeliveryStatus.PENDING, Notification.attempts > 0)
    )


def queue_counts() -> CompoundSelect:
    """How many rows wait in each status, each counted up to ``QUEUE_COUNT_BOUND`` + 1 (a sweep
    over a large city may queue a hundred thousand; "10,000+" says enough), in one statement."""
    parts = []
    for status in QUEUED + (DeliveryStatus.FAILED, DeliveryStatus.PARKED):
        some = (
            select(Notification.id)
            .where(Notification.status == status)
            .limit(QUEUE_COUNT_BOUND + 1)
            .subquery()
        )
        parts.append(select(literal(status.value), func.count()).select_from(some))
    return union_all(*parts)
