"""Reads for the home page: reviews waiting, overdue requests."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.evidence.helpers import day, requirement, store
from vendorguard.auth.roles import Role
from vendorguard.evidence import home_queries, services
from vendorguard.evidence.models import Cadence, EvidenceProvider
from vendorguard.extensions import db

TODAY = day("2026-11-28")


def _request(arrangement, title, *, due="2026-12-10", provider=EvidenceProvider.CONTRACTOR):
    item = requirement(
        db.session, arrangement, title=title, cadence=Cadence.AD_HOC, provider=provider
    )
    created = services.create_adhoc_request(
        db.session,
        arrangement,
        services.AdhocData(due_on=day(due), requirement_id=item.id),
        day("2026-01-05"),
    )
    db.session.commit()
    return created


def _titles(stmt) -> list[str]:
    rows = db.session.scalars(stmt).unique().all()
    # what a home-page row shows must be loaded (relationships raise otherwise)
    return [f"{r.evidence_requirement.title}@{r.arrangement.department.name}" for r in rows]


def test_overdue_requests_of_a_department_and_of_all(make):
    mine, other = make.department(name="税務課"), make.department(name="福祉課")
    engagement = make.engagement(department=mine)
    late = _request(engagement, "月次報告", due="2026-11-02")
    _request(engagement, "年次報告", due="2026-12-10")
    sent = _request(engagement, "名簿", due="2026-11-05")
    services.submit(db.session, sent, [store()], "", via="portal")
    _request(make.engagement(department=other), "他課の報告", due="2026-10-30")
    archived = make.engagement(department=mine)
    gone = _request(archived, "アーカイブ済の案件", due="2026-11-01")
    db.session.refresh(archived)
    archived.archived_at = datetime(2026, 10, 1, tzinfo=UTC)
    db.session.commit()
    assert _titles(home_queries.overdue_requests(TODAY, department_id=mine.id)) == [
        "月次報告@税務課"
    ]
    assert _titles(home_queries.overdue_requests(TODAY)) == ["他課の報告@福祉課", "月次報告@税務課"]
    assert late.id and gone.id
    for department_id in (mine.id, other.id, None):
        rows = [
            r.id for r in _rows(home_queries.overdue_requests(TODAY, department_id=department_id))
        ]
        assert _ids(home_queries.overdue_request_keys(TODAY, department_id=department_id)) == rows
        # the keys the home page picks its first rows by (the requests' copy of the department)
        picked = home_queries.overdue_request_keys(TODAY, department_id=department_id, picking=True)
        assert _ids(picked) == rows


def _rows(stmt) -> list:
    return list(db.session.scalars(stmt).unique().all())


def _ids(keys) -> list[int]:
    return list(db.session.scalars(keys).all())


def test_submissions_waiting_for_review_follow_who_may_review(make):
    mine, other = make.department(), make.department()
    officer = make.user(Role.OFFICER, department=mine)
    own_request = _request(make.engagement(department=mine), "自課の報告")
    other_request = _request(make.engagement(department=other), "他課の報告")
    first = services.submit(db.session, own_request, [store()], "", via="portal")
    services.submit(
        db.session, own_request, [store()], "差替え", via="portal"
    )  # supersedes the first
    services.submit(db.session, other_request, [store()], "", via="portal")
    db.session.commit()

    def waiting(user) -> list[tuple[str, int]]:
        rows = db.session.scalars(home_queries.submissions_awaiting_review(user)).unique().all()
        return [(s.request.evidence_requirement.title, s.version) for s in rows]

    assert waiting(officer) == [("自課の報告", 2)]
    assert sorted(waiting(make.user(Role.ADMIN))) == [("他課の報告", 1), ("自課の報告", 2)]
    assert len(waiting(make.user(Role.PROCUREMENT))) == 2  # engagements of every department
    assert waiting(make.user(Role.AUDITOR)) == []
    assert first.id
    # the home page counts and picks its rows by the keys: the same submissions, in the same order
    for user in (officer, make.user(Role.ADMIN), make.user(Role.AUDITOR)):
        assert _ids(home_queries.submission_keys_awaiting_review(user)) == [
            s.id for s in _rows(home_queries.submissions_awaiting_review(user))
        ]
