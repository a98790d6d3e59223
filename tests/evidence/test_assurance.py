"""Assurance state: 確認済 only when all current evidence is accepted and in date; otherwise exactly why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.evidence.helpers import day, requirement, store
from vendorguard.auth.roles import Role
from vendorguard.evidence import services
from vendorguard.evidence.assurance import assurance_for, assurance_for_many
from vendorguard.evidence.models import Cadence, EvidenceRequirement
from vendorguard.extensions import db

TODAY = day("2026-11-28")


def _request(engagement, due: str, title: str = "報告書", validity_days: int | None = None):
    item = requirement(
        db.session, engagement, title=title, cadence=Cadence.AD_HOC, validity_days=validity_days
    )
    created = services.create_adhoc_request(
        db.session,
        engagement,
        services.AdhocData(due_on=day(due), requirement_id=item.id),
        day("2025-01-06"),
    )
    db.session.commit()
    return created


def _accept(evidence_request, reviewer, *, on=TODAY, valid_until=None):
    submission = services.submit(db.session, evidence_request, [store()], "", via="internal")
    services.review(db.session, submission, "accepted", reviewer, valid_until=valid_until, today=on)
    submission.reviewed_at = datetime(on.year, on.month, on.day, 3, tzinfo=UTC)
    db.session.commit()
    return submission


def test_without_requirements_there_is_nothing_to_confirm(make):
    state = assurance_for(db.session, make.engagement(), TODAY)
    assert (state.status, state.label, state.badge) == ("none", "証跡項目なし", "badge-muted")


def test_nothing_due_yet_is_not_called_confirmed(make):
    engagement = make.engagement()
    _request(engagement, "2026-12-10")
    state = assurance_for(db.session, engagement, TODAY)
    assert (state.status, state.label, state.items) == ("pending", "提出期限前", [])


def test_all_current_evidence_accepted_and_in_date_is_confirmed(make):
    engagement = make.engagement()
    admin = make.user(Role.ADMIN)
    _accept(_request(engagement, "2026-11-20", validity_days=365), admin, on=day("2026-11-21"))
    _request(engagement, "2026-12-20", title="来月の報告")  # not due yet: does not count
    state = assurance_for(db.session, engagement, TODAY)
    assert (state.status, state.label, state.badge) == ("confirmed", "確認済", "badge-ok")


def test_each_problem_is_listed_with_its_reason(make):
    engagement = make.engagement()
    admin = make.user(Role.ADMIN)
    overdue = _request(engagement, "2026-11-20", title="月次報告")
    _request(
        engagement, "2026-11-30", title="今日期限の報告"
    )  # a Monday, so due today = 11/30 with TODAY moved
    rejected = _request(engagement, "2026-11-25", title="教育記録")
    submission = services.submit(db.session, rejected, [store()], "", via="internal")
    services.review(
        db.session, submission, "rejected", admin, reason="受講者名簿がありません", today=TODAY
    )
    waiting = _request(engagement, "2026-11-26", title="従事者名簿")
    services.submit(db.session, waiting, [store()], "", via="internal")
    db.session.commit()
    state = assurance_for(db.session, engagement, TODAY)
    assert (
        state.status == "attention"
        and state.label == "要対応 3件"
        and state.badge == "badge-danger"
    )
    assert [(i.kind, i.title) for i in state.items] == [
        ("overdue", "月次報告"),
        ("rejected", "教育記録"),
        ("submitted", "従事者名簿"),
    ]
    assert state.items[0].reason == "提出期限（2026年11月20日）を過ぎても提出されていません。"
    assert state.items[0].request_id == overdue.id
    on_the_day = assurance_for(db.session, engagement, day("2026-11-30"))
    assert ("due_today", "今日期限の報告") in [(i.kind, i.title) for i in on_the_day.items]


def test_expired_and_expiring_evidence(make):
    engagement = make.engagement()
    admin = make.user(Role.ADMIN)
    certificate = _request(engagement, "2025-12-01", title="ISMS登録証の写し", validity_days=365)
    _accept(certificate, admin, on=day("2025-12-01"))  # valid until 2026-12-01: expiring
    state = assurance_for(db.session, engagement, TODAY)
    assert state.status == "confirmed" and state.badge == "badge-warn"
    assert [(i.kind, i.on) for i in state.items] == [("expiring", day("2026-12-01"))]
    assert "近づいています" in state.items[0].reason
    later = assurance_for(db.session, engagement, day("2026-12-02"))
    assert later.status == "attention" and [i.kind for i in later.items] == ["expired"]


def test_only_the_latest_accepted_evidence_of_a_requirement_counts(make):
    engagement = make.engagement()
    admin = make.user(Role.ADMIN)
    first = _request(engagement, "2025-06-01", title="ISMS登録証の写し", validity_days=200)
    _accept(first, admin, on=day("2025-06-01"))  # expired 2025-12-18
    renewal = services.create_adhoc_request(
        db.session,
        engagement,
        services.AdhocData(due_on=day("2026-06-01"), requirement_id=first.evidence_requirement_id),
        day("2025-01-06"),
    )
    db.session.commit()
    _accept(renewal, admin, on=day("2026-06-01"))  # valid until 2026-12-18
    assert assurance_for(db.session, engagement, TODAY).status == "confirmed"


def test_a_rejection_not_yet_due_is_a_warning_and_archived_items_do_not_count(make):
    engagement = make.engagement()
    admin = make.user(Role.ADMIN)
    upcoming = _request(engagement, "2026-12-10", title="教育記録")
    submission = services.submit(db.session, upcoming, [store()], "", via="internal")
    services.review(
        db.session, submission, "rejected", admin, reason="日付がありません", today=TODAY
    )
    old = _request(engagement, "2026-10-01", title="廃止した項目")
    db.session.commit()
    state = assurance_for(db.session, engagement, TODAY)
    assert state.status == "attention" and [i.kind for i in state.items] == [
        "overdue",
        "rejected_upcoming",
    ]
    services.archive_requirement(
        db.session, db.session.get(EvidenceRequirement, old.evidence_requirement_id)
    )
    db.session.commit()
    state = assurance_for(db.session, engagement, TODAY)
    assert state.status == "pending" and [i.kind for i in state.items] == ["rejected_upcoming"]


def test_many_arrangements_take_a_fixed_number_of_queries(make, count_queries):
    admin = make.user(Role.ADMIN)

    def build(n):
        ids = []
        for _ in range(n):
            engagement = make.engagement()
            _request(engagement, "2026-11-01", title="月次報告")
            _accept(
                _request(engagement, "2026-10-01", validity_days=60), admin, on=day("2026-10-01")
            )
            ids.append(engagement.id)
        return ids

    few = build(2)
    with count_queries() as small:
        states = assurance_for_many(db.session, few, TODAY)
    assert {s.status for s in states.values()} == {"attention"}
    many = few + build(8)
    with count_queries() as large:
        states = assurance_for_many(db.session, many + [999999], TODAY)
    assert small.count == large.count == 3
    assert len(states) == 11 and states[999999].status == "none"
    assert [i.kind for i in states[many[-1]].items] == ["overdue", "expiring"]
    assert assurance_for_many(db.session, [], TODAY) == {}


def test_dates_in_reasons_follow_the_calendar(make):
    engagement = make.engagement()
    _request(engagement, "2026-11-01")  # a Sunday: due on Monday 2 November
    state = assurance_for(db.session, engagement, TODAY)
    assert state.items[0].on == day("2026-11-02")
    assert state.items[0].on + timedelta(days=26) == TODAY
