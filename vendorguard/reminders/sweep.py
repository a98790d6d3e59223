"""The sweep: run the rules for a day, address the reminders, and put the new ones in the outbox.

``plan`` writes nothing (it serves ``--dry-run`` and the admin's preview of the coming days);
``run`` plans one day and inserts what is new. People who asked for a daily digest get their
rows attached to their digest row for the day; if that digest has already gone out, to the next
day's, so nobody gets two digests in one day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.core.timeutil import utcnow
from vendorguard.reminders import (
    arrangement_rules,
    inspection_rules,
    kinds,
    outbox,
    questionnaire_rules,
    recipients,
    register_rules,
    resolution,
    review_overdue,
    rules,
)
from vendorguard.reminders.kinds import RuleSetting, load_settings
from vendorguard.reminders.models import Channel, DeliveryStatus, Notification
from vendorguard.reminders.recipients import Recipient
from vendorguard.reminders.rules import Candidate

T = Notification.__table__

RULES: dict[str, Callable[[Session, date, date, RuleSetting], list[Candidate]]] = {
    kinds.EVIDENCE_DUE: rules.evidence_due,
    kinds.EVIDENCE_OVERDUE: rules.evidence_overdue,
    kinds.CERTIFICATION_EXPIRY: register_rules.certification_expiry,
    kinds.ISMAP_EXPIRY: register_rules.ismap_expiry,
    kinds.EVIDENCE_EXPIRY: register_rules.evidence_expiry,
    kinds.REVIEW_DUE: arrangement_rules.review_due,
    kinds.REVIEW_OVERDUE: review_overdue.review_overdue,
    kinds.APPROVAL_EXPIRY: arrangement_rules.approval_expiry,
    kinds.CONTRACT_END: arrangement_rules.contract_end,
    kinds.SOCIAL_REVIEW: arrangement_rules.social_review,
    kinds.SOCIAL_FLAG: arrangement_rules.social_flags,
    kinds.INSPECTION_DUE: inspection_rules.inspection_due,
    kinds.INSPECTION_OVERDUE: inspection_rules.inspection_overdue,
    kinds.QUESTIONNAIRE_DUE: questionnaire_rules.questionnaire_due,
    kinds.QUESTIONNAIRE_OVERDUE: questionnaire_rules.questionnaire_overdue,
}
DIGEST_LOOKAHEAD = (
    7  # days to look for a digest that has not gone out yet (out-of-order --as-of runs)
)


@dataclass
class Planned:
    """One outbox row to be: a candidate addressed to one recipient (or to the webhook)."""

    candidate: Candidate
    channel: Channel
    dedup_key: str
    topic: str
    data: dict
    recipient: Recipient | None = None

    @property
    def day(self) -> date:
        return self.candidate.day


@dataclass
class SweepResult:
    """What a sweep found and created."""

    day: date
    candidates: int = 0
    created: int = 0
    superseded: int = 0
    resolved: int = 0  # open notifications whose item was dealt with since
    by_channel: dict[str, int] = field(default_factory=dict)


def candidates(
    session: Session, first: date, last: date, settings: dict[str, RuleSetting] | None = None
) -> list[Candidate]:
    """Every enabled rule's candidates for the days ``first`` … ``last``."""
    settings = settings or load_settings(session)
    found: list[Candidate] = []
    for kind, rule in RULES.items():
        if settings[kind].enabled:
            found.extend(rule(session, first, last, settings[kind]))
    return found


def plan(
    session: Session,
    first: date,
    last: date,
    *,
    webhook: bool = False,
    settings: dict[str, RuleSetting] | None = None,
) -> list[Planned]:
    """The rows the sweeps of ``first`` … ``last`` would create, each on the first day it would; writes nothing."""
    found = candidates(session, first, last, settings)
    resolved = recipients.resolve(session, {a for c in found for a in c.audiences})
    planned: dict[str, Planned] = {}
    for candidate in sorted(found, key=lambda c: c.day):
        addressed: set[str] = set()
        for audience in candidate.audiences:
            for person in resolved.get(audience, []):
                if person.key in addressed:
                    continue
                addressed.add(person.key)
                data = {
                    **candidate.data,
                    **(candidate.contractor_data if person.contractor else {}),
                }
                if person.user_id is None:
                    data["recipient_name"] = person.name
                key = f"{candidate.key}:{person.key}"
                planned.setdefault(
                    key,
                    Planned(
                        candidate,
                        Channel.EMAIL,
                        key,
                        f"{candidate.topic}:{person.key}",
                        data,
                        person,
                    ),
                )
        if webhook:
            key = f"{candidate.key}:webhook"
            planned.setdefault(
                key,
                Planned(
                    candidate, Channel.WEBHOOK, key, f"{candidate.topic}:webhook", candidate.data
                ),
            )
    existing = outbox.existing_keys(session, planned)
    return [row for key, row in planned.items() if key not in existing]


def _row(planned: Planned, now, status: DeliveryStatus, digest_id: int | None = None) -> dict:
    c, person = planned.candidate, planned.recipient
    return {
        "dedup_key": planned.dedup_key,
        "topic": planned.topic,
        "channel": planned.channel,
        "kind": c.kind,
        "stage": c.stage,
        "subject_type": c.subject_type,
        "subject_id": c.subject_id,
        "arrangement_id": c.arrangement_id,
        "target_on": c.target_on,
        "sweep_on": c.day,
        "user_id": person.user_id if person else None,
        "email": person.email if person else "",
        "data": planned.data,
        "status": status,
        "attempts": 0,
        "next_attempt_at": now,
        "claim_token": None,
        "claimed_until": None,
        "last_error": "",
        "sent_at": None,
        "digest_id": digest_id,
        "created_at": now,
        "read_at": None,
    }


def _digests(session: Session, user_ids: set[int], day: date, now) -> dict[int, int]:
    """Each user's digest row that has not gone out yet: today's, or the next day's if today's has."""
    result: dict[int, int] = {}
    wanted = set(user_ids)
    for ahead in range(DIGEST_LOOKAHEAD):
        if not wanted:
            break
        on = day + timedelta(days=ahead)
        keys = {f"digest:{on}:user:{user_id}": user_id for user_id in wanted}
        outbox.insert_rows(
            session,
            [
                {
                    "dedup_key": key,
                    "topic": f"digest:user:{user_id}",
                    "channel": Channel.DIGEST,
                    "kind": "digest",
                    "stage": "",
                    "subject_type": "",
                    "subject_id": None,
                    "arrangement_id": None,
                    "target_on": None,
                    "sweep_on": on,
                    "user_id": user_id,
                    "email": "",
                    "data": {},
                    "status": DeliveryStatus.PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "claim_token": None,
                    "claimed_until": None,
                    "last_error": "",
                    "sent_at": None,
                    "digest_id": None,
                    "created_at": now,
                    "read_at": None,
                }
                for key, user_id in keys.items()
            ],
        )
        # Locked until our commit: a sender cannot take the digest while we are adding to it.
        rows = session.execute(
            select(T.c.id, T.c.dedup_key, T.c.status)
            .where(T.c.dedup_key.in_(sorted(keys)))
            .order_by(T.c.id)
            .with_for_update()
        ).all()
        for row in rows:
            if row.status == DeliveryStatus.PENDING:
                result[keys[row.dedup_key]] = row.id
                wanted.discard(keys[row.dedup_key])
    return result


def insert_planned(session: Session, planned: list[Planned], day: date) -> tuple[int, int]:
    """Put planned rows in the outbox (digest members batched); returns (created, superseded)."""
    now = utcnow()
    digest_users = {
        p.recipient.user_id
        for p in planned
        if p.channel == Channel.EMAIL and p.recipient and p.recipient.digest and p.recipient.user_id
    }
    digests = _digests(session, digest_users, day, now) if digest_users else {}
    rows = []
    for p in planned:
        digest_id = (
            digests.get(p.recipient.user_id)
            if p.recipient and p.recipient.digest and p.recipient.user_id is not None
            else None
        )
        rows.append(
            _row(p, now, DeliveryStatus.BATCHED if digest_id else DeliveryStatus.PENDING, digest_id)
        )
    created, superseded = outbox.add(session, rows)
    session.flush()
    return created, superseded


def run(session: Session, day: date, *, webhook: bool = False) -> SweepResult:
    """Sweep one day and add its new reminders to the outbox (the caller commits)."""
    planned = plan(session, day, day, webhook=webhook)
    result = SweepResult(day, candidates=len(planned))
    result.created, result.superseded = insert_planned(session, planned, day)
    result.resolved = resolution.resolve(session)
    for row in planned:
        result.by_channel[row.channel] = result.by_channel.get(row.channel, 0) + 1
    return result
