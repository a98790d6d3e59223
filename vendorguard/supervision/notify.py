"""Telling the engagement's officer about changes the contractor made (in-app + mail, via the outbox).

Rows go into the reminders outbox like any reminder, so they show under 通知 in the app and are
mailed by ``vg remind``; the message is built from the row's facts (``ROSTER_CHANGE``).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.engagements.models import Engagement
from vendorguard.reminders import outbox, recipients
from vendorguard.reminders.messages import register_event_message
from vendorguard.reminders.models import Channel, DeliveryStatus
from vendorguard.reminders.rules import officers
from vendorguard.reminders.wording import Message

ROSTER_CHANGE = "roster_change"
CHANGES = {
    "staff_added": _l("従事者を追加しました"),
    "staff_changed": _l("従事者の情報を変更しました"),
    "pledge": _l("誓約書を登録しました"),
    "training": _l("研修の記録を追加しました"),
    "proposal": _l("再委託先の許諾を申請しました"),
}


def _message(data: dict) -> Message:
    change = str(CHANGES.get(data.get("change", ""), data.get("change", "")))
    subject = _(
        "委託事業者が%(what)s：%(arrangement)s",
        what=change,
        arrangement=data.get("arrangement", ""),
    )
    headline = _(
        "%(company)sが業務委託「%(arrangement)s」について%(what)s（%(detail)s）。",
        company=data.get("company", ""),
        arrangement=data.get("arrangement", ""),
        what=change,
        detail=data.get("detail", ""),
    )
    facts = [(_("業務委託"), data.get("arrangement", "")), (_("内容"), data.get("detail", ""))]
    return Message(subject, headline, facts, action=_("内容を確認する"))


register_event_message(ROSTER_CHANGE, _l("従事者名簿・再委託の変更"), _message)


def notify_officers(
    session: Session,
    engagement: Engagement,
    change: str,
    detail: str,
    company: str,
    endpoint: str,
    now: datetime | None = None,
) -> int:
    """Put one in-app notification per officer of the engagement into the outbox."""
    now = now or utcnow()
    audience = officers(
        engagement.department_id, engagement.responsible_officer_id, engagement.kind
    )
    people = recipients.resolve(session, [audience]).get(audience, [])
    topic = f"{ROSTER_CHANGE}:{engagement.id}:{change}:{now.isoformat()}"
    data = {
        "change": change,
        "detail": detail,
        "company": company,
        "arrangement": engagement.title,
        "links": [[endpoint, {"engagement_id": engagement.id}]],
    }
    rows = [
        {
            "dedup_key": f"{topic}:{person.key}",
            "topic": topic,
            "channel": Channel.EMAIL,
            "kind": ROSTER_CHANGE,
            "stage": change,
            "subject_type": "engagement",
            "subject_id": engagement.id,
            "arrangement_id": engagement.id,
            "target_on": None,
            "sweep_on": today_tokyo(),
            "user_id": person.user_id,
            "email": person.email,
            "data": data,
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
        for person in people
    ]
    return outbox.insert_rows(session, rows)
