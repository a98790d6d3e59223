"""Benchmark: how long one contract security appendix takes to render, and 100 in a row, beside
the time docxtpl itself takes to render the bare template.

    .venv/bin/python benchmarks/appendix_bench.py [--runs 50]

No database is needed for the render timings: the articles are built here with the size of the
shipped clause library (17 articles, 2–3 paragraphs of about 120 characters, a few items).
``--full`` adds the end-to-end timings on a throw-away SQLite database with the real catalog:
one ``generate_appendix``, and the bulk job (documents.bulk_worker.run) making 100 appendices,
each committed as a version, into one zip. Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vendorguard.documents import docx_writer  # noqa: E402
from vendorguard.storage.base import new_key  # noqa: E402
from vendorguard.storage.local import LocalStorage  # noqa: E402

FACTS = {
    "document_title": "情報セキュリティに関する特記事項",
    "contract_title": "住民記録システム運用保守業務委託",
    "contract_number": "R8-00100",
    "contractor_name": "但馬情報システム株式会社",
    "contractor_address": "兵庫県豊岡市城南町1番1号",
    "department_name": "市民課",
    "starts_on": date(2026, 4, 1),
    "ends_on": date(2027, 3, 31),
}
SENTENCE = (
    "受注者は、本業務に係る情報を取り扱うに当たっては、発注者の情報セキュリティポリシー及び実施手順を遵守し、"
    "その漏えい、滅失、き損及び改ざんの防止その他の安全管理のために必要な措置を講じなければならない。"
)


@dataclass(frozen=True)
class Article:
    heading: str
    paragraphs: list[str]
    clause_version_id: int
    requirement_codes: list[str]


def articles() -> list[Article]:
    """17 articles like the shipped library's, for an engagement handling My Number."""
    result = []
    for n in range(1, 18):
        paragraphs = [SENTENCE, SENTENCE[:80] + "。"]
        if n % 3 == 0:
            paragraphs.append("受注者は、次に掲げる事項を遵守しなければならない。")
            paragraphs += [f"（{i}）{SENTENCE[:60]}。" for i in range(1, 4)]
        result.append(Article(f"条項{n}の見出し", paragraphs, n, [f"OUT-{n:02d}"]))
    return result


def median_ms(func, runs: int) -> float:
    func()  # warm-up: imports, template cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def full_generation_ms(runs: int) -> float | None:
    """generate_appendix end to end (catalog, render, local storage, row, audit) on SQLite."""
    try:
        from vendorguard.catalog import services as catalog
    except ImportError:
        return None
    from tests.factories import Factory
    from vendorguard import create_app
    from vendorguard.documents import services
    from vendorguard.extensions import db
    from vendorguard.storage import get_storage

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                "SECRET_KEY": "bench",
                "STORAGE_URL": Path(folder, "store").as_uri(),
            },
            instance_path=folder,
        )
        with app.app_context():
            db.create_all()
            catalog.ensure_catalog(db.session)
            make = Factory(db.session)
            engagement = make.engagement(
                handles_personal_info=True, handles_my_number=True, subcontracting_allowed=True
            )
            make.subcontractor(engagement)
            storage = get_storage(app)

            def generate() -> None:
                services.generate_appendix(db.session, storage, engagement, None)
                db.session.commit()

            result = median_ms(generate, runs)
            db.session.remove()
            db.engine.dispose()
    return result


def bulk_zip(rounds: int) -> tuple[float, float, int] | None:
    """The bulk job end to end on SQLite: 100 My Number engagements → 100 new versions + one zip.

    Returns (median total ms of a job, median ms per document, zip size). The per-document time is
    taken between progress callbacks of a run that reports after every document.
    """
    try:
        from vendorguard.catalog import services as catalog
    except ImportError:
        return None
    from tests.factories import Factory
    from vendorguard import create_app
    from vendorguard.documents import bulk, bulk_worker
    from vendorguard.documents.models import BulkJob
    from vendorguard.extensions import db
    from vendorguard.storage import get_storage

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                "SECRET_KEY": "bench",
                "STORAGE_URL": Path(folder, "store").as_uri(),
            },
            instance_path=folder,
        )
        with app.app_context():
            db.create_all()
            catalog.ensure_catalog(db.session)
            make = Factory(db.session)
            department = make.department("市民課")
            for _n in range(100):
                engagement = make.engagement(
                    department=department,
                    handles_personal_info=True,
                    handles_my_number=True,
                    subcontracting_allowed=True,
                    starts_on=date(2027, 4, 1),
                    ends_on=date(2028, 3, 31),
                )
                make.subcontractor(engagement)
            storage = get_storage(app)
            totals, per_document, size = [], [], 0
            for round_ in range(rounds + 1):  # the first round warms up
                job = bulk.create_job(db.session, None, bulk.BulkFilter(starting_fy=2027), 1000)
                db.session.commit()
                marks = [time.perf_counter()]
                every = (
                    1 if round_ % 2 else 5
                )  # odd rounds: per-document timings; even: the default
                bulk_worker.run(
                    db.session,
                    storage,
                    job.id,
                    every=every,
                    on_progress=lambda done, total, marks=marks: marks.append(time.perf_counter()),
                )
                finished = db.session.get(BulkJob, job.id)
                assert finished.done == 100, finished.errors
                size = finished.size
                if round_ == 0:
                    continue
                if every == 1:
                    per_document += [b - a for a, b in zip(marks, marks[1:], strict=False)]
                else:
                    totals.append(marks[-1] - marks[0])
            db.session.remove()
            db.engine.dispose()
    return statistics.median(totals) * 1000, statistics.median(per_document) * 1000, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="samples per median")
    parser.add_argument(
        "--bulk-rounds", type=int, default=5, help="how often the 100-document loop is timed"
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="also time generate_appendix end to end (catalog + SQLite + storage) "
        "and the bulk job (100 appendices into one zip)",
    )
    args = parser.parse_args()

    from docxtpl import DocxTemplate

    items = articles()
    template = docx_writer.find_template("appendix.docx")
    bare_context = {
        key: docx_writer.clean_text(
            docx_writer.format_date(value, "wareki") if isinstance(value, date) else value
        )
        for key, value in FACTS.items()
    }

    def one() -> bytes:
        return docx_writer.render("appendix.docx", FACTS, items).data

    def bare() -> bytes:
        document = DocxTemplate(io.BytesIO(template.data))
        document.render(
            dict(bare_context, articles=[]), jinja_env=docx_writer._ENV, autoescape=True
        )
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    def bare_library_defaults() -> bytes:
        document = DocxTemplate(io.BytesIO(template.data))
        document.render({})
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    def hundred() -> None:
        for _ in range(100):
            one()

    with tempfile.TemporaryDirectory() as folder:
        storage = LocalStorage(folder)

        def stored() -> None:
            storage.put(new_key("documents"), io.BytesIO(one()))

        results = {
            "one": median_ms(one, args.runs),
            "bare": median_ms(bare, args.runs),
            "bare_defaults": median_ms(bare_library_defaults, args.runs),
            "stored": median_ms(stored, args.runs),
            "hundred": median_ms(hundred, args.bulk_rounds),
        }
    full = full_generation_ms(args.runs) if args.full else None
    zipped = bulk_zip(args.bulk_rounds) if args.full else None
    size = len(one())
    ratio = results["one"] / results["bare"]
    print(
        f"appendix: {len(items)} articles, {size:,} bytes; docxtpl, python {sys.version.split()[0]}"
    )
    print(f"one appendix (render to bytes)          median {results['one']:8.1f} ms")
    print(f"one appendix + local storage (sha256)   median {results['stored']:8.1f} ms")
    print(
        f"100 appendices in a loop                median {results['hundred']:8.1f} ms "
        f"({results['hundred'] / 100:.1f} ms each)"
    )
    print(f"bare template, same library and context median {results['bare']:8.1f} ms")
    print(f"bare template, docxtpl defaults         median {results['bare_defaults']:8.1f} ms")
    if full is not None:
        print(f"generate_appendix end to end (SQLite)   median {full:8.1f} ms")
    if zipped is not None:
        print(
            f"bulk job, 100 appendices into one zip   median {zipped[0]:8.1f} ms total "
            f"({zipped[1]:.1f} ms median per document, zip {zipped[2]:,} bytes)"
        )
    print(
        f"ratio one / bare                               {ratio:8.2f}x  (target <= 1.5x, <= 150 ms)"
    )


if __name__ == "__main__":
    main()
