"""Rows saved in batches: still one audit entry per change, a valid chain, tiers computed, and a
refused row in the middle of a batch leaves nothing behind."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.imports.files import csv_bytes, xlsx
from vendorguard.audit import capture, chain
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.contractors import corporate_number as cn
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db
from vendorguard.imports import engine
from vendorguard.tiers.models import EngagementTier

NUMBER = cn.make("501234567890")
HEADER = ["契約番号", "件名", "所管課", "委託事業者の法人番号", "契約開始日", "契約終了日"]


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of three rows and four audit entries, so ten rows cross several of each."""
    monkeypatch.setattr(engine, "FLUSH_EVERY", 3)
    monkeypatch.setattr(capture, "BATCH_SIZE", 4)


def _rows(count: int, bad: int | None = None) -> bytes:
    rows = [HEADER]
    for i in range(count):
        ends = "2026-03-31" if i == bad else "2027-03-31"  # before the start: the service refuses
        rows.append([f"R8-{i:03d}", f"業務{i}", "税務課", NUMBER, "2026-04-01", ends])
    return csv_bytes(rows)


def test_batched_rows_keep_one_entry_per_change_and_the_chain(make, importer, small_batches):
    make.schemes()
    admin = make.user(Role.ADMIN)
    make.department(name="税務課")
    make.contractor(corporate_number=NUMBER)
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    batch = importer(admin, "engagements", _rows(10), filename="a.csv", apply=True)
    assert batch.summary["counts"]["created"] == 10
    ids = set(db.session.scalars(select(Engagement.id)))
    assert len(ids) == 10
    created = db.session.scalars(
        select(AuditEvent.object_id).where(
            AuditEvent.object_type == "engagement", AuditEvent.action == "create"
        )
    ).all()
    assert sorted(created) == sorted(str(i) for i in ids)  # one entry each, with its id
    # The tier of each new engagement was computed before the commit, with its own entries.
    assert set(db.session.scalars(select(EngagementTier.engagement_id))) == ids
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) > before + 10
    count, problem = chain.verify(db.session.connection())
    assert problem is None and count >= 20


def test_a_refused_row_inside_a_batch_leaves_nothing_and_the_rest_is_reported(
    make, importer, small_batches
):
    make.schemes()
    admin = make.user(Role.ADMIN)
    make.department(name="税務課")
    make.contractor(corporate_number=NUMBER)
    db.session.commit()
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    batch = importer(admin, "engagements", _rows(8, bad=4), filename="b.csv")
    statuses = [row[2] for row in batch.rows]
    assert statuses == ["created"] * 4 + ["error"] + ["created"] * 3
    assert "終了日" in batch.rows[4][5][0][2]
    assert db.session.scalars(select(Engagement)).all() == []  # a preview saves nothing
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert chain.verify(db.session.connection())[1] is None


def test_a_refused_update_keeps_the_new_rows_waiting_for_their_batch(make, importer):
    """The default batch (500 rows): a refused update must not drop the rows created before it."""
    make.schemes()
    admin = make.user(Role.ADMIN)
    department = make.department(name="税務課")
    contractor = make.contractor(corporate_number=NUMBER)
    make.engagement(department=department, contractor=contractor, contract_number="R8-700")
    data = xlsx(
        {
            "業務委託": [
                HEADER,
                ["R8-701", "新しい業務", "税務課", NUMBER, "2026-04-01", "2027-03-31"],
                ["R8-700", "変えた件名", "税務課", NUMBER, "2026-04-01", "2025-03-31"],
            ],
            "取扱情報": [["契約番号", "情報の名称"], ["R8-701", "住民票の写し"]],
        }
    )
    batch = importer(admin, "engagements", data)
    assert [row[2] for row in batch.rows] == ["created", "error", "created"], batch.rows
