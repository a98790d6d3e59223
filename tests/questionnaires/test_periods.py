"""Self-checks at the risk tier's interval: periods in words, one request per due period, and a
tier change that reschedules without duplicates and without losing anything answered."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from vendorguard.arrangements.models import ArrangementState
from vendorguard.audit.models import AuditEvent
from vendorguard.contractors.models import Contractor
from vendorguard.core.errors import DomainError
from vendorguard.engagements.models import Engagement, RiskTier
from vendorguard.extensions import db
from vendorguard.org.models import Department
from vendorguard.questionnaires import periods, queries, schedule, sending, services
from vendorguard.questionnaires.models import Answer, QuestionnaireRequest, RequestStatus
from vendorguard.tiers import rule_services
from vendorguard.tiers import services as tier_services
from vendorguard.tiers.policy import policies

DUE = date(2026, 12, 1)


def _labels(*cases):
    return [periods.containing(day, months).label() for day, months in cases]


def test_periods_follow_the_interval_and_read_as_words(app):
    assert periods.containing(date(2026, 11, 5), 6) == periods.Period(date(2026, 10, 1), 6)
    assert periods.containing(date(2027, 2, 1), 6).start == date(2026, 10, 1)
    assert periods.containing(date(2027, 3, 31), 12).start == date(2026, 4, 1)
    # longer than a year: every second fiscal year from April 2000
    assert periods.containing(date(2027, 6, 1), 24) == periods.Period(date(2026, 4, 1), 24)
    assert periods.Period(date(2026, 4, 1), 24).end == date(2028, 3, 31)
    # a period that does not fit ends with the fiscal year
    assert periods.Period(date(2027, 2, 1), 5).end == date(2027, 3, 31)
    assert [p.start for p in periods.of_year(2026, 4)] == [
        date(2026, 4, 1),
        date(2026, 8, 1),
        date(2026, 12, 1),
    ]
    assert periods.due(2026, 6, date(2026, 11, 5)).start == date(2026, 10, 1)
    assert periods.due(2027, 6, date(2026, 11, 5)).start == date(2027, 4, 1)  # ahead: the first
    cases = (
        (date(2026, 5, 1), 6),
        (date(2026, 11, 5), 6),
        (date(2026, 5, 1), 12),
        (date(2026, 8, 1), 3),
        (date(2026, 9, 1), 4),
        (date(2026, 12, 1), 4),
        (date(2027, 1, 1), 24),
    )
    with app.test_request_context(), force_locale("ja"):
        assert _labels(*cases) == [
            "2026年度 上期",
            "2026年度 下期",
            "2026年度",
            "2026年度 第2四半期",
            "2026年8月〜11月",
            "2026年12月〜2027年3月",
            "2026年4月〜2028年3月",
        ]
    with app.test_request_context(), force_locale("en"):
        assert _labels(*cases) == [
            "FY2026 first half",
            "FY2026 second half",
            "FY2026",
            "FY2026 Q2",
            "Aug – Nov 2026",
            "Dec 2026 – Mar 2027",
            "Apr 2026 – Mar 2028",
        ]


def _tier_a(make, world) -> Engagement:
    engagement = make.engagement(
        department=db.session.get_one(Department, world.engagement.department_id),
        contractor=db.session.get_one(Contractor, world.engagement.contractor_id),
        handles_personal_info=True,
        handles_my_number=True,
        state=ArrangementState.ACTIVE,
        starts_on=date(2026, 4, 1),
        ends_on=date(2029, 3, 31),
    )
    assert engagement.tier == RiskTier.A
    return engagement


def _live(engagement_id: int) -> dict[date, QuestionnaireRequest]:
    return {
        r.period_start: r
        for r in db.session.scalars(
            select(QuestionnaireRequest).where(
                QuestionnaireRequest.arrangement_id == engagement_id,
                QuestionnaireRequest.status != RequestStatus.CANCELLED,
            )
        )
    }


def _count() -> int:
    return db.session.scalar(select(func.count(QuestionnaireRequest.id))) or 0


def test_bulk_send_gives_each_engagement_its_due_period(world, make, client, login_as):
    tier_a = _tier_a(make, world)
    assert world.engagement.tier != RiskTier.A
    data = sending.SendData(world.template.id, 2026, DUE)
    november = date(2026, 11, 5)
    assert sending.send_bulk(db.session, data, None, world.officer, november) == (2, 0)
    db.session.commit()
    assert {r.period_label for r in _live(tier_a.id).values()} == {"2026年度 下期"}
    assert {r.period_label for r in _live(world.engagement.id).values()} == {"2026年度"}
    # sending again sends nothing; a single send for the same period is refused, naming it
    assert sending.send_bulk(db.session, data, None, world.officer, november) == (0, 0)
    with pytest.raises(DomainError, match="2026年度 下期"):
        sending.send(db.session, tier_a, data, world.officer, november)
    db.session.rollback()
    # tier A's first half is a period of its own: only tier A gets one more
    assert sending.send_bulk(db.session, data, None, world.officer, date(2026, 5, 1)) == (1, 0)
    db.session.commit()
    assert sorted(r.period_label for r in _live(tier_a.id).values()) == [
        "2026年度 上期",
        "2026年度 下期",
    ]

    # the officer's list and the contractor's portal name the period in words
    login_as(world.officer)
    page = client.get("/questionnaires/?fiscal_year=2026").get_data(as_text=True)
    assert "2026年度 上期" in page and "2026年度 下期" in page
    page = client.get(f"/questionnaires/send/{tier_a.id}").get_data(as_text=True)
    assert "自己点検の間隔は6か月です" in page
    client.post("/logout")
    login_as(world.contractor_user)
    page = client.get("/questionnaires/portal/").get_data(as_text=True)
    assert "2026年度 上期" in page and "2026年度 下期" in page
    request_id = _live(tier_a.id)[date(2026, 10, 1)].id
    page = client.get(f"/questionnaires/portal/{request_id}").get_data(as_text=True)
    assert "（2026年度 下期）" in page
    client.post("/language", data={"locale": "en", "next": "/questionnaires/portal/"})
    page = client.get("/questionnaires/portal/")
    assert "FY2026 second half" in page.get_data(as_text=True)


def _set_my_number(engagement_id: int, my_number: bool, personal: bool, today: date) -> None:
    """Change one input and recompute as the commit hook would, on a chosen day."""
    engagement = db.session.get_one(Engagement, engagement_id)
    engagement.handles_my_number = my_number
    engagement.handles_personal_info = personal
    db.session.flush()
    tier_services.recompute(db.session, [engagement_id], today)
    db.session.commit()


def test_a_tier_change_reschedules_self_checks_without_duplicates_or_loss(world, make):
    engagement = _tier_a(make, world)
    eid = engagement.id
    may = date(2026, 5, 1)
    data = sending.SendData(world.template.id, 2026, DUE)
    first_half = sending.send(db.session, engagement, data, world.officer, may)
    ahead = sending.send(
        db.session, engagement, sending.SendData(world.template.id, 2027, DUE), world.officer, may
    )
    db.session.commit()
    assert (first_half.period_start, ahead.period_start) == (date(2026, 4, 1), date(2027, 4, 1))
    # the contractor has started on next year's, and has finished this half-year's
    sheet = services.load_sheet(db.session, ahead.id)
    question = next(q for q in sheet.questions if q.id in sheet.shown and q.qtype.value == "yes_no")
    services.save_answers(db.session, sheet, {question.id: "yes"}, {})
    db.session.get_one(QuestionnaireRequest, first_half.id).status = RequestStatus.SUBMITTED
    db.session.commit()

    # the schedule sends the second half when it starts, once however often it runs
    november = date(2026, 11, 5)
    assert schedule.run(db.session, november).created == 1
    db.session.commit()
    assert schedule.run(db.session, november).created == 0
    live = _live(eid)
    assert set(live) == {date(2026, 4, 1), date(2026, 10, 1), date(2027, 4, 1)}
    second_half = live[date(2026, 10, 1)]
    assert second_half.period_label == "2026年度 下期" and second_half.due_on > november
    before = _count()

    # one input changes: no personal information any more → tier D, a self-check every 2 years
    _set_my_number(eid, False, False, november)
    assert db.session.get_one(Engagement, eid).tier == RiskTier.D
    live = _live(eid)
    # the submitted half-year is kept as it was; the started one stays (it may be in progress);
    # next year's, off the new two-year grid, is withdrawn with its answers, not deleted
    assert live[date(2026, 4, 1)].status == RequestStatus.SUBMITTED
    assert live[date(2026, 4, 1)].period_label == "2026年度 上期"
    assert live[date(2026, 10, 1)].status == RequestStatus.SENT
    withdrawn = db.session.get_one(QuestionnaireRequest, ahead.id)
    assert withdrawn.status == RequestStatus.CANCELLED and withdrawn.withdrawn_at is not None
    assert db.session.scalar(select(func.count(Answer.id)).where(Answer.request_id == ahead.id))
    actions = set(
        db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "questionnaire_request",
                AuditEvent.object_id == str(ahead.id),
            )
        )
    )
    assert "withdraw" in actions
    assert _count() == before  # nothing added, nothing deleted
    # recomputing or running the schedule again changes nothing
    assert tier_services.recompute(db.session, [eid], november) == []
    assert schedule.run(db.session, november).created == 0
    db.session.commit()
    assert _count() == before

    # back to tier A: next year's request comes back with its answer instead of a second one
    _set_my_number(eid, True, True, date(2026, 11, 6))
    assert db.session.get_one(Engagement, eid).tier == RiskTier.A
    revived = db.session.get_one(QuestionnaireRequest, ahead.id)
    assert revived.status == RequestStatus.SENT and revived.withdrawn_at is None
    assert revived.period_label == "2027年度 上期"
    assert db.session.scalar(select(func.count(Answer.id)).where(Answer.request_id == ahead.id))
    assert _count() == before
    assert set(_live(eid)) == {date(2026, 4, 1), date(2026, 10, 1), date(2027, 4, 1)}


def test_a_new_interval_in_the_tier_policy_reschedules_self_checks(world, make):
    engagement = _tier_a(make, world)
    eid = engagement.id
    may = date(2026, 5, 1)
    sending.send(
        db.session, engagement, sending.SendData(world.template.id, 2026, DUE), world.officer, may
    )
    db.session.commit()
    assert _live(eid)[date(2026, 4, 1)].period_label == "2026年度 上期"
    values = policies(db.session)
    values[RiskTier.A] = replace(values[RiskTier.A], self_check_interval_months=3)
    rule_services.save_policies(db.session, list(values.values()), may)
    db.session.commit()
    # the waiting request now covers the first quarter; the schedule follows quarterly
    assert _live(eid)[date(2026, 4, 1)].period_label == "2026年度 第1四半期"
    assert schedule.run(db.session, date(2026, 7, 2)).created == 1
    db.session.commit()
    assert _live(eid)[date(2026, 7, 1)].period_label == "2026年度 第2四半期"
    # a two-year interval: the waiting first quarter becomes a two-year period, listed in both years
    values[RiskTier.A] = replace(values[RiskTier.A], self_check_interval_months=24)
    rule_services.save_policies(db.session, list(values.values()), date(2026, 7, 2))
    db.session.commit()
    two_years = _live(eid)[date(2026, 4, 1)]
    assert two_years.period_label == "2026年4月〜2028年3月"
    for year, listed in ((2026, True), (2027, True), (2028, False)):
        rows = db.session.scalars(queries.for_arrangement(eid, year)).unique().all()
        assert (two_years in rows) is listed, year


def test_the_schedule_command_continues_started_self_checks_once(app, world, make):
    engagement, ended = _tier_a(make, world), _tier_a(make, world)
    for each in (engagement, ended):
        sending.send(
            db.session,
            each,
            sending.SendData(world.template.id, 2026, DUE),
            world.officer,
            date(2026, 5, 1),
        )
    ended.state = ArrangementState.ENDED  # the work is over: its exit comes, not a self-check
    db.session.commit()
    runner = app.test_cli_runner()
    for created in (1, 0):  # the daily run, then again the same day
        result = runner.invoke(args=["vg", "questionnaire-schedule", "--as-of", "2026-11-05"])
        assert result.exit_code == 0, result.output
        assert f"created {created}," in result.output
    # the world's engagement was never sent one: the schedule does not start self-checks
    assert set(_live(world.engagement.id)) == set()
    assert set(_live(engagement.id)) == {date(2026, 4, 1), date(2026, 10, 1)}
    assert set(_live(ended.id)) == {date(2026, 4, 1)}
    actor = db.session.scalars(
        select(AuditEvent.actor_label).where(
            AuditEvent.object_type == "questionnaire_request", AuditEvent.action == "schedule"
        )
    ).one()
    assert actor == "cli:questionnaire-schedule"
