"""Japan's "today" for overdue actions, the home-page queries, the summary partial, query counts."""

from __future__ import annotations

from datetime import date, timedelta

from flask import render_template_string
from sqlalchemy import select

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementState
from vendorguard.assessments import queries
from vendorguard.assessments.models import (
    Action,
    ActionStatus,
    Assessment,
    AssessmentMethod,
    AssessmentResult,
)
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.extensions import db

NC = AssessmentResult.NONCONFORMING


def test_overdue_uses_the_date_in_japan(client, make, login_as, assess, japan_clock):
    owner = make.user(Role.OFFICER)
    engagement = make.engagement(department=owner.department)
    assess(
        engagement,
        owner=owner,
        result=NC,
        findings=["6月30日期限"],
        assessed_on=date(2026, 6, 1),
        due_on=date(2026, 6, 30),
    )
    assess(
        engagement,
        owner=owner,
        result=NC,
        findings=["7月1日期限"],
        assessed_on=date(2026, 6, 2),
        due_on=date(2026, 7, 1),
    )
    # 16:00 UTC on 30 June is 01:00 on 1 July in Japan: the 30 June action is overdue already.
    login_as(owner)
    html = client.get("/assessments/actions/?overdue=1").get_data(as_text=True)
    assert "6月30日期限" in html and "7月1日期限" not in html
    assert "期限超過（1日）" in html
    rows = db.session.execute(queries.overdue_actions_for_owner(owner.id, today_tokyo())).all()
    assert [(row.Action.finding, row.total) for row in rows] == [("6月30日期限", 1)]


def test_home_page_queries(make, assess):
    today = date(2026, 7, 1)
    department, elsewhere = make.department(), make.department()
    owner = make.user(Role.OFFICER, department=department)
    mine = make.engagement(department=department)
    other = make.engagement(department=elsewhere)
    assess(
        mine,
        owner=owner,
        result=NC,
        findings=["遅れ1", "遅れ2"],
        assessed_on=date(2026, 5, 1),
        due_on=date(2026, 6, 1),
    )
    assess(
        other,
        owner=owner,
        result=NC,
        findings=["他課で遅れ"],
        assessed_on=date(2026, 5, 1),
        due_on=date(2026, 6, 15),
    )
    assess(
        other,
        owner=owner,
        result=NC,
        findings=["まだ期限内"],
        assessed_on=date(2026, 5, 2),
        due_on=date(2026, 7, 1),
    )
    closed = db.session.scalars(select(Action).where(Action.finding == "遅れ2")).one()
    closed.status, closed.closed_on, closed.resolution = ActionStatus.CLOSED, date(2026, 6, 2), "済"
    db.session.commit()

    rows = db.session.execute(queries.overdue_actions_for_owner(owner.id, today)).all()
    assert [row.Action.finding for row in rows] == ["遅れ1", "他課で遅れ"] and rows[0].total == 2

    # next review dates: assessed 2025-07-20 → valid until 2026-07-20 (within 30 days); others not
    due_soon = make.engagement(department=department, state=ArrangementState.ACTIVE)
    assess(due_soon, assessed_on=date(2025, 7, 20))
    make.engagement(
        department=department, next_review_on=date(2026, 6, 1)
    )  # already past: still due
    make.engagement(department=department, next_review_on=date(2026, 8, 1))  # 31 days away: not yet
    make.engagement(department=department, next_review_on=date(2026, 6, 1), archived_at=utcnow())
    make.engagement(
        department=department, next_review_on=date(2026, 6, 1), state=ArrangementState.ENDED
    )
    rows = db.session.execute(queries.reviews_due(today, department.id)).all()
    assert [row.Arrangement.next_review_on for row in rows] == [date(2026, 6, 1), date(2026, 7, 20)]
    assert rows[0].Arrangement.department.name == department.name  # loaded with the row
    draft = make.social_account(
        department=elsewhere,
        next_review_on=date(2026, 7, 2),
        approval_state=ApprovalState.NOT_APPLIED,
    )
    sns_owner = make.user(Role.SNS_OWNER, department=department)
    assert draft.id not in [
        row.Arrangement.id
        for row in db.session.execute(queries.reviews_due(today, None, viewer=sns_owner))
    ]
    assert draft.id in [
        row.Arrangement.id for row in db.session.execute(queries.reviews_due(today, None))
    ]


def test_summary_partial(app, make, assess):
    officer = make.user(Role.OFFICER)
    engagement = make.engagement(department=officer.department)

    def render(user):
        with app.test_request_context():
            context = queries.summary_context(db.session, engagement, user, date(2026, 7, 1))
            return render_template_string("{% include 'assessments/_summary.html' %}", **context)

    html = render(officer)
    assert "まだ確認の記録はありません。" in html and "確認を記録" in html
    assess(
        engagement,
        owner=officer,
        result=NC,
        findings=["媒体の持出し記録がない"],
        assessed_on=date(2026, 5, 1),
        due_on=date(2026, 6, 1),
    )
    html = render(officer)
    assert "不適合" in html and "媒体の持出し記録がない" in html and "うち期限超過 1件" in html
    assert "最新の確認結果は「不適合」で、完了していない措置があります。" in html
    html = render(make.user(Role.AUDITOR))
    assert "確認を記録</a>" not in html and "確認の履歴" in html


def _bulk_actions(make, count: int, owner, department):
    engagement = make.engagement(department=department)
    cloud = make.cloud_service(department=department)
    social = make.social_account(department=department, approval_state=ApprovalState.APPROVED)
    assessments = []
    for arrangement in (engagement, cloud, social):
        assessment = Assessment(
            arrangement_id=arrangement.id,
            assessed_on=date(2026, 4, 1),
            result=NC,
            method=AssessmentMethod.DOCUMENT,
            summary="確認",
            valid_until=date(2027, 4, 1),
        )
        db.session.add(assessment)
        assessments.append(assessment)
    db.session.flush()
    owners = [owner, make.user(Role.OFFICER, department=department), make.user(Role.ADMIN)]
    db.session.add_all(
        [
            Action(
                assessment_id=assessments[n % 3].id,
                arrangement_id=assessments[n % 3].arrangement_id,
                finding=f"指摘{n}",
                owner_id=owners[n % 3].id,
                due_on=date(2026, 5, 1) + timedelta(days=n % 90),
                status=ActionStatus.OPEN,
            )
            for n in range(count)
        ]
    )
    db.session.commit()
    return assessments


def test_action_list_query_count_does_not_grow(client, make, login_as, count_queries):
    admin = make.user(Role.ADMIN)
    department = make.department()
    login_as(admin)
    _bulk_actions(make, 5, admin, department)
    client.get("/assessments/actions/")
    with count_queries() as few:
        assert client.get("/assessments/actions/?status=all").status_code == 200
    _bulk_actions(make, 500, admin, department)
    with count_queries() as many:
        response = client.get("/assessments/actions/?status=all&per_page=200")
    assert response.status_code == 200 and response.get_data(as_text=True).count('/close"') == 200
    assert few.count == many.count


def test_history_and_detail_query_counts_do_not_grow(client, make, login_as, count_queries):
    officer = make.user(Role.OFFICER)
    login_as(officer)
    few_side = _bulk_actions(make, 5, officer, officer.department)
    many_side = _bulk_actions(make, 400, officer, officer.department)
    for _ in range(30):  # many assessments on one arrangement, each with an action
        extra = Assessment(
            arrangement_id=many_side[0].arrangement_id,
            assessed_on=date(2025, 4, 1),
            result=NC,
            method=AssessmentMethod.ON_SITE,
            summary="過去の確認",
            valid_until=date(2026, 4, 1),
        )
        db.session.add(extra)
        db.session.flush()
        db.session.add(
            Action(
                assessment_id=extra.id,
                arrangement_id=extra.arrangement_id,
                finding="過去の指摘",
                owner_id=officer.id,
                due_on=date(2025, 5, 1),
                status=ActionStatus.CLOSED,
                closed_by_id=officer.id,
                closed_on=date(2025, 4, 20),
                resolution="済",
            )
        )
    db.session.commit()
    counts = []
    for assessment in (few_side[0], many_side[0]):
        with count_queries() as history:
            assert (
                client.get(f"/assessments/arrangement/{assessment.arrangement_id}").status_code
                == 200
            )
        with count_queries() as detail:
            assert client.get(f"/assessments/{assessment.id}").status_code == 200
        counts.append((history.count, detail.count))
    assert counts[0] == counts[1]


def test_summary_lists_the_first_open_actions_and_counts_them_all(app, make, assess):
    officer = make.user(Role.OFFICER)
    engagement = make.engagement(department=officer.department)
    findings = [f"指摘{n:02d}" for n in range(queries.PANEL_ACTIONS + 2)]
    # an older assessment (conforming, one open finding due early) and the latest 不適合 one
    assess(
        engagement,
        owner=officer,
        findings=["前回の指摘"],
        assessed_on=date(2026, 4, 1),
        due_on=date(2026, 4, 20),
    )
    assess(
        engagement,
        owner=officer,
        result=NC,
        findings=findings,
        assessed_on=date(2026, 5, 1),
        due_on=date(2026, 8, 1),
    )
    with app.test_request_context():
        summary = queries.summary_context(db.session, engagement, officer, date(2026, 7, 1))[
            "assessment_summary"
        ]
        html = render_template_string(
            "{% include 'assessments/_summary.html' %}", assessment_summary=summary
        )
    total = len(findings) + 1
    assert summary.latest.assessed_on == date(2026, 5, 1) and summary.flagged
    assert (summary.open_count, summary.overdue_count) == (total, 1)
    assert len(summary.open_actions) == queries.PANEL_ACTIONS
    assert summary.open_actions[0].finding == "前回の指摘"  # soonest due first
    assert f"{total}件" in html and "うち期限超過 1件" in html
    assert f"ほか{total - queries.PANEL_ACTIONS}件" in html
