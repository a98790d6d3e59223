"""The audit trail: automatic capture in the same transaction, hash chain, tamper detection."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.engine.interfaces import CacheStats

from vendorguard.audit import chain
from vendorguard.audit import services as audit
from vendorguard.audit.capture import make_event
from vendorguard.audit.context import Actor
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.extensions import db


def _events(action=None):
    stmt = select(AuditEvent).order_by(AuditEvent.seq)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return db.session.scalars(stmt).all()


def test_create_update_archive_are_recorded_with_before_and_after(make):
    contractor = make.contractor(name="豊岡システム株式会社")
    contractor.address = "兵庫県豊岡市中央町2-4"
    db.session.commit()
    contractor.archived_at = datetime.now(UTC)
    db.session.commit()

    events = [e for e in _events() if e.object_type == "contractor"]
    assert [e.action for e in events] == ["create", "update", "archive"]
    assert events[0].after["name"] == "豊岡システム株式会社"
    assert events[1].before == {"address": ""}
    assert events[1].after == {"address": "兵庫県豊岡市中央町2-4"}
    assert events[2].object_id == str(contractor.id)


def test_password_hash_never_enters_the_trail(make):
    user = make.user(Role.AUDITOR)
    created = [
        e
        for e in _events("create")
        if e.object_type == "user_account" and e.object_id == str(user.id)
    ]
    assert created and created[0].after["password_hash"] == "***"


def test_rolled_back_change_leaves_no_event(make):
    contractor = make.contractor()
    before = len(_events())
    contractor.address = "どこか"
    db.session.flush()
    db.session.rollback()
    assert len(_events()) == before


def test_chain_verifies_and_detects_an_altered_row(make):
    make.contractor()
    make.contractor()
    count, problem = audit.verify(db.session)
    assert problem is None and count == len(_events())

    target = _events()[1]
    db.session.execute(
        text("UPDATE audit_event SET object_label = 'tampered' WHERE id = :id"), {"id": target.id}
    )
    db.session.commit()
    _, problem = audit.verify(db.session)
    assert problem is not None and problem.seq == target.seq and problem.event_id == target.id


def test_chain_detects_a_removed_row_and_a_removed_tail(make):
    for _ in range(3):
        make.contractor()
    removed = _events()[1]
    removed_id, removed_seq = removed.id, removed.seq
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": removed_id})
    db.session.commit()
    _, problem = audit.verify(db.session)
    assert problem is not None and problem.seq == removed_seq and "removed" in problem.reason


def test_removing_the_newest_row_is_detected(make):
    make.contractor()
    last = _events()[-1]
    last_id, last_seq = last.id, last.seq
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": last_id})
    db.session.commit()
    _, problem = audit.verify(db.session)
    assert problem is not None and problem.seq == last_seq


def test_audit_verify_command_names_the_altered_row(app, make):
    make.contractor()
    make.contractor()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["vg", "audit-verify"])
    assert result.exit_code == 0, result.output
    target = _events()[0]
    db.session.execute(
        text("UPDATE audit_event SET after = NULL WHERE id = :id"), {"id": target.id}
    )
    target_seq, target_id = target.seq, target.id
    db.session.commit()
    result = runner.invoke(args=["vg", "audit-verify"])
    assert result.exit_code == 1
    assert f"seq {target_seq} (id {target_id})" in result.output


def test_subclass_column_changed_after_commit_records_its_old_value(make):
    from datetime import date

    engagement = make.engagement(ends_on=date(2027, 3, 31))
    engagement.ends_on = date(2027, 9, 30)  # the object was expired by the commit in the factory
    db.session.commit()
    event = _events("update")[-1]
    assert event.object_type == "engagement"
    assert event.before == {"ends_on": "2027-03-31"} and event.after == {"ends_on": "2027-09-30"}


def _system_events(count: int) -> list[dict]:
    system = Actor(None, "system")
    return [
        make_event("update", "contractor", n, f"業者{n}", {"n": n}, {"n": n + 1}, system)
        for n in range(count)
    ]


def test_events_of_one_flush_are_chained_in_order_and_stored_as_given(app):
    events = _system_events(3) + [
        make_event("create", "contractor", 9, "", None, {"b": None}, Actor(None, "system"))
    ]
    chain.append(db.session.connection(), events)
    db.session.commit()
    rows = _events()[-4:]
    assert [(r.action, r.object_id, r.object_label, r.before, r.after) for r in rows] == [
        ("update", "0", "業者0", {"n": 0}, {"n": 1}),
        ("update", "1", "業者1", {"n": 1}, {"n": 2}),
        ("update", "2", "業者2", {"n": 2}, {"n": 3}),
        ("create", "9", "", None, {"b": None}),
    ]
    assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + 4))
    assert audit.verify(db.session) == (len(_events()), None)


def test_an_event_without_a_defaulted_column_gets_its_default(app):
    event_ = _system_events(1)[0]
    del event_["object_label"]
    chain.append(db.session.connection(), [event_])
    db.session.commit()
    # Stored as the model's default says (not as NULL), on either way of inserting.
    assert _events()[-1].object_label == ""


def test_the_events_statement_is_compiled_once_for_each_shape(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("events and head share one statement on PostgreSQL only")
    seen: list[CacheStats] = []

    def note(_conn, _cursor, statement, _parameters, context, _many) -> None:
        if statement.lstrip().startswith("WITH new_events"):
            seen.append(context.cache_hit)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        for count in (2, 2, 1):
            chain.append(db.session.connection(), _system_events(count))
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    db.session.commit()
    assert seen[1] == CacheStats.CACHE_HIT
    assert CacheStats.NO_CACHE_KEY not in seen
    assert audit.verify(db.session) == (len(_events()), None)
