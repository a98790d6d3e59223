"""督促: an officer reminds the contractor of one evidence request now, with an optional note.

The mail goes through the outbox like every reminder (one row per recipient, the same message
layout, retries and the failed-mail page), and out at once. The form carries a key made when the
page was drawn: a double click, a resent form or two tabs submit the same key, and the outbox's
unique ``dedup_key`` turns the second attempt into nothing — one mail, never two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from vendorguard.audit import services as audit
from vendorguard.auth.models import User
from vendorguard.contractors.models import Contractor
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.evidence.models import EvidenceProvider, EvidenceRequest
from vendorguard.evidence.occurrences import occurrence_label
from vendorguard.reminders import kinds, outbox, recipients
from vendorguard.reminders.models import Channel, DeliveryStatus
from vendorguard.reminders.rules import Audience, evidence_base, evidence_rows

CLICK_KEY = re.compile(r"^[0-9a-f]{16,64}$")
NOTE_MAX = 1000


@dataclass(frozen=True)
class NudgeResult:
    """What one click did: the outbox keys it created (empty for a repeated click)."""

    keys: list[str]
    recipients: int
    repeated: bool


def remind_now(
    session: Session, evidence_request: EvidenceRequest, actor: User, note: str, click_key: str
) -> NudgeResult:
    """Queue the 督促 mail to the contractor's portal users (else its contact address)."""
    if not CLICK_KEY.match(click_key or ""):
        raise DomainError(_("画面を開き直してから、もう一度送ってください。"))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(
            _("連絡事項は%(max)d文字以内で入力してください。", max=NOTE_MAX), field="note"
        )
    rows = evidence_rows(session, EvidenceRequest.id == evidence_request.id)
    if not rows:
        raise DomainError(_("この提出依頼は提出済みか取り下げ済みのため、督促できません。"))
    row = rows[0]
    contractor_id = row.contractor_id or row.provider_contractor_id
    if row.provider != EvidenceProvider.CONTRACTOR or not contractor_id:
        raise DomainError(_("委託事業者が提出する証跡ではないため、督促は送れません。"))

    data, contractor_data, _audiences = evidence_base(row)
    late = (today_tokyo() - row.due_on).days
    data = {
        **data,
        **contractor_data,
        "days": abs(late),
        "overdue": late > 0,
        "note": note,
        "sender": actor.name,
    }
    audience = Audience("contractor", contractor_id=contractor_id)
    people = recipients.resolve(session, [audience]).get(audience, [])
    addresses: list[tuple[str, int | None, str, str]] = [
        (person.key, person.user_id, person.email, person.name) for person in people
    ]
    if not addresses:
        contractor = session.get_one(Contractor, contractor_id)
        if not contractor.contact_email:
            raise DomainError(
                _(
                    "この委託事業者にはポータルの利用者も連絡先のメールアドレスもありません。"
                    "委託事業者の画面で連絡先を登録するか、担当者を招待してください。"
                )
            )
        addresses = [
            (
                f"addr:{contractor.contact_email.lower()}",
                None,
                contractor.contact_email,
                contractor.contact_name or contractor.name,
            )
        ]

    now = utcnow()
    topic = f"evreq:{row.id}:{row.due_on}"
    stage = f"nudge-{click_key[:20]}"  # the stage column holds 30 characters; 80 bits are plenty
    planned = []
    for person_key, user_id, email, name in addresses:
        row_data = dict(data)
        if user_id is None:
            row_data["recipient_name"] = name
        planned.append(
            {
                "dedup_key": f"{topic}:{stage}:{person_key}",
                "topic": f"{topic}:{person_key}",
                "channel": Channel.EMAIL,
                "kind": kinds.EVIDENCE_NUDGE,
                "stage": stage,
                "subject_type": "evidence_request",
                "subject_id": row.id,
                "arrangement_id": row.arrangement_id,
                "target_on": row.due_on,
                "sweep_on": today_tokyo(),
                "user_id": user_id,
                "email": email,
                "data": row_data,
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
        )
    inserted = outbox.insert_rows(session, planned)
    if inserted == 0:
        return NudgeResult([], len(planned), repeated=True)
    audit.record(
        session,
        "remind",
        "evidence_request",
        row.id,
        f"{row.title} {occurrence_label(row.occurrence)}",
        after={"recipients": [email for _key, _uid, email, _name in addresses], "note": note},
    )
    return NudgeResult([p["dedup_key"] for p in planned], len(planned), repeated=False)
