"""Migration 0f85d9004cfa keeps existing approvals: cloud use applications move into
``approval_request`` with their ids, SNS accounts get the request their state implies, and the
downgrade puts cloud applications back as they were (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.test_migrations import _flask, temporary_postgres_database

BEFORE = "44d1a8a4dc4b"
NOW = datetime(2026, 4, 1, 3, 0, tzinfo=UTC)


def _insert(conn, table: str, **values) -> None:
    """Insert a row, filling every other required column with a plain value of its type."""
    for column in inspect(conn).get_columns(table):
        name = column["name"]
        if name in values or column["nullable"] or column.get("default") is not None:
            continue
        if column.get("autoincrement") is True and name == "id":
            continue
        kind = str(column["type"]).upper()
        if "INT" in kind:
            values[name] = 0
        elif "BOOL" in kind:
            values[name] = False
        elif "TIMESTAMP" in kind or "DATETIME" in kind:
            values[name] = NOW
        elif kind == "DATE":
            values[name] = date(2026, 4, 1)
        elif "JSON" in kind:
            values[name] = "{}"
        else:
            values[name] = "x"
    names = ", ".join(values)
    params = ", ".join(f":{key}" for key in values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({params})"), values)


def _seed(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        _insert(conn, "department", id=1, name="市民課", name_kana="シミンカ")
        _insert(conn, "user_account", id=1, email="a@example.jp", name="統括", role="admin")
        for arrangement_id, kind in (
            (10, "cloud_service"),
            (20, "social_account"),
            (21, "social_account"),
        ):
            _insert(
                conn,
                "arrangement",
                id=arrangement_id,
                kind=kind,
                title=f"案件{arrangement_id}",
                department_id=1,
                state="active",
                created_at=NOW,
                updated_at=NOW,
            )
        _insert(conn, "cloud_service", id=10, approval_state="approved", terms_type="contract")
        _insert(
            conn,
            "cloud_use_application",
            id=7,
            service_id=10,
            department_id=1,
            applicant_id=1,
            submitted_at=NOW,
            terms_type="contract",
            checklist='{"CL-01": {"title": "t", "answer": "done", "note": "", "order": 1}}',
            status="approved",
            decided_by_id=1,
            decided_at=NOW,
            decision_comment="条件付きで承認",
            valid_until=date(2027, 3, 31),
        )
        _insert(
            conn,
            "social_account",
            id=20,
            platform="x",
            handle="@a",
            approval_state="approved",
            approved_at=NOW,
            approved_by_id=1,
            approval_comment="承認します",
        )
        _insert(conn, "social_account", id=21, platform="x", handle="@b", approval_state="applied")
    engine.dispose()


def _rows(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            # Dates as ISO text, the same from SQLite (which returns text) and PostgreSQL.
            return [
                tuple(v.isoformat() if isinstance(v, date) else v for v in row)
                for row in conn.execute(text(sql))
            ]
    finally:
        engine.dispose()


def _migrate_with_data(url: str, instance) -> None:
    upgrade = _flask(url, instance, "upgrade", BEFORE)
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]
    _seed(url)
    upgrade = _flask(url, instance, "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]

    assert _rows(
        url,
        "SELECT r.id, r.kind, r.arrangement_id, r.status, r.decision_comment, r.valid_until,"
        " r.version, c.department_id FROM approval_request r"
        " JOIN cloud_use_application c ON c.id = r.id",
    ) == [(7, "cloud_use_application", 10, "approved", "条件付きで承認", "2027-03-31", 1, 1)]
    social = _rows(
        url,
        "SELECT arrangement_id, kind, status, decided_by_id, decision_comment FROM approval_request"
        " WHERE kind = 'approval_request' ORDER BY arrangement_id",
    )
    assert social == [
        (20, "approval_request", "approved", 1, "承認します"),
        (21, "approval_request", "submitted", None, ""),
    ]
    # New requests get fresh ids after the copied ones.
    assert min(row[0] for row in _rows(url, "SELECT id FROM approval_request WHERE id <> 7")) > 7
    assert _rows(url, "SELECT version FROM evidence_request") == []
    check = _flask(url, instance, "check")
    assert "No new upgrade operations detected" in check.stdout + check.stderr

    downgrade = _flask(url, instance, "downgrade", BEFORE)
    assert downgrade.returncode == 0, downgrade.stderr[-3000:]
    assert _rows(
        url,
        "SELECT id, service_id, applicant_id, status, decision_comment, valid_until"
        " FROM cloud_use_application",
    ) == [(7, 10, 1, "approved", "条件付きで承認", "2027-03-31")]


def test_existing_approvals_survive_the_migration_on_sqlite(tmp_path):
    _migrate_with_data(f"sqlite:///{tmp_path / 'data.db'}", tmp_path / "instance")


@pytest.mark.postgres
def test_existing_approvals_survive_the_migration_on_postgresql(tmp_path):
    with temporary_postgres_database() as url:
        _migrate_with_data(url, tmp_path / "instance")
