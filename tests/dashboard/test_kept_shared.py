"""Home pages one process made are served by the instance's other processes (``KEPT_PAGES_DIR``,
``dashboard.kept.SharedBodies``) under the same marker rule as a process's own copy. Two apps on
one database and one folder stand for two gunicorn workers."""

from __future__ import annotations

import os
import re
import stat
from datetime import timedelta

import pytest
from sqlalchemy import event

from tests.conftest import RequestClient, login
from vendorguard import create_app
from vendorguard.auth.roles import Role
from vendorguard.core import changes
from vendorguard.core.timeutil import today_tokyo
from vendorguard.dashboard import kept
from vendorguard.extensions import db


def _ending_count(html: str) -> str | None:
    match = re.search(r'id="block-ending".*?(\d+)件', html, re.S)
    return match.group(1) if match else None


@pytest.fixture
def other_worker(app):
    """A second app on the same database, instance folder and settings: another worker."""
    second = create_app(dict(app.config), instance_path=app.instance_path)
    second.test_client_class = RequestClient
    return second


@pytest.fixture
def two_workers(app, other_worker, make):
    """An officer with one engagement ending this month, signed in on both workers."""
    kanko = make.department(name="観光課")
    contractor = make.contractor()
    make.engagement(
        kanko, contractor, title="観光サイト保守", ends_on=today_tokyo() + timedelta(10)
    )
    officer = make.user(Role.OFFICER, department=kanko)
    first, second = app.test_client(), other_worker.test_client()
    login(first, officer)
    login(second, officer)
    first.get("/")  # the sign-in messages shown; the page made after both sign-ins
    second.get("/")
    return first, second, kanko, contractor


def _without_tokens(html: str) -> str:
    """The page with its CSRF tokens left out (the layout's forms: signed with the second they
    were made, so two views a second apart differ there)."""
    return re.sub(r'value="[\w.-]{40,}"', 'value=""', html)


def _folder(app) -> str:
    return app.config["KEPT_PAGES_DIR"]


def _statements_of(worker_app, client, path: str = "/") -> tuple[str, int]:
    """The page at ``path`` from ``worker_app`` and the statements its engine sent for it."""
    seen: list[str] = []

    def note(*args) -> None:
        seen.append(args[2])

    with worker_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        html = client.get(path).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return html, len(seen)


def test_a_page_one_worker_made_is_served_by_the_other(app, other_worker, two_workers, make):
    first, second, kanko, contractor = two_workers
    make.engagement(
        kanko, contractor, title="観光アプリ保守", ends_on=today_tokyo() + timedelta(20)
    )
    made, made_statements = _statements_of(app, first)
    served, served_statements = _statements_of(other_worker, second)
    assert made_statements > 1
    assert served_statements == 1  # the user and the marker: the page came from the folder
    assert _without_tokens(served) == _without_tokens(made)
    assert _ending_count(served) == "2"


def test_a_change_after_the_page_was_shared_is_shown_by_both(app, other_worker, two_workers, make):
    first, second, kanko, contractor = two_workers
    _statements_of(app, first)
    make.engagement(
        kanko, contractor, title="観光アプリ保守", ends_on=today_tokyo() + timedelta(20)
    )
    html, statements = _statements_of(other_worker, second)
    assert statements > 1
    assert _ending_count(html) == "2"
    assert _ending_count(first.get("/").get_data(as_text=True)) == "2"


def test_the_folder_is_private_and_names_nobody(app, two_workers):
    folder = _folder(app)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    files = os.listdir(folder)
    assert files
    for name in files:
        assert re.fullmatch(r"[0-9a-f]{64}", name)
        assert stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode) == 0o600


def test_a_damaged_file_is_made_again_not_served(app, other_worker, two_workers, make):
    first, second, kanko, contractor = two_workers
    make.engagement(
        kanko, contractor, title="観光アプリ保守", ends_on=today_tokyo() + timedelta(20)
    )
    first.get("/")
    folder = _folder(app)
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), "wb") as file:
            file.write(b"\xff\xfe not a kept page")
    html, statements = _statements_of(other_worker, second)
    assert statements > 1
    assert _ending_count(html) == "2"


def test_files_past_the_age_limit_are_not_served_and_are_removed(tmp_path, monkeypatch):
    shared = kept.SharedBodies(tmp_path / "kept", b"secret")
    shared.put(("user", 1), "m1", kept.Markup("<p>old</p>"))
    assert shared.get(("user", 1), "m1")[0] == "<p>old</p>"
    assert shared.get(("user", 1), "m2") is None  # made at another marker
    (old,) = os.listdir(tmp_path / "kept")
    made_long_ago = kept.time.time() - changes.MAX_AGE - 1
    os.utime(tmp_path / "kept" / old, (made_long_ago, made_long_ago))
    assert shared.get(("user", 1), "m1") is None
    monkeypatch.setattr(kept, "PRUNE_EVERY", 0)
    shared.put(("user", 2), "m1", kept.Markup("<p>new</p>"))  # a write sweeps the folder
    names = os.listdir(tmp_path / "kept")
    assert len(names) == 1
    assert shared.get(("user", 2), "m1")[0] == "<p>new</p>"


def test_a_folder_that_cannot_be_made_leaves_pages_kept_per_process(
    app, make, tmp_path, count_queries
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app.config["KEPT_PAGES_DIR"] = str(blocker / "kept")
    kanko = make.department(name="観光課")
    officer = make.user(Role.OFFICER, department=kanko)
    client = app.test_client()
    login(client, officer)
    client.get("/")
    made = client.get("/").get_data(as_text=True)
    with count_queries() as counter:
        again = client.get("/").get_data(as_text=True)
    assert counter.count == 1
    assert _without_tokens(again) == _without_tokens(made)
