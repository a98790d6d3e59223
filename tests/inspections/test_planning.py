"""The annual plan: who is inspected, on which open day, and created once however often it runs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.inspections.conftest import personal_engagement
from vendorguard.arrangements.models import ArrangementState
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.evidence.calendar import is_open_day
from vendorguard.extensions import db
from vendorguard.inspections import planning
from vendorguard.inspections.models import Inspection, InspectionItem


def _count(model=Inspection) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_planned_days_fall_on_open_days_inside_the_window():
    first, last = planning.fiscal_year_bounds(2026)
    assert (first, last) == (date(2026, 4, 1), date(2027, 3, 31))
    for count in (1, 2, 4, 12):
        days = planning.planned_days(first, last, count)
        assert len(days) == count and days == sorted(days)
        assert all(is_open_day(day) and first <= day <= last for day in days)
    # a window ending on a closed day: the previous open day, never after the window
    assert planning.planned_days(date(2026, 12, 28), date(2027, 1, 3), 1) == [date(2026, 12, 28)]


def test_plan_is_created_once_however_often_it_runs(app, make, shipped_catalog):
    personal = personal_engagement(make)
    my_number = personal_engagement(make, handles_personal_info=False, handles_my_number=True)
    plain = personal_engagement(make, handles_personal_info=False)
    draft = personal_engagement(make, state=ArrangementState.DRAFT)
    earlier = personal_engagement(make, starts_on=date(2024, 4, 1), ends_on=date(2025, 3, 31))

    first = planning.plan_fiscal_year(db.session, 2026)
    db.session.commit()
    assert {i.arrangement_id for i in first.created} == {personal.id, my_number.id}
    # how many each gets follows its risk tier (at least the law's once a year)
    expected = sum(planning.inspections_per_year(e) for e in (personal, my_number))
    assert len(first.created) == expected >= 2
    items = _count(InspectionItem)
    assert items > 0  # the checklist comes from the shipped catalog's coverage
    for _ in range(3):
        again = planning.plan_fiscal_year(db.session, 2026)
        db.session.commit()
        assert again.created == [] and again.existing == expected
    assert _count() == expected and _count(InspectionItem) == items
    rows = db.session.scalars(select(Inspection)).all()
    assert all(is_open_day(row.planned_on) and row.fiscal_year == 2026 for row in rows)
    assert {row.arrangement_id for row in rows}.isdisjoint({plain.id, draft.id, earlier.id})
    created = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "inspection", AuditEvent.action == "create"
        )
    ).all()
    assert len(created) == expected  # every planned inspection is in the audit trail, once


def test_planned_day_stays_inside_a_short_contract(app, make):
    engagement = personal_engagement(make, starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    result = planning.plan_fiscal_year(db.session, 2026)
    db.session.commit()
    (inspection,) = result.created
    assert inspection.arrangement_id == engagement.id
    assert date(2026, 10, 1) <= inspection.planned_on <= date(2026, 10, 31)


def test_frequency_is_one_function(app, make, monkeypatch):
    engagement = personal_engagement(make)
    monkeypatch.setattr(planning, "inspections_per_year", lambda engagement: 3)
    result = planning.plan_fiscal_year(db.session, 2026)
    db.session.commit()
    assert sorted(i.sequence for i in result.created) == [1, 2, 3]
    assert {i.arrangement_id for i in result.created} == {engagement.id}
    assert planning.plan_fiscal_year(db.session, 2026).created == []


def test_cli_plans_once(app, make):
    personal_engagement(make)
    runner = app.test_cli_runner()
    for run in range(2):
        result = runner.invoke(args=["vg", "inspection-plan", "--fiscal-year", "2026"])
        assert result.exit_code == 0, result.output
        assert (f"新規 {1 - run} 件") in result.output
    assert _count() == 1
    refused = runner.invoke(args=["vg", "inspection-plan", "--fiscal-year", "99"])
    assert refused.exit_code != 0


def test_plan_button_covers_only_the_officers_department(app, make, client, login_as):
    officer = make.user(Role.OFFICER)
    own = personal_engagement(make, department=officer.department)
    other = personal_engagement(make)
    login_as(officer)
    for _ in range(2):
        response = client.post("/inspections/plan", data={"fiscal_year": "2026"})
        assert response.status_code == 302
    rows = db.session.scalars(select(Inspection)).all()
    assert [row.arrangement_id for row in rows] == [own.id]
    assert other.id not in {row.arrangement_id for row in rows}
    page = client.get("/inspections/?year=2026").get_data(as_text=True)
    assert own.title in page
    refused = client.post("/inspections/plan", data={"fiscal_year": "abc"}, follow_redirects=True)
    assert "2000〜2199" in refused.get_data(as_text=True) or "入力" in refused.get_data(
        as_text=True
    )


def test_auditor_cannot_plan(app, make, client, login_as):
    personal_engagement(make)
    login_as(make.user(Role.AUDITOR))
    assert client.post("/inspections/plan", data={"fiscal_year": "2026"}).status_code == 403
    assert _count() == 0


def test_the_risk_tier_sets_how_often_never_below_the_legal_floor(app, make):
    from vendorguard.engagements.models import RiskTier
    from vendorguard.tiers import policy

    engagement = personal_engagement(make)
    plain = personal_engagement(make, handles_personal_info=False)
    db.session.commit()
    engagement.tier, plain.tier = RiskTier.A, RiskTier.D
    db.session.flush()
    assert policy.inspections_per_year(db.session, RiskTier.A) == 2  # the shipped policy
    assert planning.inspections_per_year(engagement) == 2
    assert planning.inspections_per_year(plain) == 0  # tier D asks for none, nor does the law
    engagement.tier = RiskTier.D
    assert planning.inspections_per_year(engagement) == 1  # the law's once a year stays
