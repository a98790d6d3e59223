"""The outbox (one row per reminder occurrence and recipient), settings, preferences, calendar feeds."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vendorguard.arrangements.models import str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model


class Channel(LabelledEnum):
    """How an outbox row reaches people."""

    # one person (also their in-app notification); mailed alone or in their digest
    EMAIL = "email", _l("メール")
    # one mail per person and day listing that day's e-mail rows
    DIGEST = "digest", _l("まとめメール")
    WEBHOOK = "webhook", _l("Webhook")  # one JSON post per occurrence to the chat webhook


class DeliveryStatus(LabelledEnum):
    """Where an outbox row stands."""

    # waiting for (another) attempt at ``next_attempt_at``
    PENDING = "pending", _l("送信待ち"), "badge-warn"
    SENDING = "sending", _l("送信中"), "badge-warn"  # claimed by a process until ``claimed_until``
    SENT = "sent", _l("送信済み"), "badge-ok"
    # gave up after the attempt limit; an admin may retry
    FAILED = "failed", _l("送信失敗"), "badge-danger"
    # could not even be built (bad stored data); set aside at once, with the reason
    PARKED = "parked", _l("保留（送信不可）"), "badge-danger"
    # goes out inside the person's digest (``digest_id``)
    BATCHED = "batched", _l("まとめメール待ち"), "badge-muted"
    # a later reminder about the same thing replaced it before it went out
    SUPERSEDED = "superseded", _l("後の通知に置換え"), "badge-muted"


class Notification(Model):
    """One reminder occurrence for one recipient (or one webhook post, or one digest mail).

    ``dedup_key`` says what, which occurrence and to whom (``evreq:12:2026-05-01:due-7:user:45``);
    its unique index is what makes two sweeps, or two machines, create each reminder once.
    """

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_status_next", "status", "next_attempt_at"),
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_subject", "subject_type", "subject_id"),
        # a person's list: unresolved first, then by the date the reminder is about
        Index("ix_notification_user_resolved", "user_id", "resolved_at", "target_on"),
        # The admin's sent list (newest first) and a person's list (newest first), read in order.
        Index("ix_notification_status_sent", "status", "sent_at", "id"),
        Index("ix_notification_user_created", "user_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    topic: Mapped[str] = mapped_column(
        String(200), index=True
    )  # the dedup key without stage and recipient
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 10))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    stage: Mapped[str] = mapped_column(String(30), default="")  # due-7, overdue-8, expiry-30 …
    subject_type: Mapped[str] = mapped_column(String(30), default="")
    subject_id: Mapped[int | None]
    arrangement_id: Mapped[int | None] = mapped_column(ForeignKey("arrangement.id"))
    target_on: Mapped[date | None]  # the due / expiry / end date the reminder is about
    sweep_on: Mapped[date] = mapped_column(index=True)  # the day whose sweep created it
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    email: Mapped[str] = mapped_column(String(254), default="")
    data: Mapped[dict] = mapped_column(
        JSON, default=dict
    )  # facts for the message, rendered when sent
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, 12), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # when the thing it is about was dealt with (submitted, reviewed, renewed …); see ``resolution``
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class ReminderSetting(Audited, Model):
    """The admin's choice for one kind of reminder; kinds without a row use the defaults in ``kinds``."""

    __tablename__ = "reminder_setting"
    __audit_label__ = "kind"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), unique=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    offsets: Mapped[str] = mapped_column(String(100), default="")  # days before, "90,30,7"
    repeat_days: Mapped[int | None]  # overdue / flags: again every n days (0 = once)
    escalate_after_days: Mapped[int | None]  # overdue: escalate after n days (None = never)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReminderPreference(Audited, Model):
    """How one person wants their reminders: each on its own, or one digest mail a day."""

    __tablename__ = "reminder_preference"
    __audit_label__ = "user_id"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    digest: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CalendarFeed(Audited, Model):
    """A secret iCalendar URL of one person's due dates; only the token's sha256 is kept."""

    __tablename__ = "calendar_feed"
    __audit_label__ = "user_id"
    __audit_exclude__ = frozenset({"token_hash"})
    __audit_ignore__ = frozenset({"last_used_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReminderPlanRun(Model):
    """One computation of the coming days' reminders (``plan_store``): when, for which days, and
    the per-day, per-kind counts. Derived data, recomputed from the registers: not audited."""

    __tablename__ = "reminder_plan_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_day: Mapped[date]
    last_day: Mapped[date]
    total: Mapped[int] = mapped_column(default=0)
    summary: Mapped[list] = mapped_column(JSON, default=list)  # [["2026-12-05", kind, count], …]


class ReminderPlanRow(Model):
    """One reminder a coming day's sweep would create, as computed by a ``ReminderPlanRun``."""

    __tablename__ = "reminder_plan_row"
    # The page reads one run's rows in day order, a page at a time.
    __table_args__ = (Index("ix_reminder_plan_row_run_day", "run_id", "day", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reminder_plan_run.id", ondelete="CASCADE"))
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 10))
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    digest: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # the message's facts (subject on read)
