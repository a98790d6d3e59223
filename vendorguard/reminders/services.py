"""Changes people make: their reminder preference, read marks, calendar feeds; the admin's settings and retries."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from vendorguard.audit import services as audit
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.reminders.kinds import KINDS, format_offsets, parse_offsets
from vendorguard.reminders.models import (
    CalendarFeed,
    Channel,
    DeliveryStatus,
    Notification,
    ReminderPreference,
    ReminderSetting,
)

FEED_TOUCH_INTERVAL = timedelta(hours=1)  # how often a feed fetch updates last_used_at


def set_digest(session: Session, user_id: int, digest: bool) -> ReminderPreference:
    """Choose between one mail per reminder and one digest mail a day."""
    preference = session.get(ReminderPreference, user_id)
    if preference is None:
        preference = ReminderPreference(user_id=user_id)
        session.add(preference)
    preference.digest = digest
    session.flush()
    return preference


def wants_digest(session: Session, user_id: int) -> bool:
    """The user's choice (no row: one mail per reminder)."""
    preference = session.get(ReminderPreference, user_id)
    return bool(preference and preference.digest)


def mark_read(session: Session, user_id: int, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (the given ones, or all); others' ids are ignored."""
    stmt = update(Notification).where(
        Notification.user_id == user_id,
        Notification.channel == Channel.EMAIL,
        Notification.read_at.is_(None),
    )
    if ids is not None:
        if not ids:
            return 0
        stmt = stmt.where(Notification.id.in_(ids))
    # An UPDATE returns a CursorResult; Session.execute is typed with the general Result.
    result = cast(
        "CursorResult[Any]",
        session.execute(stmt.values(read_at=utcnow()).execution_options(synchronize_session=False)),
    )
    return result.rowcount


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def active_feed(session: Session, user_id: int) -> CalendarFeed | None:
    """The user's calendar feed in force, if any."""
    return session.scalars(
        select(CalendarFeed)
        .where(CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None))
        .order_by(CalendarFeed.id.desc())
    ).first()


def issue_feed(session: Session, user_id: int) -> str:
    """A new secret feed token (shown once); any earlier feed URL of the user stops working."""
    now = utcnow()
    for feed in session.scalars(
        select(CalendarFeed).where(
            CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None)
        )
    ):
        feed.revoked_at = now
    token = secrets.token_urlsafe(32)
    session.add(CalendarFeed(user_id=user_id, token_hash=_hash(token), created_at=now))
    session.flush()
    return token


def revoke_feed(session: Session, user_id: int) -> None:
    """Stop the user's feed URL; calendars that use it get "not found" from now on."""
    feed = active_feed(session, user_id)
    if feed is None:
        raise DomainError(_("無効にするカレンダー配信URLはありません。"))
    feed.revoked_at = utcnow()
    session.flush()


def feed_by_token(session: Session, token: str) -> CalendarFeed | None:
    """The feed a token opens (not revoked, its user still active); notes when it was last used."""
    if not token or len(token) > 100:
        return None
    feed = session.scalars(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == _hash(token), CalendarFeed.revoked_at.is_(None)
        )
    ).first()
    if feed is None:
        return None
    now = utcnow()
    if feed.last_used_at is None or now - feed.last_used_at > FEED_TOUCH_INTERVAL:
        feed.last_used_at = now
        session.flush()
    return feed


@dataclass
class KindSetting:
    """What the admin entered for one kind."""

    kind: str
    enabled: bool
    offsets: str = ""
    repeat_days: int | None = None
    escalate_after_days: int | None = None


def update_settings(session: Session, entries: list[KindSetting]) -> list[ReminderSetting]:
    """Store the admin's settings for every kind (validated all together: nothing is saved on an error)."""
    rows = {row.kind: row for row in session.scalars(select(ReminderSetting))}
    changed = []
    for entry in entries:
        info = KINDS[entry.kind]
        offsets = ""
        if info.has_offsets:
            try:
                parsed = parse_offsets(entry.offsets)
            except ValueError:
                raise DomainError(
                    _("日数は 0〜366 の整数をカンマ区切りで入力してください（例：90,30,7）。"),
                    field=f"{entry.kind}__offsets",
                ) from None
            if entry.enabled and not parsed:
                raise DomainError(
                    _("通知する日数を1つ以上入力してください。"), field=f"{entry.kind}__offsets"
                )
            offsets = format_offsets(parsed)
        if info.has_repeat and (entry.repeat_days is None or not 0 <= entry.repeat_days <= 366):
            raise DomainError(
                _("繰り返しの間隔は 0〜366 日で入力してください（0 は繰り返さない）。"),
                field=f"{entry.kind}__repeat",
            )
        if (
            info.has_escalation
            and entry.escalate_after_days is not None
            and not 1 <= entry.escalate_after_days <= 366
        ):
            raise DomainError(
                _(
                    "エスカレーションまでの日数は 1〜366 日で入力してください（空欄はエスカレーションしない）。"
                ),
                field=f"{entry.kind}__escalate",
            )
        row = rows.get(entry.kind) or ReminderSetting(kind=entry.kind)
        row.enabled = entry.enabled
        row.offsets = offsets
        row.repeat_days = entry.repeat_days if info.has_repeat else None
        row.escalate_after_days = entry.escalate_after_days if info.has_escalation else None
        session.add(row)
        changed.append(row)
    session.flush()
    return changed


def retry(session: Session, notification: Notification) -> None:
    """Send a failed reminder again at the next run, with a fresh attempt count."""
    if notification.status not in (DeliveryStatus.FAILED, DeliveryStatus.PARKED):
        raise DomainError(_("この通知は送信失敗の状態ではありません。"))
    notification.status = DeliveryStatus.PENDING
    notification.attempts = 0
    notification.next_attempt_at = utcnow()
    audit.record(session, "retry", "notification", notification.id, notification.dedup_key)
    session.flush()


def retry_all_failed(session: Session) -> int:
    """Put every failed reminder back in the queue; returns how many."""
    count = session.scalar(select(func.count()).where(Notification.status == DeliveryStatus.FAILED))
    if not count:
        raise DomainError(_("送信失敗の通知はありません。"))
    session.execute(
        update(Notification)
        .where(Notification.status == DeliveryStatus.FAILED)
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session, "retry", "notification", None, _("送信失敗の通知 %(count)d件", count=count)
    )
    session.flush()
    return count
