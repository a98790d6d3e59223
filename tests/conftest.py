"""Test fixtures: one database per run (SQLite file, or PostgreSQL when configured), cleaned
after every test; an app and client per test; factories for the domain objects.

Set ``VENDORGUARD_TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``)
to run the whole suite against PostgreSQL.
"""

from __future__ import annotations

import contextvars
import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from playwright.sync_api import sync_playwright
from sqlalchemy import event, insert, text
from sqlalchemy.orm import Session

import vendorguard.models  # noqa: F401  (every model mapped before test modules build queries, as in create_app)
from vendorguard import create_app
from vendorguard.core import changes
from vendorguard.core.changes import ChangeMarker
from vendorguard.extensions import db

TEST_DATABASE_URL = os.environ.get("VENDORGUARD_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The database every test in this run shares; its tables are created once."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"},
        instance_path=str(tmp_path_factory.mktemp("instance-setup")),
    )
    with app.app_context():
        db.drop_all()
        _drop_alembic_version()
        db.create_all()
        db.engine.dispose()
    return url


def _drop_alembic_version() -> None:
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _empty_all_tables() -> None:
    """Every table emptied, and the change marker's row given back (as the migration inserts it):
    every test runs with the home page kept by the app, as it is served."""
    tables = [table.name for table in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            # DELETE, children first, then every sequence back to 1, as one round trip: a test
            # leaves a few rows, and TRUNCATE's new files for ~70 tables and their indexes took
            # ~0.75 s per test (a third of the PostgreSQL pass); this takes a few milliseconds.
            sequences = conn.scalars(
                text(
                    "SELECT quote_ident(sequencename) FROM pg_sequences"
                    " WHERE schemaname = current_schema()"
                )
            ).all()
            conn.exec_driver_sql(
                ";".join(
                    [f'DELETE FROM "{name}"' for name in reversed(tables)]
                    + [f"SELECT setval('{name}', 1, false)" for name in sequences]
                )
            )
        else:
            for name in reversed(tables):
                conn.execute(text(f'DELETE FROM "{name}"'))
        conn.execute(insert(ChangeMarker).values(name=changes.RECORDS, value=changes.fresh_value()))


@event.listens_for(Session, "after_flush")
def _note_flushed_writes(session, flush_context):
    session.info["flushed_writes"] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_flushed_writes(session):
    session.info.pop("flushed_writes", None)


class RequestClient(FlaskClient):
    """A test client whose every request runs as in production: its own app context, ``g`` and
    database session, however the test itself holds the application context.

    The test's own session (``db.session`` in the test body) is the observer: before each request
    it must hold no uncommitted changes (the request could not see them), and it is rolled back so
    that what the test reads afterwards comes fresh from the database.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            _end_observer_transaction()
        return super().open(*args, **kwargs)

    def run_wsgi_app(self, environ, buffered=False):
        # An empty contextvars context holds no app context, so Flask pushes a new one (and
        # Flask-SQLAlchemy scopes a new session to it) for this request alone. The body is read
        # in that context too, as a server would, so streamed responses end their contexts there.
        return contextvars.Context().run(super().run_wsgi_app, environ, True)


def _end_observer_transaction() -> None:
    session = db.session()
    if session.new or session.dirty or session.deleted or session.info.get("flushed_writes"):
        pytest.fail(
            "commit the test's changes before a request: the request has its own session",
            pytrace=True,
        )
    session.rollback()


@pytest.fixture
def app(database_url, tmp_path):
    """An application bound to the shared test database; emptied again after the test.

    The test body runs inside an app context (factories, direct service calls, assertions); the
    client's requests never share it (see ``RequestClient``).
    """
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key",
            "WTF_CSRF_ENABLED": False,
            "STORAGE_URL": (tmp_path / "storage").as_uri(),
            "SERVER_NAME": None,
            # Tests sign in with the password alone; tests/mfa turn enforcement on to prove it.
            "MFA_REQUIRED_ROLES": "",
        },
        instance_path=str(tmp_path / "instance"),
    )
    application.test_client_class = RequestClient
    with application.app_context():
        yield application
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client for ``app``."""
    return app.test_client()


@pytest.fixture
def make(app):
    """Factories for domain objects, committed to the database."""
    from tests import factories

    return factories.Factory(db.session)


def login(client, user, password: str = "correct horse battery") -> None:
    """Sign a user in through the real login form."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def login_as(client):
    """``login_as(user)`` signs the user in on ``client``."""
    return lambda user: login(client, user)


class QueryCounter:
    """Counts SQL statements sent to the database while active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` then ``counter.count``."""

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def live_server(app):
    """Serve ``app`` on 127.0.0.1 in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


CHROMIUM = os.environ.get("VENDORGUARD_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped (saying why) where it is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium); .ci/run installs it"
        )
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page, Japanese locale, 1280 px wide."""
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form in a page."""
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no csrf token in page"
    return match.group(1)
