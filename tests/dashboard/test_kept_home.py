"""The home page's body is kept by the app while the records marker holds (``dashboard.kept``,
``core.changes``): a second view costs the user's statement alone, and whatever changes the
records — through the ORM, a bulk statement, another connection — shows at the next view."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from tests.conftest import login
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.core import changes
from vendorguard.core.changes import ChangeMarker
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.dashboard import kept
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db
from vendorguard.org.models import Department
from vendorguard.reminders.models import Notification


def _marker() -> str | None:
    db.session.rollback()
    return db.session.scalar(select(ChangeMarker.value).where(ChangeMarker.name == changes.RECORDS))


def _ending_count(html: str) -> str | None:
    match = re.search(r'id="block-ending".*?(\d+)件', html, re.S)
    return match.group(1) if match else None


@pytest.fixture
def officer_home(make, login_as):
    """An officer of 観光課 with one engagement ending within the month, signed in."""
    kanko = make.department(name="観光課")
    contractor = make.contractor()
    make.engagement(
        kanko, contractor, title="観光サイト保守", ends_on=today_tokyo() + timedelta(10)
    )
    officer = make.user(Role.OFFICER, department=kanko)
    login_as(officer)
    return kanko, contractor, officer


def test_a_second_view_is_the_kept_body_with_the_users_statement_alone(
    client, officer_home, count_queries
):
    client.get("/")  # made (and the sign-in's message shown)
    made = client.get("/").get_data(as_text=True)
    with count_queries() as counter:
        again = client.get("/").get_data(as_text=True)
    assert counter.count == 1, counter.statements  # the user, the footer, the badge, the marker
    assert "change_marker" in counter.statements[0]
    # (the layout's CSRF tokens carry the second they were signed in: left out)
    token = re.compile(r'value="[\w.-]{40,}"')
    assert token.sub("", again) == token.sub("", made)
    assert _ending_count(again) == "1"


def test_a_change_through_the_orm_shows_at_the_next_view(client, make, officer_home):
    kanko, contractor, _officer = officer_home
    before = _marker()
    assert _ending_count(client.get("/").get_data(as_text=True)) == "1"
    make.engagement(
        kanko, contractor, title="観光アプリ保守", ends_on=today_tokyo() + timedelta(20)
    )
    assert _marker() != before
    assert _ending_count(client.get("/").get_data(as_text=True)) == "2"


def test_a_bulk_statement_and_another_connection_renew_the_marker(client, make, officer_home):
    kanko, contractor, _officer = officer_home
    engagement = make.engagement(
        kanko, contractor, title="追加分", ends_on=today_tokyo() + timedelta(400)
    )
    assert _ending_count(client.get("/").get_data(as_text=True)) == "1"
    before = _marker()
    db.session.execute(
        update(Engagement)
        .where(Engagement.id == engagement.id)
        .values(ends_on=today_tokyo() + timedelta(5))
    )
    db.session.commit()
    assert _marker() != before
    assert _ending_count(client.get("/").get_data(as_text=True)) == "2"

    before = _marker()
    with db.engine.begin() as connection:  # Core, outside any ORM session
        connection.execute(
            update(Engagement.__table__)
            .where(Engagement.__table__.c.id == engagement.id)
            .values(ends_on=today_tokyo() + timedelta(400))
        )
    assert _marker() != before
    assert _ending_count(client.get("/").get_data(as_text=True)) == "1"


def test_rolled_back_reads_and_untracked_writes_keep_the_marker(make):
    before = _marker()
    make.engagement(make.department(), make.contractor(), title="取り消す")
    renewed = _marker()
    assert renewed != before
    db.session.execute(update(Department).values(name="取り消す"))
    db.session.rollback()  # written, then rolled back: nothing changed
    assert _marker() == renewed
    db.session.execute(select(Engagement.id)).all()
    db.session.commit()  # a transaction that only read
    assert _marker() == renewed
    db.session.execute(update(Notification).where(Notification.id == -1).values(kind="x"))
    db.session.commit()  # notifications do not show on the home page
    assert _marker() == renewed


def test_bodies_follow_the_user_and_the_language(client, make, login_as, officer_home):
    _kanko, _contractor, officer = officer_home
    assert "観光課 の案件を表示しています" in client.get("/").get_data(as_text=True)
    officer.locale = "en"
    db.session.commit()
    english = client.get("/").get_data(as_text=True)
    assert "観光課 の案件を表示しています" not in english
    assert '<html lang="en"' in english
    client.post("/logout")
    login_as(make.user(Role.OFFICER, department=make.department(name="市民課")))
    html = client.get("/").get_data(as_text=True)
    assert "市民課 の案件を表示しています" in html
    assert _ending_count(html) == "0"  # 観光課の案件 is not theirs


def test_a_body_older_than_max_age_is_made_again(client, officer_home, count_queries, monkeypatch):
    client.get("/")
    with count_queries() as counter:
        client.get("/")
    assert counter.count == 1
    # both clocks: the process's own copy ages by the monotonic one, the shared file by its mtime
    clock = kept.time.monotonic() + changes.MAX_AGE + 1
    wall = kept.time.time() + changes.MAX_AGE + 1
    monkeypatch.setattr(kept.time, "monotonic", lambda: clock)
    monkeypatch.setattr(kept.time, "time", lambda: wall)
    with count_queries() as counter:
        client.get("/")
    assert counter.count > 1


def test_without_the_marker_row_nothing_is_kept(client, officer_home, count_queries):
    db.session.execute(delete(ChangeMarker))
    db.session.commit()
    client.get("/")
    with count_queries() as counter:
        client.get("/")
    assert counter.count > 1


def test_kept_bodies_stay_within_their_bytes():
    bodies = kept.KeptBodies(limit_bytes=100)
    for n in range(10):
        bodies.put(n, "m", kept.Markup("x" * 30))
    assert bodies.get(9, "m") == "x" * 30
    assert bodies.get(0, "m") is None  # dropped, least recently used first
    assert bodies.get(9, "other marker") is None
    assert bodies.get(9, "m") is None  # a body seen under another marker is gone
    bodies.put(1, None, kept.Markup("y"))
    assert bodies.get(1, None) is None


def test_concurrent_writers_all_commit(app, make):
    """Each writer renews the marker last, just before COMMIT: writers queue on the row for the
    length of a commit and never deadlock; every change counts. PostgreSQL (SQLite lets one writer
    at a time into the database, marker or not)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (set VENDORGUARD_TEST_DATABASE_URL)")
    department, contractor = make.department(), make.contractor()
    before = _marker()
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        with app.app_context():
            try:
                for n in range(5):
                    title = f"並行{writer}-{n}"
                    db.session.add(
                        Engagement(
                            department_id=department.id,
                            contractor_id=contractor.id,
                            title=title,
                            contract_number=title,
                            starts_on=today_tokyo(),
                            ends_on=today_tokyo() + timedelta(30),
                        )
                    )
                    db.session.commit()
            except BaseException as error:  # reported by the test's assertion
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    assert _marker() != before
    assert db.session.scalar(select(func.count()).where(Engagement.title.like("並行%"))) == 15


def test_a_sign_in_renews_nothing_and_the_kept_page_stays(
    app, client, make, officer_home, count_queries
):
    client.get("/")
    client.get("/")
    colleague = make.user(Role.OFFICER, department=make.department(name="市民課"))
    client.get("/")  # made again after that change
    before = _marker()
    other = app.test_client()
    login(other, colleague)  # last signed in, the audit chain's login event
    other.post("/logout")
    assert _marker() == before
    with count_queries() as counter:
        client.get("/")
    assert counter.count == 1


def test_bookkeeping_columns_alone_renew_nothing_but_other_columns_do(make):
    user = make.user(Role.OFFICER, department=make.department())
    before = _marker()
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_generation=User.session_generation + 1)
    )
    db.session.commit()  # SET not bound under its column's key: counted as a change
    counted = _marker()
    assert counted != before
    user.last_login_at = utcnow()
    db.session.commit()
    assert _marker() == counted
    db.session.execute(update(User).where(User.id == user.id).values(session_generation=7))
    db.session.commit()
    assert _marker() == counted
    user.name = "名前を変更"
    user.last_login_at = utcnow()
    db.session.commit()
    assert _marker() != counted


def _signed_in_by(html: str, email: str) -> bool:
    """Whether the auditor's block of latest audit events lists a sign-in made by ``email``."""
    block = html.split('id="block-audit"')[1]
    return (
        re.search(rf'data-label="操作者">{re.escape(email)}</td>\s*<td[^>]*>ログイン<', block)
        is not None
    )


def test_the_auditors_home_shows_a_sign_in_at_the_next_view(app, client, make, login_as):
    auditor = make.user(Role.AUDITOR, department=make.department(name="監査委員事務局"))
    colleague = make.user(Role.OFFICER, department=make.department(name="市民課"))
    login_as(auditor)
    client.get("/")
    assert not _signed_in_by(client.get("/").get_data(as_text=True), colleague.email)
    login(app.test_client(), colleague)
    assert _signed_in_by(client.get("/").get_data(as_text=True), colleague.email)
