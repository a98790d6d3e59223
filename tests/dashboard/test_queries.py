"""The home page's query budget (issue 16): at most 8 queries for every role, the same at 5 rows
and at 500 of everything it lists."""

from __future__ import annotations

import pytest

from tests.dashboard.test_dashboard import _bulk, days
from vendorguard.auth.roles import Role
from vendorguard.dashboard.summary import kept_counts
from vendorguard.evidence.models import (
    Cadence,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
    RequestStatus,
)
from vendorguard.extensions import db

BUDGET = 8
ROLES = (Role.ADMIN, Role.PROCUREMENT, Role.OFFICER, Role.SNS_OWNER, Role.AUDITOR)


def _overdue_requests(engagement, count: int) -> None:
    requirement = EvidenceRequirement(
        arrangement_id=engagement.id,
        title="定期報告",
        provider=EvidenceProvider.CONTRACTOR,
        cadence=Cadence.AD_HOC,
    )
    db.session.add(requirement)
    db.session.flush()
    db.session.add_all(
        EvidenceRequest(
            evidence_requirement_id=requirement.id,
            arrangement_id=engagement.id,
            occurrence=f"bulk-{n}",
            scheduled_due_on=days(-1 - n % 30),
            due_on=days(-1 - n % 30),
            status=RequestStatus.OPEN,
        )
        for n in range(count)
    )
    db.session.commit()


def _measure(client, login_as, users, count_queries) -> dict[Role, int]:
    counts = {}
    for role, user in users.items():
        client.post("/logout")
        login_as(user)
        kept_counts(
            client.application
        ).clear()  # the chart counted too, as at its minute's first view
        with count_queries() as counter:
            assert client.get("/").status_code == 200
        counts[role] = counter.count
    return counts


def test_home_queries_stay_within_budget_and_constant(client, make, login_as, count_queries):
    department = make.department()
    contractor = make.contractor()
    engagement = make.engagement(department, contractor, ends_on=days(400))
    users = {role: make.user(role, department=department) for role in ROLES}
    _bulk(department, contractor, 5)
    _overdue_requests(engagement, 5)
    few = _measure(client, login_as, users, count_queries)

    _bulk(department, contractor, 495)
    _overdue_requests(engagement, 495)
    many = _measure(client, login_as, users, count_queries)

    assert many == few
    assert all(count <= BUDGET for count in few.values()), few


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICER])
def test_nothing_urgent_costs_no_more(client, make, login_as, count_queries, role):
    login_as(make.user(role, department=make.department()))
    with count_queries() as counter:
        html = client.get("/").get_data(as_text=True)
    assert "現在、対応が必要な事項はありません。" in html
    assert counter.count <= BUDGET - 3  # no section is read when every one is empty
