"""What one app process knows, every other knows: the API's rate limit is counted in the database,
so two app instances (two Flask apps here, as two processes would be) share one window."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from tests.api.helpers import bearer, token_for
from tests.conftest import RequestClient
from vendorguard import create_app
from vendorguard.api.models import ApiRateWindow
from vendorguard.api.ratelimit import DatabaseWindow
from vendorguard.auth.roles import Role
from vendorguard.extensions import db


@pytest.fixture
def second_app(app, tmp_path):
    """Another app on the same database (its own extensions, caches and memory)."""
    other = create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "STORAGE_URL")},
            "TESTING": True,
            "MFA_REQUIRED_ROLES": "",
        },
        instance_path=str(tmp_path / "instance-b"),
    )
    other.test_client_class = RequestClient
    yield other
    with other.app_context():
        db.engine.dispose()


def test_the_api_rate_limit_is_shared_by_every_instance(app, client, make, second_app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("on SQLite (one machine) the count stays in each process")
    if 60 - time.time() % 60 < 5:
        time.sleep(60 - time.time() % 60)  # not across a window's end (at most 5 s)
    for each in (app, second_app):
        each.config["API_RATE_LIMIT"] = 3
    headers = bearer(token_for(make.user(Role.ADMIN)))
    other = second_app.test_client()
    statuses = [
        client.get("/api/v1/me", headers=headers).status_code,
        other.get("/api/v1/me", headers=headers).status_code,
        client.get("/api/v1/me", headers=headers).status_code,
        other.get("/api/v1/me", headers=headers).status_code,
    ]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/api/v1/me", headers=headers).status_code == 429


def test_a_new_window_starts_the_count_again_in_the_same_row(app):
    windows = DatabaseWindow()
    start = 1_800_000_000.0  # a window boundary (divisible by 60)
    with db.engine.begin() as connection:
        verdicts = [windows.hit(connection, "t1", 2, 60, now=start + 10) for _ in range(3)]
        assert [v.allowed for v in verdicts] == [True, True, False]
        assert verdicts[2].reset_after == 50 and verdicts[1].remaining == 0
        assert windows.hit(connection, "t2", 2, 60, now=start + 10).allowed  # its own count
        assert windows.hit(connection, "t1", 2, 60, now=start + 60).remaining == 1  # next window
        rows = connection.scalar(select(func.count()).select_from(ApiRateWindow))
    assert rows == 2  # one row per key, however many windows
