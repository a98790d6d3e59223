"""Benchmark: the reminder sweep over many evidence requests, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/reminder_bench.py [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/DB]

For each data set the tables are created afresh and filled with Core inserts: 20,000 engagements
(50 departments, 2 officers each, 2,000 contractors with one portal user each), one evidence
requirement per engagement (every other one provided by the contractor), and N evidence requests.
Of those, D are "due": still open, due between 30 days ago and 14 days ahead of the sweep day;
the rest are accepted (past) or due later than every window. Contract ends and reviews lie beyond
every window, so evidence requests are the only thing due.

Timed (median of 3 after a warm-up, each in a fresh transaction that is rolled back, so every run
does the same work):

- plan: what the day's sweep would create (``vg remind --dry-run``), writing nothing;
- sweep: plan + insert into the outbox (the first ``vg remind`` of the day);
- again: the same day's sweep once the rows exist (every later run that day).

CPU: the median CPU seconds of this process plus its PostgreSQL backend (read from /proc; parallel
workers not included) for the same runs. On a machine shared by many jobs the wall time is mostly
waiting for a core; the CPU time is the work itself and varies far less with the load.

The PostgreSQL database given is emptied (drop_all) — use a scratch database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DAY = date(2026, 12, 8)
ARRANGEMENTS = 20_000
DEPARTMENTS = 50
CONTRACTORS = 2_000
# The last case is issue 16's target: about 40,000 outbox rows (candidates addressed to people)
# from one sweep over 500,000 requests, in under 5 s on PostgreSQL.
SIZES = ((100_000, 2_000), (500_000, 2_000), (500_000, 8_000), (500_000, 22_000))
CHUNK = 10_000


def _insert(db, table, rows) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start : start + CHUNK])


def fill(db, requests: int, due: int) -> None:
    """The data set, inserted with Core (no ORM objects, no audit events)."""
    from vendorguard.arrangements.models import Arrangement
    from vendorguard.auth.models import User
    from vendorguard.contractors.models import Contractor
    from vendorguard.core.timeutil import utcnow
    from vendorguard.engagements.models import Engagement
    from vendorguard.evidence.models import EvidenceRequest, EvidenceRequirement
    from vendorguard.org.models import Department

    now = utcnow()
    _insert(
        db,
        Department.__table__,
        [
            {
                "id": d,
                "code": f"D{d:03d}",
                "name": f"課{d}",
                "name_kana": f"カ{d}",
                "email": f"dept{d}@city.example.jp",
                "created_at": now,
            }
            for d in range(1, DEPARTMENTS + 1)
        ],
    )
    users = [
        {
            "id": 1,
            "email": "admin@city.example.jp",
            "name": "管理者",
            "role": "admin",
            "created_at": now,
            "locale": "ja",
            "active": True,
            "password_hash": "",
        }
    ]
    for d in range(1, DEPARTMENTS + 1):
        for k in range(2):
            users.append(
                {
                    "id": 1 + d * 2 + k,
                    "email": f"o{d}-{k}@city.example.jp",
                    "name": f"職員{d}-{k}",
                    "role": "officer",
                    "department_id": d,
                    "created_at": now,
                    "locale": "ja",
                    "active": True,
                    "password_hash": "",
                }
            )
    _insert(
        db,
        Contractor.__table__,
        [
            {
                "id": c,
                "name": f"事業者{c}",
                "name_kana": f"ジギョウシャ{c}",
                "created_at": now,
                "updated_at": now,
            }
            for c in range(1, CONTRACTORS + 1)
        ],
    )
    users += [
        {
            "id": 1000 + c,
            "email": f"c{c}@vendor.example.jp",
            "name": f"担当{c}",
            "role": "contractor",
            "contractor_id": c,
            "created_at": now,
            "locale": "ja",
            "active": True,
            "password_hash": "",
        }
        for c in range(1, CONTRACTORS + 1)
    ]
    _insert(db, User.__table__, users)
    arrangements, engagements, requirements = [], [], []
    for a in range(1, ARRANGEMENTS + 1):
        d = a % DEPARTMENTS + 1
        arrangements.append(
            {
                "id": a,
                "kind": "engagement",
                "title": f"業務委託{a}",
                "department_id": d,
                "responsible_officer_id": 1 + d * 2 + (a % 3 == 0) if a % 5 else None,
                "state": "active",
                "created_at": now,
                "updated_at": now,
            }
        )
        engagements.append(
            {
                "id": a,
                "contractor_id": a % CONTRACTORS + 1,
                "starts_on": date(2025, 4, 1),
                "ends_on": date(2030, 3, 31),
            }
        )
        requirements.append(
            {
                "id": a,
                "arrangement_id": a,
                "title": "月次作業報告書",
                "cadence": "monthly",
                "due_offset_days": 14,
                "provider": "contractor" if a % 2 else "internal",
                "description": "",
                "created_at": now,
            }
        )
    _insert(db, Arrangement.__table__, arrangements)
    _insert(db, Engagement.__table__, engagements)
    _insert(db, EvidenceRequirement.__table__, requirements)
    per_requirement = requests // len(requirements)
    rows, due_left = [], due
    # More due items than requirements: the last two (three …) occurrences of each are due.
    slots = -(-due // len(requirements))
    for r in range(1, len(requirements) + 1):
        arrangement_id = r
        for n in range(per_requirement):
            slot = per_requirement - 1 - n
            if due_left and slot < slots and r % max(1, len(requirements) // due) == 0:
                due_on, status = (
                    DAY + timedelta(days=(r + 17 * slot) % 45 - 30),
                    "open",
                )  # 30 days late … 14 ahead
                due_left -= 1
            elif n < per_requirement // 2:
                due_on, status = DAY - timedelta(days=40 + 30 * n), "accepted"
            else:
                due_on, status = DAY + timedelta(days=60 + 30 * n), "open"
            rows.append(
                {
                    "evidence_requirement_id": r,
                    "arrangement_id": arrangement_id,
                    "department_id": arrangement_id % DEPARTMENTS
                    + 1,  # the arrangement's, as above
                    "occurrence": f"p{n}",
                    "scheduled_due_on": due_on,
                    "due_on": due_on,
                    "status": status,
                    "note": "",
                    "closed_reason": "",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if len(rows) >= CHUNK * 5:
            _insert(db, EvidenceRequest.__table__, rows)
            rows = []
    _insert(db, EvidenceRequest.__table__, rows)
    db.session.commit()
    assert due_left == 0, due_left


def cpu_seconds(backend_pid: int | None) -> float:
    """CPU time used so far by this process and by its PostgreSQL backend (same machine): on a
    loaded machine the wall time is mostly waiting for a core, the CPU time is the work done."""
    used = sum(os.times()[:2])
    if backend_pid is not None:
        fields = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        used += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def measure(url: str, requests: int, due: int, runs: int) -> dict:
    from sqlalchemy import func, select, text

    from vendorguard import create_app
    from vendorguard.evidence.models import EvidenceRequest
    from vendorguard.extensions import db
    from vendorguard.reminders import sweep

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url.replace("{folder}", folder), "SECRET_KEY": "bench"},
            instance_path=folder,
        )
        with app.app_context():
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            fill(db, requests, due)
            loaded = time.perf_counter() - started
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect() as conn:
                    conn.exec_driver_sql("ANALYZE")
                    conn.commit()
            total = db.session.scalar(select(func.count()).select_from(EvidenceRequest))

            backend = (
                db.session.scalar(text("SELECT pg_backend_pid()"))
                if db.engine.dialect.name == "postgresql"
                else None
            )
            cpu: dict[str, list[float]] = {}

            def timed(action, name: str) -> float:
                samples = []
                for round_ in range(runs + 1):
                    used = cpu_seconds(backend)
                    begin = time.perf_counter()
                    action()
                    elapsed = time.perf_counter() - begin
                    used = cpu_seconds(backend) - used
                    db.session.rollback()
                    if round_:
                        samples.append(elapsed)
                        cpu.setdefault(name, []).append(used)
                return statistics.median(samples)

            created = len(sweep.plan(db.session, DAY, DAY))
            db.session.rollback()
            result = {
                "requests": total,
                "due": due,
                "rows": created,
                "load": loaded,
                "plan": timed(lambda: sweep.plan(db.session, DAY, DAY), "plan"),
                "sweep": timed(lambda: sweep.run(db.session, DAY), "sweep"),
            }
            sweep.run(db.session, DAY)
            db.session.commit()
            result["again"] = timed(lambda: sweep.run(db.session, DAY), "again")
            result["cpu"] = {name: statistics.median(values) for name, values in cpu.items()}
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="also run on this (scratch!) PostgreSQL database URL")
    parser.add_argument("--runs", type=int, default=3, help="samples per median")
    parser.add_argument(
        "--due", type=int, action="append", help="only the 500,000-request case with this many due"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    sizes = [(500_000, due) for due in args.due] if args.due else SIZES
    targets = [] if args.no_sqlite else [("SQLite", "sqlite:///{folder}/bench.db")]
    if args.postgres:
        targets.append(("PostgreSQL", args.postgres))
    print(f"load average: {os.getloadavg()}", flush=True)
    print(
        "| database | evidence requests | due items | outbox rows | plan | sweep (first run) | sweep (again) | data load "
        "| CPU: plan / first run / again |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, url in targets:
        for requests, due in sizes:
            r = measure(url, requests, due, args.runs)
            print(
                f"| {name} | {r['requests']:,} | {r['due']:,} | {r['rows']:,} | {r['plan']:.2f} s | "
                f"{r['sweep']:.2f} s | {r['again']:.2f} s | {r['load']:.0f} s | "
                f"{r['cpu']['plan']:.2f} / {r['cpu']['sweep']:.2f} / {r['cpu']['again']:.2f} s |",
                flush=True,
            )
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
