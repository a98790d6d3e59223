"""The exit (契約終了時の措置): a checklist derived from what the engagement handled, erasure
certificates as evidence requests, closing refused while items are open, waivers audited, and
the pre-end reminder sent once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.engagements.helpers import audit_actions
from tests.evidence.helpers import store
from tests.supervision.test_roster import switch
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import today_tokyo
from vendorguard.engagements.models import InformationItem
from vendorguard.evidence import review
from vendorguard.evidence.models import EvidenceRequest, ReviewDecision
from vendorguard.extensions import db
from vendorguard.reminders import sweep
from vendorguard.reminders.models import Notification
from vendorguard.supervision import exits, queries
from vendorguard.supervision.models import ExitChecklist, ExitItemKind, StaffMember


def _ended(make, **fields):
    department = make.department()
    officer = make.user(Role.OFFICER, department=department)
    today = today_tokyo()
    fields.setdefault("handles_personal_info", True)
    engagement = make.engagement(
        department=department,
        subcontracting_allowed=True,
        starts_on=today - timedelta(days=365),
        ends_on=today - timedelta(days=1),
        state=ArrangementState.ACTIVE,
        access_method="VPN接続",
        **fields,
    )
    return engagement, officer


def _checklist(engagement) -> ExitChecklist:
    return db.session.scalars(queries.checklist(engagement.id)).unique().one()


def _accept(request_id: int, officer) -> None:
    request = db.session.get(EvidenceRequest, request_id)
    submission = review.submit(db.session, request, [store()], "消去証明書", user=officer)
    review.review(db.session, submission, ReviewDecision.ACCEPTED, officer)
    db.session.commit()


def test_the_checklist_follows_what_the_engagement_handled(make):
    engagement, officer = _ended(make)
    holder = make.subcontractor(engagement, information_handled="住民記録")
    make.subcontractor(engagement, approved=False, information_handled="")  # proposed only, refused
    exits.open_exit(db.session, engagement, officer, today_tokyo(), sns_work=True)
    db.session.commit()
    checklist = db.session.scalars(
        select(ExitChecklist).where(ExitChecklist.engagement_id == engagement.id)
    ).one()
    kinds = [
        (item.kind, item.subcontractor_id)
        for item in db.session.scalars(
            select(exits.ExitItem)
            .where(exits.ExitItem.checklist_id == checklist.id)
            .order_by(exits.ExitItem.position)
        )
    ]
    assert (ExitItemKind.DATA_ERASURE, None) in kinds
    assert (ExitItemKind.ERASURE_CERTIFICATE, None) in kinds
    assert (ExitItemKind.SUB_ERASURE_CERTIFICATE, holder.id) in kinds
    assert (ExitItemKind.VPN, None) in kinds and (ExitItemKind.SNS_CREDENTIALS, None) in kinds
    titles = db.session.scalars(
        select(EvidenceRequest).where(EvidenceRequest.arrangement_id == engagement.id)
    ).all()
    assert len(titles) == 3  # the contractor's certificate and one per stage that held data
    with pytest.raises(DomainError, match="既に開始"):
        exits.open_exit(db.session, engagement, officer, today_tokyo(), sns_work=False)


def test_a_printing_job_far_from_its_end_cannot_open_and_asks_for_no_certificate(make):
    today = today_tokyo()
    engagement = make.engagement(starts_on=today, ends_on=today + timedelta(days=200))
    officer = make.user(Role.ADMIN)
    with pytest.raises(DomainError, match="30日前から"):
        exits.open_exit(db.session, engagement, officer, today, sns_work=False)
    engagement.state = ArrangementState.ENDED  # cancelled early
    exits.open_exit(db.session, engagement, officer, today, sns_work=False)
    assert ExitItemKind.ERASURE_CERTIFICATE not in {i.kind for i in _checklist(engagement).items}


def test_closing_is_refused_without_the_erasure_certificate_and_succeeds_with_it(
    client, make, login_as
):
    engagement, officer = _ended(make)
    db.session.add(InformationItem(engagement_id=engagement.id, name="住民記録"))
    staff = StaffMember(engagement_id=engagement.id, name="作業 太郎", starts_on=date(2026, 4, 1))
    db.session.add(staff)
    db.session.commit()
    login_as(officer)
    page = client.get(f"/engagements/{engagement.id}/exit").get_data(as_text=True)
    assert "終了時の措置を開始" in page
    assert client.post(f"/engagements/{engagement.id}/exit/open", data={}).status_code == 302
    checklist = _checklist(engagement)
    items = {item.kind: item for item in checklist.items}
    url = f"/engagements/{engagement.id}/exit/items"
    # Erasure needs its method and its witness (立会い).
    response = client.post(
        f"{url}/{items[ExitItemKind.DATA_ERASURE].id}", data={"done_on": "2026-12-01"}
    )
    assert "消去の方法を選んでください。" in response.get_data(as_text=True)
    response = client.post(
        f"{url}/{items[ExitItemKind.DATA_ERASURE].id}",
        data={"done_on": "2026-12-01", "method": "overwrite", "witness": "情報政策課 見本"},
    )
    assert response.status_code == 302
    # The roster closes only when everyone has an end date and access removal.
    response = client.post(f"{url}/{items[ExitItemKind.ROSTER].id}", data={"done_on": "2026-12-01"})
    assert "作業 太郎" in response.get_data(as_text=True)
    staff.ends_on = staff.access_revoked_on = date(2026, 11, 30)
    db.session.commit()
    for kind in (
        ExitItemKind.DATA_RETURN,
        ExitItemKind.ACCOUNTS,
        ExitItemKind.VPN,
        ExitItemKind.ROSTER,
    ):
        assert (
            client.post(f"{url}/{items[kind].id}", data={"done_on": "2026-12-01"}).status_code
            == 302
        )
    response = client.post(f"{url}/{items[ExitItemKind.KEYS].id}/waive", data={"reason": ""})
    assert "入力してください" in response.get_data(as_text=True)
    client.post(f"{url}/{items[ExitItemKind.KEYS].id}/waive", data={"reason": "貸与物なし"})
    assert audit_actions("exit_item", items[ExitItemKind.KEYS].id)[-1] == "waive"
    response = client.post(f"/engagements/{engagement.id}/exit/close", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "消去証明書が受理されていないため、業務委託を終了できません。" in html
    db.session.expire_all()
    assert _checklist(engagement).closed_at is None
    _accept(items[ExitItemKind.ERASURE_CERTIFICATE].evidence_request_id, officer)
    response = client.post(f"/engagements/{engagement.id}/exit/close", follow_redirects=True)
    assert "業務委託を終了しました" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _checklist(engagement).closed_at is not None
    assert engagement.state == ArrangementState.ENDED
    assert audit_actions("exit_checklist", _checklist(engagement).id)[-1] == "close"


def test_the_pre_end_reminder_links_the_checklist_and_is_sent_once(client, make, login_as):
    today = today_tokyo()
    department = make.department()
    officer = make.user(Role.OFFICER, department=department)
    engagement = make.engagement(
        department=department,
        starts_on=today - timedelta(days=300),
        ends_on=today + timedelta(days=30),
        state=ArrangementState.ACTIVE,
        responsible_officer_id=officer.id,
    )
    for _run in range(2):  # the daily sweep runs again (or on a second machine)
        sweep.run(db.session, today)
        db.session.commit()
    rows = db.session.scalars(
        select(Notification).where(
            Notification.kind == "contract_end", Notification.arrangement_id == engagement.id
        )
    ).all()
    assert len(rows) == 1 and rows[0].user_id == officer.id
    login_as(officer)
    html = client.get("/notifications/").get_data(as_text=True)
    assert f"/engagements/{engagement.id}/exit" in html


def test_exit_pages_keep_a_constant_query_count(client, make, login_as, count_queries):
    counts = []
    for subs in (5, 50):  # the stages that held data each add an item
        engagement, officer = _ended(make)
        for n in range(subs):
            make.subcontractor(engagement, information_handled=f"情報{n}")
        exits.open_exit(db.session, engagement, officer, today_tokyo(), sns_work=False)
        db.session.commit()
        switch(client, login_as, officer)
        with count_queries() as counter:
            assert client.get(f"/engagements/{engagement.id}/exit").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
