"""A pooled PostgreSQL connection whose backend has ended is replaced before a request uses it
(``core.connections``, in place of ``pool_pre_ping``'s round trip)."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from vendorguard.core.connections import _refuse_dead_connection, is_dead, replace_dead_connections
from vendorguard.extensions import db


@pytest.fixture
def pg_engine(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("server connections are PostgreSQL's (set VENDORGUARD_TEST_DATABASE_URL)")
    return db.engine


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


def _terminate(engine, pid: int) -> None:
    """End backend ``pid`` from a connection of its own, and wait until it has gone."""
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
        for _ in range(200):
            gone = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
            if gone.fetchone() == (0,):
                return
            time.sleep(0.01)
    raise AssertionError(f"backend {pid} still running")


def test_the_app_checks_connections_instead_of_pre_ping(app):
    assert "pool_pre_ping" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    listening = event.contains(db.engine, "checkout", _refuse_dead_connection)
    assert listening is (db.engine.dialect.driver == "psycopg")


def test_a_request_after_its_backend_was_terminated_succeeds(pg_engine, client, login_as, make):
    login_as(make.user("admin"))
    assert client.get("/account/password").status_code == 200
    db.session.remove()  # the test's own session holds no connection: the pool has one
    pid = _backend_pid(pg_engine)
    assert pg_engine.pool.checkedout() == 0
    _terminate(pg_engine, pid)

    assert client.get("/account/password").status_code == 200
    assert _backend_pid(pg_engine) != pid


def test_a_terminated_connection_is_dead_and_a_live_one_is_not(pg_engine):
    with pg_engine.connect() as connection:
        raw = connection.connection.driver_connection
        pid = connection.scalar(text("SELECT pg_backend_pid()"))
        connection.rollback()
        assert not is_dead(raw)
        _terminate(pg_engine, pid)
        assert is_dead(raw)
        connection.invalidate()


def test_without_the_check_the_terminated_connection_fails(pg_engine):
    # The control: the same pool without the check hands the dead connection out.
    bare = create_engine(pg_engine.url, pool_size=1)
    try:
        pid = _backend_pid(bare)
        _terminate(bare, pid)
        with pytest.raises(OperationalError), bare.connect() as connection:
            connection.execute(text("SELECT 1"))
        replace_dead_connections(bare)
        pid = _backend_pid(bare)
        _terminate(bare, pid)
        with bare.connect() as connection:
            assert connection.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        bare.dispose()


def test_a_connection_that_always_looks_dead_costs_a_reconnect_not_a_request(
    pg_engine, client, login_as, make, monkeypatch
):
    login_as(make.user("admin"))
    monkeypatch.setattr("vendorguard.core.connections.is_dead", lambda connection: True)
    for _ in range(3):  # each checkout replaces the pooled connection; the new one is used
        assert client.get("/account/password").status_code == 200


def test_sqlite_engines_are_left_alone(app):
    engine = create_engine("sqlite://")
    replace_dead_connections(engine)
    assert not event.contains(engine, "checkout", _refuse_dead_connection)
