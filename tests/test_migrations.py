"""Alembic migrations build the whole schema from nothing, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _flask(url: str, instance: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "VENDORGUARD_DATABASE_URL": url,
        "VENDORGUARD_INSTANCE_PATH": str(instance),
        "VENDORGUARD_SECRET_KEY": "migration-test",
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _upgrade_then_check(url: str, instance: Path) -> None:
    upgrade = _flask(url, instance, "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]
    check = _flask(url, instance, "check")
    assert check.returncode == 0, (check.stdout + check.stderr)[-3000:]
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"contractor", "engagement", "audit_event", "user_account", "alembic_version"} <= tables


def test_upgrade_on_empty_sqlite_then_check(tmp_path):
    _upgrade_then_check(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path / "instance")


def _postgres_admin_url() -> str:
    return os.environ.get("VENDORGUARD_TEST_DATABASE_URL") or DEFAULT_PG


@contextmanager
def temporary_postgres_database():
    """The URL of a new, empty PostgreSQL database, dropped afterwards (skips without a server)."""
    admin_url = make_url(_postgres_admin_url())
    if not admin_url.drivername.startswith("postgresql"):
        pytest.skip("VENDORGUARD_TEST_DATABASE_URL is not PostgreSQL")
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any connection failure means "no server here"
        pytest.skip(
            f"no PostgreSQL reachable at {admin_url.render_as_string(hide_password=True)}: {error.__class__.__name__}"
        )
    name = f"vg_migrate_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_upgrade_on_empty_postgresql_then_check(tmp_path):
    with temporary_postgres_database() as url:
        _upgrade_then_check(url, tmp_path / "instance")
