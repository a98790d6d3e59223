"""A person's due dates as an iCalendar feed (RFC 5545), built with the icalendar library.

"Their" arrangements are those they answer for (responsible officer), and, for officers and SNS
owners, their department's. The feed lists, from 60 days back to 400 days ahead: evidence due
dates, contract ends, next reviews, cloud approval ends, accepted evidence and certificate expiries,
and ISMAP registration ends — each an all-day event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, vDuration, vText
from icalendar import Event as ICalEvent
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import Arrangement, ArrangementKind, ArrangementState
from vendorguard.auth.roles import DEPARTMENT_STAFF, Role
from vendorguard.cloud.models import CloudService
from vendorguard.contractors.models import Certification, Contractor
from vendorguard.engagements.models import Engagement
from vendorguard.evidence.models import (
    EvidenceRequest,
    EvidenceRequirement,
    EvidenceSubmission,
    RequestStatus,
    ReviewDecision,
)
from vendorguard.ismap.matching import normalise_number
from vendorguard.ismap.models import IsmapRegistration
from vendorguard.reminders.rules import arrangement_link
from vendorguard.reminders.wording import link_for

BACK_DAYS, AHEAD_DAYS = 60, 400
MAX_EVENTS = 3000
SHOWN = (RequestStatus.OPEN, RequestStatus.REJECTED, RequestStatus.SUBMITTED)


@dataclass(frozen=True)
class Event:
    """One all-day event."""

    uid: str
    day: date
    summary: str
    description: str = ""
    url: str | None = None


def _mine(user):
    """Arrangements the user answers for, as a SQL condition."""
    own = Arrangement.responsible_officer_id == user.id
    if user.department_id is None or user.role not in DEPARTMENT_STAFF:
        return own
    kinds = [ArrangementKind.SOCIAL_ACCOUNT.value]
    if user.role == Role.OFFICER:
        kinds += [ArrangementKind.ENGAGEMENT.value, ArrangementKind.CLOUD_SERVICE.value]
    return or_(
        own, and_(Arrangement.department_id == user.department_id, Arrangement.kind.in_(kinds))
    )


def events_for(session: Session, user, today: date) -> list[Event]:
    """The user's due dates around ``today``, in date order."""
    first, last = today - timedelta(days=BACK_DAYS), today + timedelta(days=AHEAD_DAYS)
    mine, live = _mine(user), Arrangement.archived_at.is_(None)
    events: list[Event] = []

    def link(kind: str, arrangement_id: int, extra: list | None = None) -> str | None:
        return link_for([*(extra or []), arrangement_link(kind, arrangement_id)], external=True)

    for row in session.execute(
        select(
            EvidenceRequest.id,
            EvidenceRequest.due_on,
            EvidenceRequest.status,
            EvidenceRequirement.title,
            Arrangement.id.label("arrangement_id"),
            Arrangement.title.label("arrangement"),
            Arrangement.kind,
        )
        .join(
            EvidenceRequirement, EvidenceRequirement.id == EvidenceRequest.evidence_requirement_id
        )
        .join(Arrangement, Arrangement.id == EvidenceRequest.arrangement_id)
        .where(
            mine,
            live,
            EvidenceRequest.status.in_(SHOWN),
            EvidenceRequest.due_on.between(first, last),
        )
        .order_by(EvidenceRequest.due_on)
        .limit(MAX_EVENTS)
    ):
        events.append(
            Event(
                f"evreq-{row.id}",
                row.due_on,
                _(
                    "証跡の提出期限：%(title)s（%(arrangement)s）",
                    title=row.title,
                    arrangement=row.arrangement,
                ),
                RequestStatus(row.status).label,
                link(
                    row.kind,
                    row.arrangement_id,
                    [["evidence.request_detail", {"request_id": row.id}]],
                ),
            )
        )
    for submission in session.execute(
        select(
            EvidenceSubmission.id,
            EvidenceSubmission.valid_until,
            EvidenceRequirement.title,
            Arrangement.id.label("arrangement_id"),
            Arrangement.title.label("arrangement"),
            Arrangement.kind,
        )
        .join(EvidenceRequest, EvidenceRequest.id == EvidenceSubmission.request_id)
        .join(
            EvidenceRequirement, EvidenceRequirement.id == EvidenceRequest.evidence_requirement_id
        )
        .join(Arrangement, Arrangement.id == EvidenceRequest.arrangement_id)
        .where(
            mine,
            live,
            EvidenceSubmission.decision == ReviewDecision.ACCEPTED,
            EvidenceRequest.status == RequestStatus.ACCEPTED,
            EvidenceSubmission.valid_until.between(first, last),
        )
        .limit(MAX_EVENTS)
    ):
        events.append(
            Event(
                f"evsub-{submission.id}",
                submission.valid_until,
                _(
                    "証跡の有効期限：%(title)s（%(arrangement)s）",
                    title=submission.title,
                    arrangement=submission.arrangement,
                ),
                url=link(submission.kind, submission.arrangement_id),
            )
        )
    for review in session.execute(
        select(Arrangement.id, Arrangement.title, Arrangement.kind, Arrangement.next_review_on)
        .where(
            mine,
            live,
            Arrangement.state.in_((ArrangementState.ACTIVE, ArrangementState.SUSPENDED)),
            Arrangement.next_review_on.between(first, last),
        )
        .limit(MAX_EVENTS)
    ):
        events.append(
            Event(
                f"review-{review.id}",
                review.next_review_on,
                _("定期確認の予定日：%(title)s", title=review.title),
                url=link(review.kind, review.id),
            )
        )
    engagements = session.execute(
        select(Engagement.id, Engagement.title, Engagement.ends_on, Engagement.contractor_id).where(
            mine, live, Engagement.state == ArrangementState.ACTIVE, Engagement.ends_on >= first
        )
    ).all()
    for engagement in engagements:
        if engagement.ends_on <= last:
            events.append(
                Event(
                    f"end-{engagement.id}",
                    engagement.ends_on,
                    _("契約期間の終了：%(title)s", title=engagement.title),
                    _("情報資産の返還・廃棄（消去）の証跡を受け取ってください。"),
                    link("engagement", engagement.id),
                )
            )
    contractor_ids = {row.contractor_id for row in engagements}
    if contractor_ids:
        for certificate in session.execute(
            select(
                Certification.id,
                Certification.valid_until,
                Certification.kind,
                Certification.kind_other,
                Contractor.id.label("contractor_id"),
                Contractor.name,
            )
            .join(Contractor, Contractor.id == Certification.contractor_id)
            .where(
                Certification.contractor_id.in_(contractor_ids),
                Certification.archived_at.is_(None),
                Certification.valid_until.between(first, last),
            )
        ):
            label = certificate.kind_other or certificate.kind.label
            events.append(
                Event(
                    f"cert-{certificate.id}",
                    certificate.valid_until,
                    _(
                        "認証の有効期限：%(contractor)s %(cert)s",
                        contractor=certificate.name,
                        cert=label,
                    ),
                    url=link_for(
                        [["contractors.detail", {"contractor_id": certificate.contractor_id}]], True
                    ),
                )
            )
    services = session.execute(
        select(
            CloudService.id,
            CloudService.title,
            CloudService.approval_state,
            CloudService.approval_valid_until,
            CloudService.ismap_registration_number,
        ).where(mine, live, CloudService.state != ArrangementState.ENDED)
    ).all()
    for cloud_service in services:
        if (
            cloud_service.approval_state == ApprovalState.APPROVED
            and cloud_service.approval_valid_until
            and first <= cloud_service.approval_valid_until <= last
        ):
            events.append(
                Event(
                    f"approval-{cloud_service.id}",
                    cloud_service.approval_valid_until,
                    _("利用承認の期限：%(title)s", title=cloud_service.title),
                    url=link("cloud_service", cloud_service.id),
                )
            )
    numbers = {
        normalise_number(row.ismap_registration_number): row
        for row in services
        if row.ismap_registration_number
    }
    if numbers:
        for registration in session.execute(
            select(IsmapRegistration.registration_number, IsmapRegistration.valid_until).where(
                IsmapRegistration.valid_until.between(first, last),
                IsmapRegistration.left_list_on.is_(None),
                func.upper(IsmapRegistration.registration_number).in_(set(numbers)),
            )
        ):
            service = numbers.get(normalise_number(registration.registration_number))
            if service is not None:
                events.append(
                    Event(
                        f"ismap-{service.id}",
                        registration.valid_until,
                        _("ISMAP登録の有効期限：%(title)s", title=service.title),
                        registration.registration_number,
                        link("cloud_service", service.id),
                    )
                )
    events.sort(key=lambda e: (e.day, e.uid))
    return events[:MAX_EVENTS]


def render(events: list[Event], calendar_name: str, host: str) -> bytes:
    """The VCALENDAR of the events; the icalendar library escapes and folds the text."""
    calendar = Calendar()
    calendar.add("prodid", "-//vendorguard//reminders//JA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # X- properties have no registered type: say which (TEXT is escaped, DURATION is PT6H).
    calendar.add("x-wr-calname", vText(calendar_name))
    calendar.add("x-wr-timezone", vText("Asia/Tokyo"))
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(timedelta(hours=6)))
    stamp = datetime.now(UTC).replace(microsecond=0)
    for item in events:
        event = ICalEvent()
        event.add("uid", f"{item.uid}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)  # a date: an all-day event (VALUE=DATE)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("transp", "TRANSPARENT")
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        calendar.add_component(event)
    return calendar.to_ical()


def feed_for(session: Session, user, today: date) -> bytes:
    """The whole feed of one user, in their language."""
    languages = current_app.config["LANGUAGES"]
    locale = user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        events = events_for(session, user, today)
        name = _("vendorguard 期限一覧（%(name)s）", name=user.name)
    host = link_for([["dashboard.index", {}]], external=True) or "vendorguard"
    return render(events, name, host.split("//", 1)[-1].split("/", 1)[0] or "vendorguard")
