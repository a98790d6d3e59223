"""Each evidence request's copy of its arrangement's department (``evidence.request_department``)
is filled on insert and follows the arrangement when it moves; one department's lists read by it."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.evidence.helpers import day, requirement
from vendorguard.auth.roles import Role
from vendorguard.cloud.models import CloudService, TermsType
from vendorguard.evidence import services
from vendorguard.evidence.models import (
    Cadence,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
    RequestStatus,
)
from vendorguard.extensions import db


def stored(request_id: int) -> int:
    """The department stored for a request, read past the session's copies."""
    return db.session.execute(
        select(EvidenceRequest.__table__.c.department_id).where(
            EvidenceRequest.__table__.c.id == request_id
        )
    ).scalar_one()


def adhoc(arrangement, due: str = "2026-12-01", title: str = "点検記録") -> EvidenceRequest:
    """A request made through the service (on a day before ``due``), committed."""
    item = requirement(db.session, arrangement, title=title, cadence=Cadence.AD_HOC)
    created = services.create_adhoc_request(
        db.session,
        arrangement,
        services.AdhocData(due_on=day(due), requirement_id=item.id),
        day("2020-01-06"),
    )
    db.session.commit()
    return created


def test_a_new_request_carries_its_arrangements_department(make):
    engagement = make.engagement()
    assert stored(adhoc(engagement).id) == engagement.department_id

    # given its arrangement as an object, both new in one flush: the ids exist only in the flush
    department = make.department()
    service = CloudService(
        department_id=department.id,
        title="新しいクラウド",
        provider_name="事業者",
        terms_type=TermsType.STANDARD_TERMS,
    )
    item = EvidenceRequirement(
        arrangement=service,
        title="年次報告",
        cadence=Cadence.AD_HOC,
        provider=EvidenceProvider.CONTRACTOR,
        due_offset_days=10,
    )
    made = EvidenceRequest(
        evidence_requirement=item,
        arrangement=service,
        occurrence="adhoc-1",
        scheduled_due_on=day("2026-12-01"),
        due_on=day("2026-12-01"),
    )
    db.session.add_all([service, item, made])
    db.session.commit()
    assert stored(made.id) == department.id

    # a value set by hand is overwritten by the arrangement's
    wrong = EvidenceRequest(
        evidence_requirement_id=item.id,
        arrangement_id=service.id,
        department_id=engagement.department_id,
        occurrence="adhoc-2",
        scheduled_due_on=day("2026-12-02"),
        due_on=day("2026-12-02"),
    )
    db.session.add(wrong)
    db.session.commit()
    assert stored(wrong.id) == department.id


def test_moving_an_arrangement_moves_its_requests_and_no_others(make):
    old, new = make.department(), make.department()
    engagement, neighbour = make.engagement(department=old), make.engagement(department=old)
    first, second = adhoc(engagement), adhoc(engagement, title="作業報告")
    stays = adhoc(neighbour)
    loaded = db.session.get(EvidenceRequest, first.id)

    engagement.department_id = new.id
    db.session.flush()
    # the session's own copy of a moved row reads the new value without being reloaded
    assert loaded.department_id == new.id
    db.session.commit()
    assert stored(first.id) == stored(second.id) == new.id
    assert stored(stays.id) == old.id

    # a change that leaves the department alone rewrites nothing
    engagement.title = "改題した業務委託"
    db.session.commit()
    assert stored(first.id) == new.id

    # moved by giving the arrangement its department object (the flush sets the key)
    db.session.refresh(engagement, attribute_names=["department"])
    engagement.department = old
    db.session.commit()
    assert stored(first.id) == stored(second.id) == old.id


def test_one_departments_list_and_home_follow_a_moved_arrangement(client, login_as, make):
    old, new = make.department(), make.department()
    engagement = make.engagement(department=old, title="移管される業務委託")
    overdue = adhoc(engagement, due="2020-02-03", title="期限切れの報告")
    assert overdue.status == RequestStatus.OPEN
    officer_old = make.user(Role.OFFICER, department=old)
    officer_new = make.user(Role.OFFICER, department=new)

    login_as(officer_old)
    assert "期限切れの報告" in client.get("/evidence/requests/").get_data(as_text=True)
    assert "期限切れの報告" in client.get("/").get_data(as_text=True)

    engagement.department_id = new.id
    db.session.commit()
    assert "期限切れの報告" not in client.get("/evidence/requests/").get_data(as_text=True)
    assert "期限切れの報告" not in client.get("/").get_data(as_text=True)

    client.post("/logout")
    login_as(officer_new)
    listed = client.get("/evidence/requests/").get_data(as_text=True)
    assert "期限切れの報告" in listed and "1件" in listed
    assert "期限切れの報告" in client.get("/").get_data(as_text=True)


def _listed(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'href="/evidence/requests/(\d+)"', page)]


def test_the_department_list_pages_in_due_order_with_the_arrangement_count(client, login_as, make):
    department = make.department()
    officer = make.user(Role.OFFICER, department=department)
    engagement = make.engagement(department=department)
    elsewhere = make.engagement()
    item = requirement(
        db.session, engagement, cadence=Cadence.AD_HOC, provider=EvidenceProvider.INTERNAL
    )
    for n in range(30):  # due on 30 different days (some moved off closed days), newest made first
        services.create_adhoc_request(
            db.session,
            engagement,
            services.AdhocData(
                due_on=day("2027-01-30").replace(day=30 - n), requirement_id=item.id
            ),
            day("2020-01-06"),
        )
    adhoc(elsewhere, due="2026-12-24", title="他課の報告")
    db.session.commit()
    in_order = db.session.scalars(
        select(EvidenceRequest.id)
        .where(EvidenceRequest.arrangement_id == engagement.id)
        .order_by(EvidenceRequest.due_on, EvidenceRequest.id)
    ).all()

    login_as(officer)
    first = client.get("/evidence/requests/").get_data(as_text=True)
    assert "全30件" in first and "他課の報告" not in first
    assert _listed(first) == in_order[:25]
    second = client.get("/evidence/requests/?page=2").get_data(as_text=True)
    assert _listed(second) == in_order[25:]
