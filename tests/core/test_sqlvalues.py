"""Code constants written into the SQL of marked statements as they are sent to PostgreSQL
(``core.sqlvalues.constants_written_in``, ``write_constants_in_sql``): what is written in, what
stays a parameter, and that the rows are the same."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, select

from tests.evidence.helpers import day, requirement
from vendorguard.arrangements.models import Arrangement
from vendorguard.core.sqlvalues import WRITE_CONSTANTS, constants_written_in
from vendorguard.evidence import services
from vendorguard.evidence.models import Cadence, EvidenceRequest, RequestStatus
from vendorguard.extensions import db


@pytest.fixture
def sent(app):
    """The (SQL, parameters) of every statement sent while the test runs, as the driver got them."""
    seen: list[tuple[str, object]] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


def _request(arrangement, title: str, due: str) -> None:
    item = requirement(db.session, arrangement, title=title, cadence=Cadence.AD_HOC)
    services.create_adhoc_request(
        db.session,
        arrangement,
        services.AdhocData(due_on=day(due), requirement_id=item.id),
        day("2026-01-05"),
    )
    db.session.commit()


def _statement(department_id: int):
    return (
        select(EvidenceRequest.id)
        .join(Arrangement, Arrangement.id == EvidenceRequest.arrangement_id)
        .where(
            EvidenceRequest.status.in_([RequestStatus.REJECTED, RequestStatus.OPEN]),
            EvidenceRequest.status != RequestStatus.ACCEPTED,
            Arrangement.kind == "engagement",
            Arrangement.department_id == department_id,
            EvidenceRequest.due_on < date(2026, 12, 5),
        )
        .order_by(EvidenceRequest.due_on)
        .limit(5)
        .offset(0)
    )


def test_marking_leaves_the_statement_tree_alone():
    statement = _statement(7)
    marked = constants_written_in(statement)
    assert marked.get_execution_options()[WRITE_CONSTANTS] is True
    assert WRITE_CONSTANTS not in statement.get_execution_options()
    assert str(marked) == str(statement)


def test_postgresql_gets_the_constants_in_the_sql_and_the_same_rows(app, make, sent):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the SQL is rewritten for PostgreSQL only (set VENDORGUARD_TEST_DATABASE_URL)")
    department = make.department()
    engagement = make.engagement(department, make.contractor(), title="保守")
    for due in ("2026-11-20", "2026-11-25", "2026-12-20"):  # two before the statement's date
        _request(engagement, f"報告書 {due}", due)
    plain = db.session.scalars(_statement(department.id)).all()
    assert len(plain) == 2
    sent.clear()
    written = db.session.scalars(constants_written_in(_statement(department.id))).all()
    assert written == plain
    sql, parameters = sent[-1]
    assert "evidence_request.status IN ('rejected', 'open')" in sql
    assert "evidence_request.status != 'accepted'" in sql
    assert "arrangement.kind = 'engagement'" in sql
    assert "LIMIT 5" in sql and "OFFSET 0" in sql
    assert sorted(parameters) == ["department_id_1", "due_on_1"]
    assert parameters["department_id_1"] == department.id


def test_text_that_is_not_a_plain_word_stays_a_parameter(app, sent):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the SQL is rewritten for PostgreSQL only (set VENDORGUARD_TEST_DATABASE_URL)")
    odd = ["Engagement", "it's", "engagement'; DROP TABLE x; --", "日本語", "a" * 61]
    for value in odd:
        sent.clear()
        statement = select(Arrangement.id).where(Arrangement.kind == value)
        assert db.session.scalars(constants_written_in(statement)).all() == []
        sql, parameters = sent[-1]
        assert parameters == {"kind_1": value}, value
        assert "%(kind_1)s" in sql


def test_other_databases_get_the_statement_as_it_is(app, make, sent):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("on PostgreSQL the SQL is rewritten (the test above)")
    department = make.department()
    db.session.scalars(constants_written_in(_statement(department.id))).all()
    sql, parameters = sent[-1]
    assert "'accepted'" not in sql
    assert RequestStatus.ACCEPTED.value in list(parameters)


def test_the_sql_text_is_rewritten_in_one_pass_leaving_escaped_percent_signs():
    from vendorguard.core.sqlvalues import _rewritten

    sql = (
        "SELECT a FROM t WHERE s = %(status_1)s AND u = %(status_1)s AND d < %(day_1)s "
        "AND n LIKE '%%(status_1)s' LIMIT %(param_1)s"
    )
    written = _rewritten(sql, (("status_1", "'open'"), ("param_1", "5")))
    assert written == (
        "SELECT a FROM t WHERE s = 'open' AND u = 'open' AND d < %(day_1)s "
        "AND n LIKE '%%(status_1)s' LIMIT 5"
    )
