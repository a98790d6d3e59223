"""The kept evidence standing (``evidence.standing``) equals the one computed from scratch after
every kind of change to requests and requirements, and the home chart reads it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.evidence.helpers import day, requirement, store
from vendorguard.auth.roles import Role
from vendorguard.evidence import schedule, services, standing
from vendorguard.evidence.models import (
    Cadence,
    EvidenceRequest,
    EvidenceStanding,
    RequestStatus,
    ReviewDecision,
)
from vendorguard.extensions import db

TODAY = day("2026-11-28")


def kept() -> dict[int, tuple]:
    """Every arrangement's kept standing (no row: no unsettled request, no requirement in use)."""
    rows = db.session.execute(select(EvidenceStanding)).scalars()
    found = {row.arrangement_id: (row.due_from, bool(row.in_use)) for row in rows}
    return {
        row[0]: found.get(row[0], (None, False)) for row in db.session.execute(standing.computed())
    }


def scratch() -> dict[int, tuple]:
    """Every arrangement's standing computed now from its requests and requirements."""
    return {row[0]: (row[1], bool(row[2])) for row in db.session.execute(standing.computed())}


def adhoc(engagement, item, due):
    created = services.create_adhoc_request(
        db.session, engagement, services.AdhocData(due_on=due, requirement_id=item.id), TODAY
    )
    db.session.commit()
    return created


def test_the_kept_standing_follows_every_kind_of_change(make):
    engagement, other = make.engagement(), make.engagement()
    officer = make.user(Role.OFFICER)
    contractor_user = make.user(Role.CONTRACTOR, contractor_id=make.contractor().id)
    assert kept()[engagement.id] == (None, False)

    item = requirement(db.session, engagement, title="年次報告書", cadence=Cadence.AD_HOC)
    assert kept() == scratch() and kept()[engagement.id] == (None, True)

    later = adhoc(engagement, item, day("2026-12-20"))
    sooner = adhoc(engagement, item, day("2026-12-10"))
    assert kept() == scratch() and kept()[engagement.id] == (day("2026-12-10"), True)

    first = services.submit(db.session, sooner, [store()], "", user=contractor_user, via="portal")
    db.session.commit()  # submitted: still unsettled
    assert kept() == scratch() and kept()[engagement.id][0] == day("2026-12-10")

    services.review(db.session, first, ReviewDecision.REJECTED, officer, "不足", today=TODAY)
    db.session.commit()
    assert kept() == scratch() and kept()[engagement.id][0] == day("2026-12-10")

    second = services.submit(db.session, sooner, [store()], "", user=contractor_user, via="portal")
    db.session.commit()
    services.review(db.session, second, ReviewDecision.ACCEPTED, officer, today=TODAY)
    db.session.commit()  # settled: the later request is now the earliest
    assert kept() == scratch() and kept()[engagement.id][0] == later.due_on

    later.due_on = day("2026-12-01")  # moved, as the schedule moves dates off closed days
    db.session.commit()
    assert kept() == scratch() and kept()[engagement.id][0] == day("2026-12-01")

    services.close_request(db.session, later, "不要になったため")
    db.session.commit()
    assert kept() == scratch() and kept()[engagement.id] == (None, True)

    moved = adhoc(engagement, item, day("2026-12-15"))
    moved.arrangement_id = other.id  # a request moved to another arrangement: both recomputed
    db.session.commit()
    assert kept() == scratch() and kept()[other.id][0] == day("2026-12-15")

    db.session.delete(moved)
    db.session.commit()
    assert kept() == scratch() and kept()[other.id] == (None, False)

    adhoc(engagement, item, day("2026-12-24"))
    services.archive_requirement(
        db.session, item
    )  # withdraws its requests waiting for the provider
    db.session.commit()
    assert kept() == scratch() and kept()[engagement.id] == (None, False)


def test_scheduled_requests_are_kept_too(make):
    engagement = make.engagement(starts_on=TODAY - timedelta(days=90))
    item = requirement(db.session, engagement, cadence=Cadence.MONTHLY)
    schedule.generate_requests(db.session, engagement, TODAY)
    db.session.commit()
    assert db.session.scalar(
        select(EvidenceRequest.id).where(EvidenceRequest.evidence_requirement_id == item.id)
    )
    assert kept() == scratch() and kept()[engagement.id][0] is not None


def test_a_rolled_back_change_leaves_the_standing_alone(make):
    engagement = make.engagement()
    item = requirement(db.session, engagement, cadence=Cadence.AD_HOC)
    request = adhoc(engagement, item, day("2026-12-10"))
    request.status = RequestStatus.CLOSED
    db.session.flush()
    db.session.rollback()
    db.session.commit()  # nothing noted survives the rollback
    assert kept() == scratch() and kept()[engagement.id] == (day("2026-12-10"), True)


def test_a_due_date_passing_needs_no_recomputation(make):
    """The standing keeps the date, so "needs attention" on a later day is read, not rewritten."""
    from vendorguard.dashboard import queries

    engagement = make.engagement()
    item = requirement(db.session, engagement, cadence=Cadence.AD_HOC)
    adhoc(engagement, item, TODAY + timedelta(days=3))
    admin = make.user(Role.ADMIN)

    def attention(on):
        rows = db.session.execute(
            queries.assurance_by_department(admin, on, engagement.department_id)
        )
        return next(row.attention for row in rows)

    assert attention(TODAY) == 0
    assert attention(TODAY + timedelta(days=3)) == 1
    assert kept() == scratch()


def test_the_daily_schedule_puts_right_a_standing_left_behind(app, make):
    """A write that bypassed the hook (or two writers that raced) is repaired by the full run."""
    from sqlalchemy import update

    engagement = make.engagement()
    item = requirement(db.session, engagement, cadence=Cadence.AD_HOC)
    request = adhoc(engagement, item, day("2026-12-10"))
    db.session.execute(
        update(EvidenceRequest)
        .where(EvidenceRequest.id == request.id)
        .values(status=RequestStatus.CLOSED)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    assert kept() != scratch()
    result = app.test_cli_runner().invoke(args=["vg", "evidence-schedule", "--as-of", "2026-11-28"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert kept() == scratch() and kept()[engagement.id] == (None, True)


def test_two_transactions_recomputing_one_arrangement_both_commit(app, make):
    """Each writes the arrangement's row over the other's (an upsert): the second waits for the
    first and commits; with a delete and an insert it failed on the key."""
    import threading

    import pytest
    from sqlalchemy.orm import Session

    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (set VENDORGUARD_TEST_DATABASE_URL)")
    engagement = make.engagement()
    requirement(db.session, engagement, cadence=Cadence.AD_HOC)
    db.session.commit()
    outcome: list[object] = []
    engine = db.engine  # the thread has no application context

    def second_writer() -> None:
        with Session(engine) as session:
            try:
                standing.recompute(session, [engagement.id])  # waits for the first's row lock
                session.commit()
                outcome.append("committed")
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                outcome.append(error)

    with Session(engine) as first:
        standing.recompute(first, [engagement.id])
        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(timeout=0.5)  # the second is now waiting on the first's row
        first.commit()
    thread.join(timeout=30)
    assert outcome == ["committed"]
    db.session.rollback()
    assert kept() == scratch()
