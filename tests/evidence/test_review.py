"""Submissions and review: every version kept with who and when; the request's status follows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.evidence.helpers import day, requirement, store
from vendorguard.arrangements.models import Arrangement
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.evidence import services
from vendorguard.evidence.models import (
    Cadence,
    EvidenceFile,
    EvidenceSubmission,
    RequestStatus,
    ReviewDecision,
    UploadLink,
)
from vendorguard.extensions import db

TODAY = day("2026-11-28")


@pytest.fixture
def evidence_request(make):
    engagement = make.engagement()
    item = requirement(
        db.session, engagement, title="年次報告書", cadence=Cadence.AD_HOC, validity_days=365
    )
    created = services.create_adhoc_request(
        db.session,
        engagement,
        services.AdhocData(
            due_on=day("2026-12-10"), requirement_id=item.id, note="令和8年度分をお願いします。"
        ),
        TODAY,
    )
    db.session.commit()
    return created


def test_reject_resubmit_accept_keeps_every_version(make, evidence_request):
    officer = make.user(Role.OFFICER)
    contractor_user = make.user(Role.CONTRACTOR, contractor_id=make.contractor().id)
    first = services.submit(
        db.session,
        evidence_request,
        [store(name="報告書.pdf"), store(name="別紙.pdf")],
        " 初回提出です ",
        user=contractor_user,
        via="portal",
    )
    db.session.commit()
    assert (first.version, first.comment, first.submitted_via, first.submitted_by_id) == (
        1,
        "初回提出です",
        "portal",
        contractor_user.id,
    )
    assert evidence_request.status == RequestStatus.SUBMITTED
    assert [
        f.original_filename
        for f in db.session.scalars(
            select(EvidenceFile)
            .where(EvidenceFile.submission_id == first.id)
            .order_by(EvidenceFile.id)
        )
    ] == ["報告書.pdf", "別紙.pdf"]

    with pytest.raises(DomainError) as error:
        services.review(db.session, first, "rejected", officer, reason="  ", today=TODAY)
    assert error.value.field == "reason"
    db.session.rollback()
    services.review(
        db.session, first, "rejected", officer, reason="署名がありません。", today=TODAY
    )
    db.session.commit()
    assert evidence_request.status == RequestStatus.REJECTED
    assert (first.decision, first.reviewed_by_id, first.review_reason, first.valid_until) == (
        ReviewDecision.REJECTED,
        officer.id,
        "署名がありません。",
        None,
    )

    second = services.submit(
        db.session,
        evidence_request,
        [store(name="報告書（署名済）.pdf")],
        "署名しました",
        user=contractor_user,
        via="portal",
    )
    db.session.commit()
    assert second.version == 2 and evidence_request.status == RequestStatus.SUBMITTED
    services.review(db.session, second, "accepted", officer, today=TODAY)
    db.session.commit()
    assert evidence_request.status == RequestStatus.ACCEPTED
    assert second.valid_until == TODAY + timedelta(days=365)
    assert second.reviewed_at is not None

    versions = db.session.scalars(
        select(EvidenceSubmission)
        .where(EvidenceSubmission.request_id == evidence_request.id)
        .order_by(EvidenceSubmission.version)
    ).all()
    assert [(v.version, v.decision) for v in versions] == [
        (1, ReviewDecision.REJECTED),
        (2, ReviewDecision.ACCEPTED),
    ]
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "evidence_submission")
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == ["create", "reject", "create", "accept"]


def test_accepted_and_withdrawn_requests_refuse_submissions(make, evidence_request):
    submission = services.submit(db.session, evidence_request, [store()], "", via="internal")
    services.review(
        db.session, submission, ReviewDecision.ACCEPTED, make.user(Role.ADMIN), today=TODAY
    )
    db.session.commit()
    with pytest.raises(DomainError, match="既に受理"):
        services.submit(db.session, evidence_request, [store()], "", via="internal")

    arrangement = db.session.get(Arrangement, evidence_request.arrangement_id)
    other = services.create_adhoc_request(
        db.session,
        arrangement,
        services.AdhocData(due_on=day("2026-12-24"), title="臨時の報告", provider="contractor"),
        TODAY,
    )
    services.close_request(db.session, other, "不要になったため")
    db.session.commit()
    with pytest.raises(DomainError, match="取り下げ"):
        services.submit(db.session, other, [store()], "", via="portal")


def test_a_submission_needs_files_and_a_known_channel(evidence_request):
    with pytest.raises(DomainError) as error:
        services.submit(db.session, evidence_request, [], "コメントだけ", via="portal")
    assert error.value.field == "files"
    with pytest.raises(ValueError):
        services.submit(db.session, evidence_request, [store()], "", via="email")


def test_a_new_version_before_review_supersedes_the_pending_one(make, evidence_request):
    officer = make.user(Role.OFFICER)
    first = services.submit(db.session, evidence_request, [store()], "", via="internal")
    second = services.submit(
        db.session, evidence_request, [store()], "差し替えます", via="internal"
    )
    db.session.commit()
    assert first.decision == ReviewDecision.SUPERSEDED and second.decision == ReviewDecision.PENDING
    with pytest.raises(DomainError, match="新しい版"):
        services.review(db.session, first, "accepted", officer, today=TODAY)
    services.review(
        db.session, second, "accepted", officer, valid_until=day("2027-06-30"), today=TODAY
    )
    db.session.commit()
    assert second.valid_until == day("2027-06-30")
    with pytest.raises(DomainError, match="既に確認済み"):
        services.review(db.session, second, "rejected", officer, reason="やはり", today=TODAY)


def test_review_refuses_unknown_decisions_and_past_expiry_dates(make, evidence_request):
    officer = make.user(Role.OFFICER)
    submission = services.submit(db.session, evidence_request, [store()], "", via="internal")
    db.session.commit()
    with pytest.raises(DomainError) as error:
        services.review(db.session, submission, "pending", officer, today=TODAY)
    assert error.value.field == "decision"
    with pytest.raises(DomainError) as error:
        services.review(
            db.session, submission, "accepted", officer, valid_until=day("2026-11-27"), today=TODAY
        )
    assert error.value.field == "valid_until"


def test_a_submission_whose_files_are_gone_cannot_be_accepted_only_returned(make, evidence_request):
    officer = make.user(Role.OFFICER)
    submission = services.submit(db.session, evidence_request, [store()], "", via="internal")
    db.session.commit()
    # e.g. a file removed afterwards by an administrator: nothing is left to accept
    for file in db.session.scalars(
        select(EvidenceFile).where(EvidenceFile.submission_id == submission.id)
    ):
        db.session.delete(file)
    db.session.commit()
    with pytest.raises(DomainError, match="ファイルのない提出は受理できません") as error:
        services.review(db.session, submission, "accepted", officer, today=TODAY)
    assert error.value.field == "decision"
    db.session.rollback()
    services.review(
        db.session, submission, "rejected", officer, reason="ファイルがありません。", today=TODAY
    )
    db.session.commit()
    assert submission.decision == ReviewDecision.REJECTED


def test_evidence_without_a_validity_stays_valid_until_replaced(make):
    engagement = make.engagement()
    item = requirement(db.session, engagement, cadence=Cadence.AD_HOC, validity_days=None)
    created = services.create_adhoc_request(
        db.session,
        engagement,
        services.AdhocData(due_on=day("2026-12-01"), requirement_id=item.id),
        TODAY,
    )
    submission = services.submit(db.session, created, [store()], "", via="internal")
    services.review(db.session, submission, "accepted", make.user(Role.ADMIN), today=TODAY)
    assert submission.valid_until is None


def test_a_link_submission_records_the_link(evidence_request):
    link = UploadLink(
        request_id=evidence_request.id, nonce="n" * 32, expires_at=utcnow() + timedelta(days=14)
    )
    db.session.add(link)
    db.session.flush()
    submission = services.submit(
        db.session, evidence_request, [store()], "リンクから", via="link", link=link
    )
    db.session.commit()
    assert (submission.submitted_via, submission.upload_link_id, submission.submitted_by_id) == (
        "link",
        link.id,
        None,
    )


def test_adhoc_requests_are_numbered_and_moved_off_closed_days(make):
    engagement = make.engagement()
    first = services.create_adhoc_request(
        db.session,
        engagement,
        services.AdhocData(
            due_on=day("2027-01-01"),
            title="事故報告書",
            provider="contractor",
            description="11月の障害について",
        ),
        TODAY,
    )
    item_id = first.evidence_requirement_id
    second = services.create_adhoc_request(
        db.session,
        engagement,
        services.AdhocData(due_on=day("2026-12-15"), requirement_id=item_id),
        TODAY,
    )
    db.session.commit()
    assert (first.occurrence, first.scheduled_due_on, first.due_on) == (
        "adhoc-1",
        day("2027-01-01"),
        day("2027-01-04"),
    )
    assert first.was_moved and not second.was_moved
    assert second.occurrence == "adhoc-2" and second.evidence_requirement_id == item_id
    with pytest.raises(DomainError) as error:
        services.create_adhoc_request(
            db.session,
            engagement,
            services.AdhocData(due_on=day("2026-11-27"), requirement_id=item_id),
            TODAY,
        )
    assert error.value.field == "due_on"
    with pytest.raises(DomainError) as error:
        services.create_adhoc_request(
            db.session, engagement, services.AdhocData(due_on=day("2026-12-01")), TODAY
        )
    assert error.value.field == "title"
    other = make.engagement()
    with pytest.raises(DomainError) as error:  # a requirement of another arrangement
        services.create_adhoc_request(
            db.session,
            other,
            services.AdhocData(due_on=day("2026-12-01"), requirement_id=item_id),
            TODAY,
        )
    assert error.value.field == "requirement_id"
