"""Schedule generation: fiscal-aligned periods, closed days, idempotence, following changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.evidence.helpers import day, requirement, store
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.core.errors import DomainError
from vendorguard.evidence import services
from vendorguard.evidence.models import (
    CLOSED_BY_SCHEDULE,
    CLOSED_WITH_REQUIREMENT,
    Cadence,
    EvidenceRequest,
    RequestStatus,
)
from vendorguard.evidence.occurrences import occurrence_label
from vendorguard.evidence.schedule import Window, generate_requests, occurrences
from vendorguard.extensions import db

TODAY = day("2026-11-28")


def _requests(arrangement_id: int) -> dict[str, EvidenceRequest]:
    return {
        r.occurrence: r
        for r in db.session.scalars(
            select(EvidenceRequest).where(EvidenceRequest.arrangement_id == arrangement_id)
        )
    }


def _set_end(engagement, ends_on) -> None:
    # Load the row first: the audit capture cannot read the old value of an expired subclass
    # column (it selects engagement.ends_on by arrangement.id — reported to the lead).
    db.session.refresh(engagement)
    engagement.ends_on = ends_on
    db.session.commit()


def _snapshot(arrangement_id: int) -> list[tuple]:
    return sorted(
        (
            r.id,
            r.evidence_requirement_id,
            r.occurrence,
            r.period_start,
            r.period_end,
            r.scheduled_due_on,
            r.due_on,
            r.status,
        )
        for r in _requests(arrangement_id).values()
    )


def test_monthly_periods_follow_months_and_move_off_closed_days():
    found = occurrences(Cadence.MONTHLY, 10, Window(day("2026-04-01"), day("2027-03-31")))
    assert [o.key for o in found] == [f"2026-{m:02d}" for m in range(4, 13)] + [
        "2027-01",
        "2027-02",
        "2027-03",
    ]
    april, december = found[0], found[8]
    assert (april.period_start, april.period_end, april.scheduled_due_on) == (
        day("2026-04-01"),
        day("2026-04-30"),
        day("2026-05-10"),
    )
    assert april.due_on == day("2026-05-11")  # 5/10 is a Sunday
    assert december.scheduled_due_on == day("2027-01-10") and december.due_on == day(
        "2027-01-12"
    )  # Sun, 成人の日


def test_quarters_half_years_and_years_follow_the_fiscal_year_and_are_cut_at_the_period():
    window = Window(day("2026-05-15"), day("2027-08-20"))
    quarters = occurrences(Cadence.QUARTERLY, 0, window)
    assert [o.key for o in quarters] == [
        "FY2026-Q1",
        "FY2026-Q2",
        "FY2026-Q3",
        "FY2026-Q4",
        "FY2027-Q1",
        "FY2027-Q2",
    ]
    assert (quarters[0].period_start, quarters[0].period_end) == (
        day("2026-05-15"),
        day("2026-06-30"),
    )
    assert (quarters[3].period_start, quarters[3].period_end) == (
        day("2027-01-01"),
        day("2027-03-31"),
    )
    assert (quarters[-1].period_start, quarters[-1].period_end) == (
        day("2027-07-01"),
        day("2027-08-20"),
    )
    halves = occurrences(Cadence.HALF_YEARLY, 0, window)
    assert [(o.key, o.period_start, o.period_end) for o in halves] == [
        ("FY2026-H1", day("2026-05-15"), day("2026-09-30")),
        ("FY2026-H2", day("2026-10-01"), day("2027-03-31")),
        ("FY2027-H1", day("2027-04-01"), day("2027-08-20")),
    ]
    years = occurrences(Cadence.YEARLY, 30, window)
    assert [(o.key, o.period_end, o.scheduled_due_on) for o in years] == [
        ("FY2026", day("2027-03-31"), day("2027-04-30")),
        ("FY2027", day("2027-08-20"), day("2027-09-19")),
    ]
    assert occurrences(Cadence.ONCE_AT_START, 7, window)[0].scheduled_due_on == day("2026-05-22")
    assert occurrences(Cadence.AT_END, 14, window)[0].scheduled_due_on == day("2027-09-03")
    assert occurrences(Cadence.AD_HOC, 14, window) == []


def test_occurrences_read_naturally():
    assert occurrence_label("2026-04") == "2026年4月分"
    assert occurrence_label("FY2026-Q3") == "2026年度 第3四半期"
    assert occurrence_label("FY2026-H2") == "2026年度 下期"
    assert occurrence_label("FY2027") == "2027年度"
    assert occurrence_label("start") == "開始時" and occurrence_label("end") == "終了時"
    assert occurrence_label("adhoc-2") == "随時（2）"


def test_generating_twice_gives_the_same_requests(make):
    engagement = make.engagement()
    requirement(db.session, engagement, cadence=Cadence.MONTHLY)
    requirement(db.session, engagement, title="返還・廃棄証明書", cadence=Cadence.AT_END, offset=14)
    requirement(
        db.session, engagement, title="従事者名簿", cadence=Cadence.ONCE_AT_START, offset=14
    )
    first = generate_requests(db.session, engagement, TODAY)
    db.session.commit()
    assert len(first.created) == 12 + 1 + 1
    before = _snapshot(engagement.id)
    second = generate_requests(db.session, engagement, TODAY)
    db.session.commit()
    assert not second.changed
    assert _snapshot(engagement.id) == before


def test_a_request_due_on_new_years_day_is_due_on_the_fourth(make):
    engagement = make.engagement(starts_on=day("2026-04-01"), ends_on=day("2026-12-18"))
    requirement(db.session, engagement, title="返還・廃棄証明書", cadence=Cadence.AT_END, offset=14)
    generate_requests(db.session, engagement, TODAY)
    db.session.commit()
    end = _requests(engagement.id)["end"]
    assert end.scheduled_due_on == day("2027-01-01")
    assert end.due_on == day("2027-01-04")


def test_a_new_end_date_moves_the_end_request_and_closes_periods_beyond_it(make):
    engagement = make.engagement()
    monthly = requirement(db.session, engagement, cadence=Cadence.MONTHLY)
    requirement(db.session, engagement, title="返還・廃棄証明書", cadence=Cadence.AT_END, offset=14)
    generate_requests(db.session, engagement, TODAY)
    db.session.commit()
    # February's report was already accepted: the schedule must leave it alone.
    february = _requests(engagement.id)["2027-02"]
    submission = services.submit(db.session, february, [store()], "", via="internal")
    services.review(db.session, submission, "accepted", make.user(Role.ADMIN), today=TODAY)
    db.session.commit()

    _set_end(engagement, day("2026-12-31"))
    result = generate_requests(db.session, engagement, TODAY)
    db.session.commit()
    requests = _requests(engagement.id)
    end = requests["end"]
    assert (end.period_end, end.scheduled_due_on, end.due_on) == (
        day("2026-12-31"),
        day("2027-01-14"),
        day("2027-01-14"),
    )
    assert end.id in result.moved
    assert requests["2027-01"].status == RequestStatus.CLOSED
    assert requests["2027-01"].closed_reason == CLOSED_BY_SCHEDULE
    assert "変更により不要" in requests["2027-01"].closed_reason_label
    assert requests["2027-02"].status == RequestStatus.ACCEPTED
    assert requests["2026-12"].status == RequestStatus.OPEN
    assert set(result.closed) == {requests["2027-01"].id, requests["2027-03"].id}
    assert (
        db.session.scalar(
            select(func.count(EvidenceRequest.id)).where(
                EvidenceRequest.evidence_requirement_id == monthly.id
            )
        )
        == 12
    )  # nothing deleted

    _set_end(engagement, day("2027-03-31"))  # the contract is extended again
    result = generate_requests(db.session, engagement, TODAY)
    db.session.commit()
    requests = _requests(engagement.id)
    assert (
        requests["2027-01"].status == RequestStatus.OPEN and requests["2027-01"].closed_reason == ""
    )
    assert set(result.reopened) == {requests["2027-01"].id, requests["2027-03"].id}
    assert requests["end"].scheduled_due_on == day("2027-04-14")


def test_a_shorter_last_period_moves_its_due_date(make):
    engagement = make.engagement()
    requirement(db.session, engagement, cadence=Cadence.QUARTERLY, offset=10)
    generate_requests(db.session, engagement, TODAY)
    db.session.commit()
    _set_end(engagement, day("2026-11-15"))
    generate_requests(db.session, engagement, TODAY)
    db.session.commit()
    q3 = _requests(engagement.id)["FY2026-Q3"]
    assert (q3.period_start, q3.period_end, q3.scheduled_due_on) == (
        day("2026-10-01"),
        day("2026-11-15"),
        day("2026-11-25"),
    )
    assert _requests(engagement.id)["FY2026-Q4"].status == RequestStatus.CLOSED


def test_an_archived_requirement_closes_its_open_requests_and_restoring_reopens_them(make):
    engagement = make.engagement()
    item = requirement(db.session, engagement, cadence=Cadence.QUARTERLY)
    generate_requests(db.session, engagement, TODAY)
    db.session.commit()
    q1 = _requests(engagement.id)["FY2026-Q1"]
    services.submit(db.session, q1, [store()], "第1四半期分", via="internal")
    db.session.commit()

    closed = services.archive_requirement(db.session, item)
    db.session.commit()
    statuses = {key: r.status for key, r in _requests(engagement.id).items()}
    assert statuses == {
        "FY2026-Q1": RequestStatus.SUBMITTED,
        "FY2026-Q2": RequestStatus.CLOSED,
        "FY2026-Q3": RequestStatus.CLOSED,
        "FY2026-Q4": RequestStatus.CLOSED,
    }
    assert len(closed) == 3
    assert _requests(engagement.id)["FY2026-Q2"].closed_reason == CLOSED_WITH_REQUIREMENT
    assert not generate_requests(db.session, engagement, TODAY).changed  # archived stays archived

    services.restore_requirement(db.session, item, TODAY)
    db.session.commit()
    assert {r.status for r in _requests(engagement.id).values()} == {
        RequestStatus.SUBMITTED,
        RequestStatus.OPEN,
    }


def test_a_request_withdrawn_by_hand_stays_withdrawn(make):
    engagement = make.engagement()
    requirement(db.session, engagement, cadence=Cadence.YEARLY)
    generate_requests(db.session, engagement, TODAY)
    services.close_request(db.session, _requests(engagement.id)["FY2026"], "契約変更により不要")
    db.session.commit()
    assert not generate_requests(db.session, engagement, TODAY).changed
    assert _requests(engagement.id)["FY2026"].status == RequestStatus.CLOSED


def test_a_new_cadence_replaces_the_open_requests(make):
    engagement = make.engagement()
    item = requirement(db.session, engagement, cadence=Cadence.MONTHLY)
    generate_requests(db.session, engagement, TODAY)
    item.cadence = Cadence.HALF_YEARLY
    db.session.commit()
    result = generate_requests(db.session, engagement, TODAY)
    db.session.commit()
    assert len(result.closed) == 12 and len(result.created) == 2
    open_keys = sorted(
        k for k, r in _requests(engagement.id).items() if r.status == RequestStatus.OPEN
    )
    assert open_keys == ["FY2026-H1", "FY2026-H2"]


def test_cloud_services_roll_twelve_months_ahead_from_their_registration(make):
    service = make.cloud_service(created_at=datetime(2026, 6, 10, 3, 0, tzinfo=UTC))
    requirement(db.session, service, title="ISMAP登録状況の確認", cadence=Cadence.YEARLY, offset=30)
    requirement(db.session, service, title="出口計画", cadence=Cadence.ONCE_AT_START, offset=30)
    requirement(db.session, service, title="終了時の消去証明", cadence=Cadence.AT_END, offset=30)
    generate_requests(db.session, service, TODAY)
    db.session.commit()
    requests = _requests(service.id)
    assert sorted(requests) == [
        "FY2026",
        "FY2027",
        "start",
    ]  # FY2028 starts beyond 2027-11-28; no end
    assert (requests["FY2026"].period_start, requests["FY2026"].period_end) == (
        day("2026-06-10"),
        day("2027-03-31"),
    )
    assert requests["start"].scheduled_due_on == day("2026-07-10")
    # A year later the next fiscal year comes into the window, nothing else changes.
    result = generate_requests(db.session, service, day("2027-04-02"))
    db.session.commit()
    assert [
        r.occurrence
        for r in db.session.scalars(
            select(EvidenceRequest).where(EvidenceRequest.id.in_(result.created))
        )
    ] == ["FY2028"]


def test_archived_arrangements_get_no_schedule(make):
    engagement = make.engagement(archived_at=datetime(2026, 10, 1, tzinfo=UTC))
    requirement(db.session, engagement)
    with pytest.raises(DomainError, match="アーカイブ済み"):
        generate_requests(db.session, engagement, TODAY)


def test_cli_syncs_and_schedules_active_arrangements_only(app, make):
    active = make.engagement(state=ArrangementState.ACTIVE)
    draft = make.engagement(state=ArrangementState.DRAFT)
    for engagement in (active, draft):
        requirement(db.session, engagement, title="四半期報告", cadence=Cadence.QUARTERLY)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["vg", "evidence-schedule", "--as-of", "2026-11-28"])
    assert result.exit_code == 0, result.output
    created = db.session.scalar(
        select(func.count(EvidenceRequest.id)).where(EvidenceRequest.arrangement_id == active.id)
    )
    # the four quarters, and the standard requirements (catalog not installed: shipped rules) with theirs
    assert {"FY2026-Q1", "FY2026-Q4", "start", "end", "FY2026"} <= set(_requests(active.id))
    assert f"作成 {created}" in result.output and "案件 1 件" in result.output
    assert not _requests(draft.id)
    again = runner.invoke(args=["vg", "evidence-schedule", "--as-of", "2026-11-28"])
    assert "追加 0" in again.output and "作成 0" in again.output
    one = runner.invoke(args=["vg", "evidence-schedule", "--arrangement", str(draft.id)])
    assert one.exit_code == 0 and f"作成 {created}" in one.output
    missing = runner.invoke(args=["vg", "evidence-schedule", "--arrangement", "999999"])
    assert missing.exit_code != 0
