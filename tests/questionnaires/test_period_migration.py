"""The period migration keeps existing self-checks valid: each becomes its fiscal year's period."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.test_migrations import _flask

BEFORE, PERIODS = "3a8e4c51b7d2", "5b1d7f3c9e20"


@pytest.mark.slow  # two migration runs (~15 s on SQLite); fold into test_migrations to save one
def test_existing_requests_get_their_fiscal_year_as_period(tmp_path):
    url = f"sqlite:///{tmp_path / 'periods.db'}"
    instance = tmp_path / "instance"
    upgrade = _flask(url, instance, "upgrade", BEFORE)
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for request_id, year, status in ((1, 2025, "closed"), (2, 2026, "sent")):
                conn.execute(
                    text(
                        "INSERT INTO questionnaire_request (id, template_id, version_id, "
                        "arrangement_id, fiscal_year, due_on, status, message, return_reason, "
                        "sent_at, created_at, version) VALUES (:id, 1, 1, 1, :year, "
                        "'2026-06-01', :status, '', '', '2026-05-01 00:00:00', "
                        "'2026-05-01 00:00:00', 1)"
                    ),
                    {"id": request_id, "year": year, "status": status},
                )
        upgrade = _flask(url, instance, "upgrade", PERIODS)
        assert upgrade.returncode == 0, upgrade.stderr[-3000:]
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, period_start, period_months FROM questionnaire_request ORDER BY id"
                )
            ).all()
        assert [tuple(row) for row in rows] == [(1, "2025-04-01", 12), (2, "2026-04-01", 12)]
    finally:
        engine.dispose()
