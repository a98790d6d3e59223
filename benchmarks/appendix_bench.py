"""Benchmark: generating one contract security appendix end to end, beside a bare docxtpl render
of the same template with the same articles and facts, timed interleaved in one run.

    .venv/bin/python benchmarks/appendix_bench.py [--runs 40] [--database-url URL] [--bulk]

Measured: what the generate view does after its checks, in a fresh session as each request has
one — the arrangement loaded as the view loads it, ``documents.services.generate_appendix`` on a
real database with the shipped catalog (coverage, clause rendering, numbering and
cross-references, the Word render, storage with its sha256, the version row, the audit entry)
and the commit. Baseline: the same template rendered by
docxtpl with the articles and facts that very generation produced, into bytes — the work a
hand-written script would have to do at the least. Both are sampled alternately so machine load
hits both alike. ``--bulk`` also times the bulk job (100 appendices into one zip).
Default database: a throw-away SQLite file; ``--database-url`` takes an empty PostgreSQL database.
Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docxtpl import DocxTemplate  # noqa: E402
from sqlalchemy import event  # noqa: E402

from tests.factories import Factory  # noqa: E402
from vendorguard import create_app  # noqa: E402
from vendorguard.arrangements import access  # noqa: E402
from vendorguard.catalog import services as catalog  # noqa: E402
from vendorguard.documents import bulk, bulk_worker, docx_writer, services  # noqa: E402
from vendorguard.documents.facts import facts_for  # noqa: E402
from vendorguard.documents.models import BulkJob  # noqa: E402
from vendorguard.extensions import db  # noqa: E402
from vendorguard.storage import get_storage  # noqa: E402


def percentile(samples: list[float], share: float) -> float:
    """The ``share`` quantile of ``samples`` in milliseconds (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def bare_render(template_data: bytes, context: dict) -> bytes:
    """docxtpl as its documentation shows it: the template, the ready context (same facts, same
    numbered articles), autoescaped, to bytes."""
    document = DocxTemplate(io.BytesIO(template_data))
    document.render(context, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def ready_context(session, engagement, style: str) -> tuple[bytes, dict, int]:
    """The template bytes and the exact context ``docx_writer.render`` gives docxtpl, built once."""
    kind = services.document_kind(engagement)
    template = docx_writer.find_template(kind.template)
    articles = catalog.render_articles(session, engagement, date_style=style)
    numbered = docx_writer.references.resolve(
        docx_writer.numbered_articles(articles, template.fullwidth_numbers),
        template.fullwidth_numbers,
    )
    facts = facts_for(session, engagement, kind)
    context = docx_writer._template_values(facts, style)
    context.setdefault(
        "period", docx_writer.period(facts.get("starts_on"), facts.get("ends_on"), style)
    )
    context["blank_date"] = docx_writer.blank_date(style)
    context["articles"] = numbered
    return template.data, context, len(articles)


def count_statements(func) -> int:
    """How many SQL statements ``func`` sends (round trips, which load cannot blur)."""
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        func()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return len(sent)


def bulk_job_ms(session, storage, make: Factory, rounds: int) -> tuple[float, int]:
    """Median time of the bulk job making 100 appendices (each a committed version) into one zip."""
    department = make.department("市民課（一括）")
    for _ in range(100):
        engagement = make.engagement(
            department=department,
            handles_personal_info=True,
            handles_my_number=True,
            subcontracting_allowed=True,
            starts_on=date(2027, 4, 1),
            ends_on=date(2028, 3, 31),
        )
        make.subcontractor(engagement)
    session.commit()
    totals, size = [], 0
    for round_ in range(rounds + 1):  # the first round warms up
        job = bulk.create_job(session, None, bulk.BulkFilter(starting_fy=2027), 1000)
        session.commit()
        start = time.perf_counter()
        bulk_worker.run(session, storage, job.id)
        elapsed = time.perf_counter() - start
        finished = session.get(BulkJob, job.id)
        assert finished.done == 100, finished.errors
        size = finished.size
        if round_:
            totals.append(elapsed)
    return statistics.median(totals) * 1000, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="samples of each")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--bulk", action="store_true", help="also time the 100-document bulk job")
    parser.add_argument("--bulk-rounds", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "bench",
                "STORAGE_URL": Path(folder, "store").as_uri(),
            },
            instance_path=folder,
        )
        with app.app_context():
            db.drop_all()
            db.create_all()
            session = db.session
            catalog.ensure_catalog(session)
            make = Factory(session)
            engagement = make.engagement(
                handles_personal_info=True, handles_my_number=True, subcontracting_allowed=True
            )
            make.subcontractor(engagement)
            session.commit()
            storage = get_storage(app)
            style = docx_writer.resolve_date_style(
                services.document_kind(engagement).template, None
            )
            template_data, context, article_count = ready_context(session, engagement, style)
            session.rollback()

            engagement_id = engagement.id
            session.remove()

            def generate() -> None:
                # As the generate view: a fresh session (one per request), the arrangement loaded
                # as the view loads it, the generation, the commit.
                arrangement = access.arrangement_or_404(engagement_id)
                services.generate_appendix(session, storage, arrangement, None)
                session.commit()
                session.remove()

            def bare() -> None:
                bare_render(template_data, context)

            generate()
            bare()  # warm-up: imports, template cache, connection
            statements = count_statements(generate)
            measured: list[float] = []
            baseline: list[float] = []
            for _ in range(args.runs):
                for func, samples in ((generate, measured), (bare, baseline)):
                    start = time.perf_counter()
                    func()
                    samples.append(time.perf_counter() - start)
            size = len(bare_render(template_data, context))
            bulk_result = (
                bulk_job_ms(session, storage, make, args.bulk_rounds) if args.bulk else None
            )
            session.remove()
            db.drop_all()
            db.engine.dispose()

    engine = url.split(":", 1)[0].split("+", 1)[0]
    p50, p95 = percentile(measured, 0.5), percentile(measured, 0.95)
    b50, b95 = percentile(baseline, 0.5), percentile(baseline, 0.95)
    print(
        f"appendix: {article_count} articles, {size:,} bytes; {engine}; {args.runs} interleaved "
        f"samples; load average {os.getloadavg()[0]:.2f}"
    )
    print(f"generate_appendix + commit         p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    print(f"bare docxtpl, same articles/facts  p50 {b50:7.1f} ms  p95 {b95:7.1f} ms")
    print(f"ratio (p50)                        {p50 / b50:7.2f}x  (target <= 1.5x)")
    print(f"SQL statements per generation      {statements:7d}")
    if bulk_result is not None:
        print(
            f"bulk job, 100 appendices, one zip  median {bulk_result[0]:8.1f} ms "
            f"({bulk_result[0] / 100:.1f} ms per document, zip {bulk_result[1]:,} bytes)"
        )


if __name__ == "__main__":
    main()
