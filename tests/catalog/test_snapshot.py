"""The process's copy of the catalog: used while the database's marker holds, renewed with every
change to requirements, clauses and their versions, whichever session or process made it."""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.catalog import clause_services, snapshot
from vendorguard.catalog.models import CatalogMarker, Clause, Requirement
from vendorguard.documents import services as documents
from vendorguard.extensions import db
from vendorguard.storage import get_storage

NEW_BODY = "受注者は、本業務で知り得た情報を第三者に漏らしてはならない。改訂版。"


def _marker() -> str | None:
    return db.session.scalar(select(CatalogMarker.value).where(CatalogMarker.id == 1))


def _statements(func) -> int:
    seen: list[str] = []

    def count(*_args) -> None:
        seen.append("statement")

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        func()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_copy_is_used_while_the_marker_holds(ja, catalog):
    first = snapshot.current(db.session)
    assert first.marker == _marker() and first.versions["engagement"]
    again: list[snapshot.Snapshot] = []
    assert _statements(lambda: again.append(snapshot.current(db.session))) == 1
    assert again[0] is first


def test_a_clause_approved_in_another_session_is_in_the_next_document(ja, make, catalog):
    engagement = make.engagement()
    admin_id = make.user(Role.ADMIN).id
    db.session.commit()
    storage = get_storage()
    before = documents.generate_appendix(db.session, storage, engagement, None)
    db.session.commit()
    assert NEW_BODY not in str(before.articles)

    # Another process: its own session and connection, its own commit.
    with Session(db.engine) as other:
        clause = other.scalars(select(Clause).where(Clause.code == "ENG-02")).one()
        data = clause_services.ClauseData(
            title=clause.title, heading="秘密の保持", body=NEW_BODY, requirement_codes=["OUT-07"]
        )
        draft = clause_services.revise_clause(other, clause, data, None)
        assert draft is not None
        clause_services.approve_version(other, draft, other.get(User, admin_id))
        other.commit()
        approved_id = draft.id

    after = documents.generate_appendix(db.session, storage, engagement, None)
    db.session.commit()
    assert approved_id in after.clause_version_ids
    assert NEW_BODY in str(after.articles)


def test_changing_only_a_versions_requirements_renews_the_marker(ja, catalog):
    copy = snapshot.current(db.session)
    clause = db.session.scalars(select(Clause).where(Clause.code == "ENG-02")).one()
    version = clause_services.latest_version(db.session, clause)
    assert version is not None
    extra = db.session.scalars(select(Requirement).where(Requirement.code == "OUT-01")).one()
    version.requirements.append(extra)
    db.session.commit()
    assert _marker() != copy.marker
    fresh = snapshot.current(db.session)
    assert fresh is not copy
    linked = next(v for v in fresh.versions["engagement"] if v.id == version.id)
    assert "OUT-01" in {r.code for r in linked.requirements}


def test_a_database_without_the_marker_row_is_read_every_time(ja, catalog):
    db.session.execute(CatalogMarker.__table__.delete())
    db.session.commit()
    first = snapshot.current(db.session)
    assert first.marker == "" and first.versions["engagement"]
    assert snapshot.current(db.session) is not first
