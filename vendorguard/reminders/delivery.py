"""Delivering the outbox: claim a batch, send each row, record the outcome row by row.

A row is marked sent only after its channel accepted it, in its own transaction, so a crash loses
at most the record of one message (which is then resent with the same Message-ID). When a channel
fails several times in a row it is left alone for the rest of the run: the rows not tried go back
untouched, to be tried by the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, Table, select, update
from sqlalchemy.orm import Session

from config import Settings
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.contractors.models import Contractor
from vendorguard.core.timeutil import utcnow
from vendorguard.reminders import channels, outbox
from vendorguard.reminders.models import Channel, DeliveryStatus, Notification

log = logging.getLogger("vendorguard.reminders")

_NOTIFICATIONS = Notification.__table__
if not isinstance(_NOTIFICATIONS, Table):  # SQLAlchemy types a model's table as any FROM clause
    raise TypeError("Notification is not mapped to a table")
T: Table = _NOTIFICATIONS

BREAK_AFTER = 3  # consecutive failures before a channel is left alone for this run


@dataclass
class DeliveryResult:
    """What one delivery run did."""

    sent: int = 0
    failed: int = 0  # attempts that failed (retried later or given up)
    gave_up: int = 0
    skipped: int = 0  # recipient gone, or nothing left in a digest
    deferred: int = 0  # not tried: their channel was failing
    parked: int = (
        0  # could not be built or sent for a reason of their own: set aside, batch went on
    )
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0


def _group(channel: Channel) -> str:
    return "webhook" if channel == Channel.WEBHOOK else "mail"


def _skip(session: Session, row, token: str, reason: str) -> None:
    session.execute(
        update(T)
        .where(T.c.id == row.id, T.c.claim_token == token)
        .values(
            status=DeliveryStatus.SUPERSEDED,
            claim_token=None,
            claimed_until=None,
            last_error=reason,
        )
    )
    session.commit()


@dataclass(frozen=True)
class Person:
    """What sending needs of a user (plain values: they outlive the commits made while sending)."""

    name: str
    email: str
    locale: str
    is_internal: bool
    is_active: bool
    organisation: str = ""  # a contractor user's company


def _load(
    session: Session, ids: list[int]
) -> tuple[Sequence[Row[Any]], dict[int, Person], dict[int, list[Row[Any]]]]:
    t = T
    rows = session.execute(select(t).where(t.c.id.in_(ids)).order_by(t.c.id)).all()
    user_ids = {row.user_id for row in rows if row.user_id}
    users: dict[int, Person] = {}
    if user_ids:
        for u in session.execute(
            select(
                User.id,
                User.name,
                User.email,
                User.locale,
                User.role,
                User.active,
                User.archived_at,
                Contractor.name.label("company"),
            )
            .outerjoin(Contractor, Contractor.id == User.contractor_id)
            .where(User.id.in_(user_ids))
        ):
            users[u.id] = Person(
                u.name,
                u.email,
                u.locale,
                u.role != Role.CONTRACTOR,
                bool(u.active) and u.archived_at is None,
                u.company or "",
            )
    digest_ids = [row.id for row in rows if row.channel == Channel.DIGEST]
    items: dict[int, list[Row[Any]]] = {}
    if digest_ids:
        for item in session.execute(
            select(t)
            .where(t.c.digest_id.in_(digest_ids), t.c.status == DeliveryStatus.BATCHED)
            .order_by(t.c.target_on, t.c.id)
        ):
            items.setdefault(item.digest_id, []).append(item)
    return rows, users, items


def deliver(
    session: Session, config: Mapping, as_of: date, only_keys: Collection[str] | None = None
) -> DeliveryResult:
    """Send every row that is due (rows of days after ``as_of`` wait); commits row by row.

    ``only_keys``: send just these rows (a reminder sent on demand), leaving the queue to the run."""
    result = DeliveryResult()
    run_started = utcnow()
    settings = Settings.from_config(config)
    lease = timedelta(seconds=settings.reminder_lease_seconds)
    batch = settings.reminder_batch_size
    max_attempts = settings.reminder_max_attempts
    base = float(settings.reminder_retry_base_seconds)
    broken: set[str] = set()
    in_a_row = {"mail": 0, "webhook": 0}
    while True:
        wanted = [c for c in Channel if _group(c) not in broken]
        if not wanted:
            break
        token, ids = outbox.claim(
            session,
            wanted,
            now=utcnow(),
            run_started=run_started,
            as_of=as_of,
            limit=batch,
            lease=lease,
            only_keys=only_keys,
        )
        if not ids:
            break
        rows, users, items = _load(session, ids)
        untried = []
        for row in rows:
            group = _group(row.channel)
            if group in broken:
                untried.append(row.id)
                continue
            user = users.get(row.user_id) if row.user_id else None
            if row.user_id and (user is None or not user.is_active):
                _skip(session, row, token, "recipient is no longer an active user")
                result.skipped += 1
                continue
            if row.channel == Channel.DIGEST and not items.get(row.id):
                _skip(session, row, token, "nothing left to send")
                result.skipped += 1
                continue
            if not outbox.renew(session, row.id, token, utcnow() + lease):
                continue  # another process took it over after our lease ran out
            try:
                if row.channel == Channel.WEBHOOK:
                    channels.post_webhook(row, config)
                elif row.channel == Channel.DIGEST:
                    channels.send_digest(row, user, items[row.id])
                else:
                    channels.send_reminder(row, user)
            except channels.ChannelError as error:
                status = outbox.mark_failed(
                    session,
                    row.id,
                    token,
                    str(error),
                    now=utcnow(),
                    run_started=run_started,
                    max_attempts=max_attempts,
                    base_seconds=base,
                )
                result.failed += 1
                result.gave_up += status == DeliveryStatus.FAILED
                result.errors.append(f"{row.dedup_key}: {error}")
                in_a_row[group] += 1
                if in_a_row[group] >= BREAK_AFTER:
                    broken.add(group)
            except Exception as error:  # noqa: BLE001 - one poison row must never stop the batch
                # Not the channel's fault (it was never reached): retrying would fail the same way
                # and, left "sending", the row would stop every later run. Park it with the reason.
                log.exception("reminder %s parked", row.dedup_key)
                session.rollback()
                reason = f"{type(error).__name__}: {error}"
                outbox.mark_parked(session, row.id, token, reason)
                result.parked += 1
                result.errors.append(f"{row.dedup_key}: {reason}")
            else:
                outbox.mark_sent(
                    session, row.id, token, utcnow(), [i.id for i in items.get(row.id, [])]
                )
                result.sent += 1
                in_a_row[group] = 0
        if untried:
            outbox.release(session, untried, token)
            result.deferred += len(untried)
    return result
