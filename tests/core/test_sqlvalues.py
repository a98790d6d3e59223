"""Code constants written into a statement's SQL (``core.sqlvalues.constants_written_in``): what
is written in, and what stays a parameter."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from vendorguard.arrangements.models import Arrangement
from vendorguard.core.sqlvalues import constants_written_in
from vendorguard.evidence.models import EvidenceRequest, RequestStatus


def _compiled(statement, dialect=None):
    return statement.compile(dialect=dialect or postgresql.psycopg.dialect())


def test_enums_words_and_limits_are_written_in_dates_and_ids_stay_bound():
    statement = (
        select(EvidenceRequest.id)
        .join(Arrangement, Arrangement.id == EvidenceRequest.arrangement_id)
        .where(
            EvidenceRequest.status.in_([RequestStatus.REJECTED, RequestStatus.OPEN]),
            EvidenceRequest.status != RequestStatus.ACCEPTED,
            Arrangement.kind == "engagement",
            Arrangement.department_id == 7,
            EvidenceRequest.due_on < date(2026, 12, 5),
        )
        .order_by(EvidenceRequest.due_on)
        .limit(5)
        .offset(10)
    )
    compiled = _compiled(constants_written_in(statement))
    sql = str(compiled)
    assert "evidence_request.status IN ('rejected', 'open')" in sql
    assert "evidence_request.status != 'accepted'" in sql
    assert "arrangement.kind = 'engagement'" in sql
    assert "LIMIT 5 OFFSET 10" in sql
    assert compiled.params == {"department_id_1": 7, "due_on_1": date(2026, 12, 5)}
    # the statement it came from is left as it was
    assert "LIMIT %(param_1)s" in str(_compiled(statement))


def test_text_that_is_not_a_plain_word_stays_a_parameter():
    odd = ["Engagement", "it's", "engagement; DROP TABLE x", "日本語", "a" * 61]
    for value in odd:
        compiled = _compiled(
            constants_written_in(select(Arrangement.id).where(Arrangement.kind == value))
        )
        assert compiled.params == {"kind_1": value}, value
    mixed = select(Arrangement.id).where(Arrangement.kind.in_(["engagement", "it's"]))
    assert "POSTCOMPILE" in str(_compiled(constants_written_in(mixed)))


def test_written_in_statements_run_alike_on_sqlite(app, make):
    engagement = make.engagement(make.department(), make.contractor(), title="保守")
    statement = select(Arrangement.id).where(
        Arrangement.kind.in_(["engagement", "cloud_service"]), Arrangement.id == engagement.id
    )
    from vendorguard.extensions import db

    assert db.session.scalars(constants_written_in(statement)).all() == [engagement.id]
    assert "IN ('engagement', 'cloud_service')" in str(
        _compiled(constants_written_in(statement), sqlite.dialect())
    )
