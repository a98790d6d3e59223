"""Optimistic locking: two people act on the same page; the second, on a stale page, is refused.

Each test loads the page in two sessions (two test clients, two signed-in users), lets the first
submit, then submits the second with the version its page was rendered with. The second gets the
message, the database keeps the first decision and the trail has no entry for the refused one.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.evidence.helpers import requirement, store
from tests.social.conftest import COMPLETE
from vendorguard.approvals.models import ApplicationStatus, ApprovalRequest, ApprovalState
from vendorguard.assessments import services as assessment_services
from vendorguard.assessments.models import (
    Action,
    ActionStatus,
    Assessment,
    AssessmentMethod,
    AssessmentResult,
)
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.catalog import clause_services
from vendorguard.catalog import services as catalog_services
from vendorguard.catalog.models import Clause, Requirement, Waiver
from vendorguard.catalog.services import ensure_catalog
from vendorguard.cloud.models import CloudUseApplication
from vendorguard.core.concurrency import StaleWrite, flush
from vendorguard.evidence import services as evidence_services
from vendorguard.evidence.models import (
    Cadence,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceSubmission,
    RequestStatus,
    ReviewDecision,
)
from vendorguard.extensions import db

STALE = "他の利用者が先に更新しました。最新の内容を確認してからやり直してください。"


def form_fields(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to ``action`` on a rendered page (a form without an
    action attribute posts back to the page itself)."""
    match = re.search(
        r'<form[^>]*action="' + re.escape(action) + r'"[^>]*>(.*?)</form>', html, re.S
    ) or re.search(r'<form method="post"(?![^>]*action=)[^>]*>(.*?)</form>', html, re.S)
    assert match, f"no form posting to {action}"
    fields = {}
    for tag in re.findall(r"<input[^>]*>", match.group(1)):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[name.group(1)] = value.group(1) if value else ""
    assert "version" in fields, f"the form posting to {action} carries no version"
    return fields


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.seq)))


@pytest.fixture
def two_sessions(app):
    """``two_sessions(first_user, second_user)``: two signed-in test clients."""

    def open_both(first_user, second_user):
        first, second = app.test_client(), app.test_client()
        login(first, first_user)
        login(second, second_user)
        return first, second

    return open_both


def race(first, second, page: str, action: str, first_data: dict, second_data: dict):
    """Both load ``page``; the first posts to ``action``, then the second with its stale page.

    Returns the second response and the audit events written by the second post."""
    first_form = form_fields(first.get(page).get_data(as_text=True), action)
    second_form = form_fields(second.get(page).get_data(as_text=True), action)
    assert first_form["version"] == second_form["version"]
    done = first.post(action, data={**first_form, **first_data})
    assert done.status_code == 302, done.get_data(as_text=True)[-2000:]
    before = audit_count()
    refused = second.post(action, data={**second_form, **second_data}, follow_redirects=True)
    db.session.expire_all()
    return refused, audit_count() - before


def test_cloud_use_application_second_decision_on_a_stale_page_is_refused(make, two_sessions):
    department = make.department()
    officer = make.user(Role.OFFICER, department=department)
    service = make.cloud_service(
        department=department,
        responsible_officer_id=officer.id,
        approval_state=ApprovalState.APPLIED,
    )
    application = CloudUseApplication(
        arrangement_id=service.id,
        department_id=department.id,
        applicant_id=officer.id,
        purpose="申請の受付",
        checklist={},
    )
    db.session.add(application)
    db.session.commit()
    first_admin, second_admin = make.user(Role.ADMIN), make.user(Role.ADMIN)
    first, second = two_sessions(first_admin, second_admin)
    page = f"/cloud-services/{service.id}"

    # The second admin's page still offers both decisions; approve there, reject here.
    second_form = form_fields(
        second.get(page).get_data(as_text=True), f"/cloud-services/{service.id}/reject"
    )
    refused, written = race(
        first,
        second,
        page,
        f"/cloud-services/{service.id}/approve",
        {"approval_valid_until": "2099-03-31", "approval_comment": ""},
        {"approval_valid_until": "2099-12-31", "approval_comment": "上書き"},
    )
    assert STALE in refused.get_data(as_text=True)
    rejected = second.post(
        f"/cloud-services/{service.id}/reject",
        data={**second_form, "reject_comment": "却下します"},
    )
    assert STALE in rejected.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(CloudUseApplication, application.id)
    assert kept.status == ApplicationStatus.APPROVED and kept.decided_by_id == first_admin.id
    assert kept.valid_until == date(2099, 3, 31) and kept.decision_comment == ""
    assert db.session.get(type(service), service.id).approval_valid_until == date(2099, 3, 31)
    assert written == 0


def test_sns_account_second_decision_on_a_stale_page_is_refused(make, two_sessions):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    account = make.social_account(
        department=department,
        responsible_officer_id=owner.id,
        approval_state=ApprovalState.APPLIED,
        **COMPLETE,
    )
    first_admin, second_admin = make.user(Role.ADMIN), make.user(Role.ADMIN)
    first, second = two_sessions(first_admin, second_admin)
    refused, written = race(
        first,
        second,
        f"/social-accounts/{account.id}",
        f"/social-accounts/{account.id}/reject",
        {"reject_comment": "運用手順を詳しく"},
        {"reject_comment": "別の理由で上書き"},
    )
    assert STALE in refused.get_data(as_text=True)
    [request] = db.session.scalars(
        select(ApprovalRequest).where(ApprovalRequest.arrangement_id == account.id)
    ).all()
    assert request.status == ApplicationStatus.REJECTED
    assert request.decision_comment == "運用手順を詳しく"
    assert request.decided_by_id == first_admin.id
    assert db.session.get(type(account), account.id).approval_comment == "運用手順を詳しく"
    assert written == 0


def test_evidence_review_on_a_stale_page_is_refused(make, two_sessions):
    department = make.department()
    engagement = make.engagement(department=department)
    item = requirement(
        db.session,
        engagement,
        title="点検記録",
        cadence=Cadence.AD_HOC,
        provider=EvidenceProvider.CONTRACTOR,
        validity_days=180,
    )
    evidence_request = evidence_services.create_adhoc_request(
        db.session,
        engagement,
        evidence_services.AdhocData(due_on=date(2099, 3, 1), requirement_id=item.id),
        date(2020, 1, 6),
    )
    submission = evidence_services.submit(
        db.session, evidence_request, [store()], "提出します", via="portal"
    )
    db.session.commit()
    first_officer = make.user(Role.OFFICER, department=department)
    second_officer = make.user(Role.OFFICER, department=department)
    first, second = two_sessions(first_officer, second_officer)
    refused, written = race(
        first,
        second,
        f"/evidence/requests/{evidence_request.id}",
        f"/evidence/submissions/{submission.id}/review",
        {"decision": "accepted", "valid_until": "2099-12-31"},
        {"decision": "rejected", "reason": "押印がありません。"},
    )
    assert refused.status_code == 400 and STALE in refused.get_data(as_text=True)
    kept = db.session.get(EvidenceSubmission, submission.id)
    assert kept.decision == ReviewDecision.ACCEPTED and kept.reviewed_by_id == first_officer.id
    assert kept.review_reason == ""
    assert db.session.get(EvidenceRequest, evidence_request.id).status == RequestStatus.ACCEPTED
    assert written == 0


def test_waiver_withdrawal_on_a_stale_page_is_refused(make, two_sessions):
    ensure_catalog(db.session)
    db.session.commit()
    engagement = make.engagement()
    clause_services.archive_clause(
        db.session, db.session.scalars(select(Clause).where(Clause.code == "ENG-14")).one()
    )
    admin = make.user(Role.ADMIN)
    requirement_ = db.session.scalars(select(Requirement).where(Requirement.code == "OUT-12")).one()
    waiver = catalog_services.record_waiver(
        db.session, engagement, requirement_, "公表は市の広報が行う", admin
    )
    db.session.commit()
    first, second = two_sessions(admin, make.user(Role.ADMIN))
    # Between the two pages someone changes the waiver's record (its reason is corrected).
    page = f"/catalog/coverage/{engagement.id}"
    action = f"/catalog/waivers/{waiver.id}/withdraw"
    second_form = form_fields(second.get(page).get_data(as_text=True), action)
    waiver.reason = "公表は市の広報課が行う"
    db.session.commit()
    before = audit_count()
    refused = second.post(action, data=second_form, follow_redirects=True)
    db.session.expire_all()
    assert STALE in refused.get_data(as_text=True)
    assert db.session.get(Waiver, waiver.id).archived_at is None
    assert audit_count() == before
    # Two admins withdrawing at once: the first wins, the second is told, nothing is written twice.
    refused, written = race(first, second, page, action, {}, {})
    assert STALE in refused.get_data(as_text=True)
    assert db.session.get(Waiver, waiver.id).archived_at is not None
    assert written == 0


def _assessment(make, department, owner):
    engagement = make.engagement(department=department)
    data = assessment_services.AssessmentData(
        assessed_on=date(2026, 4, 10),
        result=AssessmentResult.PARTIALLY_CONFORMING,
        method=AssessmentMethod.REPORT,
        summary="定期報告書を確認した。",
        findings="ログの保存期間が短い",
        owner_id=owner.id,
        due_on=date(2099, 5, 31),
    )
    assessment = assessment_services.record_assessment(
        db.session, engagement, data, owner, today=date(2026, 4, 10)
    )
    db.session.commit()
    return assessment


def test_assessment_archive_on_a_stale_page_is_refused(make, two_sessions):
    department = make.department()
    first_officer = make.user(Role.OFFICER, department=department)
    assessment = _assessment(make, department, first_officer)
    first, second = two_sessions(first_officer, make.user(Role.OFFICER, department=department))
    page = f"/assessments/{assessment.id}"
    archive = f"/assessments/{assessment.id}/archive"
    second_form = form_fields(second.get(page).get_data(as_text=True), archive)
    # The first archives and restores it again: the second's page looks the same but is stale.
    first_form = form_fields(first.get(page).get_data(as_text=True), archive)
    assert first.post(archive, data=first_form).status_code == 302
    restore = f"/assessments/{assessment.id}/restore"
    assert (
        first.post(
            restore, data=form_fields(first.get(page).get_data(as_text=True), restore)
        ).status_code
        == 302
    )
    before = audit_count()
    refused = second.post(archive, data=second_form, follow_redirects=True)
    db.session.expire_all()
    assert STALE in refused.get_data(as_text=True)
    assert db.session.get(Assessment, assessment.id).archived_at is None
    assert audit_count() == before


def test_action_close_and_edit_on_a_stale_page_are_refused(make, two_sessions):
    department = make.department()
    first_officer = make.user(Role.OFFICER, department=department)
    assessment = _assessment(make, department, first_officer)
    [action] = db.session.scalars(select(Action).where(Action.assessment_id == assessment.id)).all()
    first, second = two_sessions(first_officer, make.user(Role.OFFICER, department=department))
    close = f"/assessments/actions/{action.id}/close"
    edit = f"/assessments/actions/{action.id}/edit"
    stale_edit = form_fields(second.get(edit).get_data(as_text=True), edit)
    refused, written = race(
        first,
        second,
        close,
        close,
        {"resolution": "保存期間を1年に延ばした", "closed_on": "2026-05-01"},
        {"resolution": "別の内容", "closed_on": "2026-05-02"},
    )
    assert STALE in refused.get_data(as_text=True)
    kept = db.session.get(Action, action.id)
    assert kept.status == ActionStatus.CLOSED and kept.resolution == "保存期間を1年に延ばした"
    assert written == 0
    # Reopened since: an edit from a page shown before the close is refused too.
    reopen = f"/assessments/actions/{action.id}/reopen"
    first.post(reopen, data={"version": str(kept.version)})
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == ActionStatus.OPEN
    before = audit_count()
    refused = second.post(
        edit,
        data={
            **stale_edit,
            "finding": "上書き",
            "owner_id": str(first_officer.id),
            "due_on": "2099-06-30",
            "contractor_response": "",
        },
    )
    db.session.expire_all()
    assert STALE in refused.get_data(as_text=True)
    assert db.session.get(Action, action.id).finding == "ログの保存期間が短い"
    assert audit_count() == before


def test_a_stale_object_that_flushes_is_refused_and_changes_nothing(make, app):
    """The ORM's own check: a row changed by another transaction after it was read is not
    overwritten (the UPDATE names the version read), and the error is the same domain error."""
    department = make.department()
    owner = make.user(Role.OFFICER, department=department)
    assessment = _assessment(make, department, owner)
    [action] = db.session.scalars(select(Action).where(Action.assessment_id == assessment.id)).all()
    stale = db.session.get(Action, action.id)
    assert stale.version == 1
    # Another session (another request, another worker) closes the action and commits.
    with db.engine.connect() as other_connection:
        other = Session(bind=other_connection)
        theirs = other.get(Action, action.id)
        theirs.status = ActionStatus.CLOSED
        theirs.resolution = "先に完了"
        other.commit()
        other.close()
    # Ours still holds version 1 in memory; its write is refused at the flush.
    stale.finding = "古い画面からの変更"
    with pytest.raises(StaleWrite) as caught:
        flush(db.session)
    assert caught.value.message == STALE
    db.session.rollback()
    kept = db.session.get(Action, action.id)
    assert kept.status == ActionStatus.CLOSED and kept.finding == "ログの保存期間が短い"
    assert kept.version == 2
