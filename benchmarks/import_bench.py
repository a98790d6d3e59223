"""Benchmark: importing 10,000 engagements from one file (issue 12), on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/import_bench.py [--rows 10000] [--format xlsx|csv]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/DB]

Each run starts from empty tables with 50 departments and 500 contractors (inserted with Core),
writes an engagement register of N rows (a title row, a blank row, then the header; 和暦 and
western dates, full-width digits in some cells) to a temporary file, and times, through the same
services as the pages (``imports.services``, ``imports.passes``):

- upload: the file kept in storage, its kind / encoding decided, the header row found;
- preview: every row read, checked and saved inside a SAVEPOINT, then all rolled back;
- apply: the same, committed (one transaction, one audit entry per engagement);
- again: the same file applied once more (every row unchanged, nothing written).

Wall time depends on what else runs on the machine, so the CPU time the process itself used
(``time.process_time``) is printed next to it. Peak memory is the process's peak resident set
(``ru_maxrss``) after each step, so it includes
the interpreter, Flask and openpyxl; the file is streamed (openpyxl read-only / csv reader) and the
preview's per-row results are the only thing kept per row. The PostgreSQL database given is
emptied (drop_all) — use a scratch database.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEPARTMENTS = 50
CONTRACTORS = 500
HEADER = [
    "契約番号",
    "件名",
    "所管課",
    "委託事業者の法人番号",
    "状態",
    "契約開始日",
    "契約終了日",
    "個人情報の取扱い",
    "ネットワーク区分",
    "再委託の可否",
    "報告の頻度",
    "業務内容",
]


def peak_mib() -> float:
    """The process's peak resident set so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rows(rows: int, numbers: list[str]):
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    for i in range(rows):
        yield [
            f"R8-{i:06d}",
            f"業務委託 {i}（令和8年度）",
            f"課{i % DEPARTMENTS + 1}",
            numbers[i % len(numbers)],
            "有効",
            "令和8年4月1日" if i % 2 else "2026/4/1",
            "R9.3.31" if i % 3 else "２０２７年３月３１日".translate(wide),
            "○" if i % 4 == 0 else "×",
            "LGWAN接続系、インターネット接続系" if i % 5 == 0 else "",
            "いいえ",
            "四半期ごと",
            f"業務の説明 {i}",
        ]


def write_file(path: Path, rows: int, numbers: list[str], fmt: str) -> None:
    """The register as a spreadsheet people keep: title, blank row, header, rows."""
    if fmt == "csv":
        with path.open("w", encoding="cp932", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["業務委託台帳（ベンチマーク）"])
            writer.writerow([])
            writer.writerow(HEADER)
            writer.writerows(_rows(rows, numbers))
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("業務委託")
    sheet.append(["業務委託台帳（ベンチマーク）"])
    sheet.append([])
    sheet.append(HEADER)
    for row in _rows(rows, numbers):
        sheet.append(row)
    workbook.save(path)


def fill(db) -> tuple[list[str], object]:
    """Departments and contractors (Core inserts) and the administrator who imports."""
    from sqlalchemy import insert

    from vendorguard.auth.models import User
    from vendorguard.contractors import corporate_number as cn
    from vendorguard.contractors.models import Contractor
    from vendorguard.core.timeutil import utcnow
    from vendorguard.org.models import Department

    now = utcnow()
    db.session.execute(
        insert(Department.__table__),
        [
            {
                "id": d,
                "code": f"D{d:03d}",
                "name": f"課{d}",
                "name_kana": f"カ{d}",
                "created_at": now,
            }
            for d in range(1, DEPARTMENTS + 1)
        ],
    )
    numbers = [cn.make(f"{800000000000 + c:012d}") for c in range(CONTRACTORS)]
    db.session.execute(
        insert(Contractor.__table__),
        [
            {
                "name": f"事業者{c}株式会社",
                "name_kana": f"ジギョウシャ{c}",
                "corporate_number": number,
                "created_at": now,
                "updated_at": now,
            }
            for c, number in enumerate(numbers)
        ],
    )
    admin = User(email="admin@city.example.jp", name="管理者", role="admin", password_hash="x")
    db.session.add(admin)
    db.session.commit()
    return numbers, admin


def measure(url: str, rows: int, fmt: str) -> dict:
    from sqlalchemy import func, select

    from vendorguard import create_app
    from vendorguard.audit.context import acting_as
    from vendorguard.engagements.models import Engagement
    from vendorguard.extensions import db
    from vendorguard.imports import passes, services
    from vendorguard.imports.registers import REGISTERS
    from vendorguard.storage.factory import get_storage

    result: dict = {"rows": rows, "format": fmt}
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url.replace("{folder}", folder),
                "SECRET_KEY": "bench",
                "STORAGE_URL": Path(folder, "storage").as_uri(),
            },
            instance_path=folder,
        )
        with app.app_context(), acting_as("bench"):
            db.drop_all()
            db.create_all()
            numbers, admin = fill(db)
            path = Path(folder) / f"register.{fmt}"
            write_file(path, rows, numbers, fmt)
            result["file_mib"] = path.stat().st_size / 1024 / 1024
            result["baseline_mib"] = peak_mib()
            storage = get_storage(app)

            def progress(done: int) -> None:
                if done % 2000 == 0:
                    print(f"    {done} rows", file=sys.stderr)

            begin, cpu = time.perf_counter(), time.process_time()
            with path.open("rb") as stream:
                batch = services.upload(
                    db.session,
                    storage,
                    admin,
                    REGISTERS["engagements"],
                    stream,
                    path.name,
                    keep_hours=1,
                    max_bytes=200 * 1024 * 1024,
                )
            db.session.commit()
            result["upload"] = time.perf_counter() - begin
            result["upload_cpu"] = time.process_time() - cpu
            for step in ("preview", "apply", "again"):
                begin, cpu = time.perf_counter(), time.process_time()
                run = passes.preview if step == "preview" else passes.apply
                if step == "again":
                    batch.status = batch.status.PREVIEWED
                report = run(db.session, storage, batch, admin, progress)
                db.session.commit()
                result[step] = time.perf_counter() - begin
                result[f"{step}_cpu"] = time.process_time() - cpu
                result[f"{step}_counts"] = report.counts()
                result[f"{step}_peak_mib"] = peak_mib()
            result["engagements"] = db.session.scalar(select(func.count()).select_from(Engagement))
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument(
        "--postgres", help="run on this (scratch!) PostgreSQL database URL instead of SQLite"
    )
    args = parser.parse_args()
    url = args.postgres or "sqlite:///{folder}/bench.db"
    result = measure(url, args.rows, args.format)
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"{engine}, {result['rows']} engagements from .{result['format']} ({result['file_mib']:.1f} MiB)"
    )
    print(f"  upload  {result['upload']:6.1f} s  (CPU {result['upload_cpu']:5.1f} s)")
    for step in ("preview", "apply", "again"):
        print(
            f"  {step:7} {result[step]:6.1f} s  (CPU {result[step + '_cpu']:5.1f} s)"
            f"  peak {result[step + '_peak_mib']:6.1f} MiB  {result[step + '_counts']}"
        )
    print(f"  load average when done: {os.getloadavg()[0]:.1f}")
    print(
        f"  engagements in the database: {result['engagements']}; peak before the import {result['baseline_mib']:.1f} MiB"
    )


if __name__ == "__main__":
    main()
