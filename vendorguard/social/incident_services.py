"""Hijack and impersonation incidents and their response checklist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from vendorguard.audit import capture as audit_capture
from vendorguard.auth.models import User
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.social.models import (
    IncidentKind,
    IncidentStatus,
    ResponseStep,
    SocialAccount,
    SocialIncident,
    SocialIncidentStep,
)


@dataclass
class IncidentData:
    """What the person who noticed it records."""

    kind: IncidentKind
    detected_at: datetime  # timezone-aware
    description: str


def record_incident(
    session: Session, account: SocialAccount, user: User, data: IncidentData
) -> SocialIncident:
    """Open an incident with every response step still to do."""
    if data.detected_at > utcnow():
        raise DomainError(_("発見日時に未来の日時は指定できません。"), field="detected_at")
    description = (data.description or "").strip()
    if not description:
        raise DomainError(_("何が起きたかを入力してください。"), field="description")
    incident = SocialIncident(
        account_id=account.id,
        kind=data.kind,
        detected_at=data.detected_at,
        description=description,
        status=IncidentStatus.OPEN,
        reported_by_id=user.id,
    )
    session.add(incident)
    session.flush()
    session.add_all(
        [
            SocialIncidentStep(incident_id=incident.id, step=step, position=position)
            for position, step in enumerate(ResponseStep, start=1)
        ]
    )
    session.flush()
    return incident


def _step(incident: SocialIncident, code: str) -> SocialIncidentStep:
    for step in incident.steps:
        if step.step.value == code:
            return step
    raise DomainError(_("対応手順を一覧から選んでください。"))


def mark_step(
    session: Session, incident: SocialIncident, code: str, user: User, done: bool, note: str = ""
) -> SocialIncidentStep:
    """Check a step as done (who and when are recorded) or undo the check."""
    if not incident.is_open:
        raise DomainError(_("完了した事案の手順は変更できません。"))
    step = _step(incident, code)
    note = (note or "").strip()
    if done:
        if step.is_done:
            raise DomainError(_("「%(step)s」は既に完了しています。", step=step.step.label))
        step.done_at, step.done_by_id = utcnow(), user.id
        if note:
            step.note = note
        audit_capture.tag(session, step, "check")
    else:
        if not step.is_done:
            raise DomainError(_("「%(step)s」はまだ完了していません。", step=step.step.label))
        step.done_at, step.done_by_id = None, None
        audit_capture.tag(session, step, "uncheck")
    session.flush()
    return step


def close_incident(session: Session, incident: SocialIncident, user: User, note: str = "") -> None:
    """Close the incident: every step done, or a note saying why the rest was not needed."""
    if not incident.is_open:
        raise DomainError(_("この事案は既に完了しています。"))
    note = (note or "").strip()
    undone = [step.step.label for step in incident.steps if not step.is_done]
    if undone and not note:
        raise DomainError(
            _(
                "未完了の手順があります（%(steps)s）。完了にする理由を入力してください。",
                steps="、".join(undone),
            ),
            field="closing_note",
        )
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = utcnow()
    incident.closed_by_id = user.id
    incident.closing_note = note
    audit_capture.tag(session, incident, "close")
    session.flush()
