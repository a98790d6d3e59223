"""PostgreSQL connections keep psycopg's prepared statements across rollbacks
(``core.prepared``), and a rollback still undoes what the transaction wrote."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DataError

from vendorguard.contractors.models import Contractor
from vendorguard.extensions import db


@pytest.fixture
def pg_engine(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (set VENDORGUARD_TEST_DATABASE_URL)")
    return db.engine


def _prepared_here(connection) -> int:
    return connection.scalar(text("SELECT count(*) FROM pg_prepared_statements"))


def _named(connection, name: str) -> int:
    return connection.scalar(
        select(func.count()).select_from(Contractor).where(Contractor.name == name)
    )


def test_a_statement_run_in_rolled_back_transactions_gets_prepared(pg_engine):
    with pg_engine.connect() as connection:
        for _ in range(7):  # psycopg prepares a statement on its fifth run on one connection
            _named(connection, "prepared-probe")
            connection.rollback()
        assert _prepared_here(connection) >= 1


def test_requests_that_end_in_rollback_leave_their_statements_prepared(
    pg_engine, client, login_as, make
):
    login_as(make.user("admin"))
    for _ in range(7):
        assert client.get("/account/password").status_code == 200
    # the pool handed every request the same connection, one at a time
    with pg_engine.connect() as connection:
        assert _prepared_here(connection) >= 1


def test_a_rollback_still_undoes_the_transaction(pg_engine):
    with pg_engine.connect() as connection:
        connection.execute(insert(Contractor).values(name="rolled back", name_kana=""))
        assert _named(connection, "rolled back") == 1
        connection.rollback()
        assert _named(connection, "rolled back") == 0


def test_a_failed_transaction_rolls_back_and_the_connection_goes_on(pg_engine):
    with pg_engine.connect() as connection:
        connection.execute(insert(Contractor).values(name="before the error", name_kana=""))
        with pytest.raises(DataError):
            connection.execute(text("SELECT 1 / 0"))
        connection.rollback()
        assert _named(connection, "before the error") == 0
        assert connection.scalar(text("SELECT 2")) == 2


def test_generic_plans_last_for_the_transaction_only(pg_engine):
    from sqlalchemy.orm import Session

    from vendorguard.core.prepared import generic_plans_here

    with Session(pg_engine) as session:
        generic_plans_here(session)
        assert session.scalar(text("SHOW plan_cache_mode")) == "force_generic_plan"
        session.rollback()
        assert session.scalar(text("SHOW plan_cache_mode")) == "auto"
