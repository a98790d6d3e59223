"""The upcoming page's stored plan: written by the day's first sweep, read by the page, recomputed
on demand (a job), and shown with its date when it is not today's."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.reminders.conftest import add_request, remind
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db
from vendorguard.reminders import plan_store
from vendorguard.reminders.models import ReminderPlanRow, ReminderPlanRun


def _runs() -> list[tuple[int, object, int]]:
    return db.session.execute(
        select(ReminderPlanRun.id, ReminderPlanRun.first_day, ReminderPlanRun.total).order_by(
            ReminderPlanRun.id
        )
    ).all()


def _rows() -> int:
    return db.session.scalar(select(func.count()).select_from(ReminderPlanRow)) or 0


def test_the_days_first_sweep_stores_the_coming_days(app, city):
    today = today_tokyo()
    add_request(city.engagement, today + timedelta(days=10))
    result = remind(app)
    assert result.exit_code == 0, result.output
    assert "今後14日間の送信予定を計算しました" in result.output
    ((run_id, first_day, total),) = _runs()
    # Today's reminders are in the outbox now; the plan holds the later stages (7 and 1 days
    # before, the day itself, the day after), each to the officer and the contractor.
    assert first_day == today and total == 8 == _rows()
    days = db.session.scalars(select(ReminderPlanRow.day).order_by(ReminderPlanRow.id)).all()
    assert days == sorted(days) and days[0] == today + timedelta(days=3)
    again = remind(app)  # later runs the same day leave the plan alone
    assert again.exit_code == 0 and "送信予定" not in again.output
    assert [run[0] for run in _runs()] == [run_id]


def test_the_page_reads_the_plan_with_its_time_and_says_when_none_exists(client, login_as, city):
    login_as(city.admin)
    page = client.get("/admin/reminders/").get_data(as_text=True)
    assert "送信予定はまだ計算されていません。" in page and "今すぐ再計算する" in page
    add_request(city.engagement, today_tokyo() + timedelta(days=10))
    run = plan_store.refresh(db.session, today_tokyo(), webhook=False)
    db.session.commit()
    page = client.get("/admin/reminders/").get_data(as_text=True)
    assert "に計算した見込みです" in page and "今日の分ではありません" not in page
    assert page.count("月次作業報告書") == run.total == 10
    assert "全10件" in page


def test_recompute_runs_the_job_and_replaces_the_old_plan(app, client, login_as, city):
    app.config["JOB_ENGINE"] = "inline"  # the job runs before the response returns
    login_as(city.admin)
    response = client.post("/admin/reminders/recompute", follow_redirects=True)
    assert "送信予定の再計算を開始しました" in response.get_data(as_text=True)
    db.session.expire_all()
    ((first_id, _day, total),) = _runs()
    assert total == 0 == _rows()
    add_request(city.engagement, today_tokyo() + timedelta(days=10))
    page = client.post("/admin/reminders/recompute", follow_redirects=True).get_data(as_text=True)
    db.session.expire_all()
    ((second_id, _day, total),) = _runs()  # the older run and its rows are gone
    assert second_id > first_id and total == 10 == _rows()
    assert "証跡の提出期限まであと10日です：月次作業報告書" in page


def test_a_plan_from_an_earlier_day_is_shown_with_its_date(client, login_as, city):
    earlier = today_tokyo() - timedelta(days=3)
    add_request(city.engagement, today_tokyo() + timedelta(days=10))
    plan_store.refresh(db.session, earlier, webhook=False)
    db.session.commit()
    login_as(city.admin)
    page = client.get("/admin/reminders/").get_data(as_text=True)
    shown = f"{earlier.year}年{earlier.month}月{earlier.day}日"
    assert f"この見込みは{shown}のもので、今日の分ではありません。" in page
    assert "証跡の提出期限まであと13日です" in page  # as seen from that day
    # The day's first sweep replaces it with today's.
    assert plan_store.refresh_if_stale(db.session, today_tokyo(), webhook=False) is not None
    db.session.commit()
    assert "今日の分ではありません" not in client.get("/admin/reminders/").get_data(as_text=True)
