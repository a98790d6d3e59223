"""``flask vg appendix-bulk``: the bulk page's work from the command line (cron, a year-end batch)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from vendorguard.audit.context import acting_as
from vendorguard.core import settings
from vendorguard.core.errors import DomainError
from vendorguard.documents import bulk, bulk_worker
from vendorguard.documents.models import BulkStatus
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db
from vendorguard.org.models import Department
from vendorguard.storage import get_storage


def _department(ident: str | None) -> int | None:
    if not ident:
        return None
    found = db.session.get(Department, int(ident)) if ident.isdigit() else None
    found = found or db.session.scalars(select(Department).where(Department.code == ident)).first()
    if found is None:
        raise click.ClickException(f"所管課が見つかりません: {ident!r}（id またはコード）")
    return found.id


def run_bulk(
    fiscal_year: int | None,
    department: str | None,
    engagements: tuple[str, ...],
    output: Path,
    date_style: str | None,
    as_user: str | None,
    *,
    find_user: Callable,
    find_arrangement: Callable,
    write: Callable[[Path, bytes], None],
) -> None:
    """Create the job, run it here with progress on stderr, write the zip, report, set the exit code."""
    if fiscal_year is None and not department and not engagements:
        raise click.ClickException(
            "対象を --fiscal-year、--department、--engagement のいずれかで指定してください。"
        )
    user = find_user(as_user)
    ids = []
    for ident in engagements:
        found = find_arrangement(ident)
        if not isinstance(found, Engagement):
            raise click.ClickException(f"業務委託ではありません: {ident!r}")
        ids.append(found.id)
    flt = bulk.BulkFilter(
        fiscal_year, _department(department), tuple(ids) if ids else None, date_style
    )
    try:
        job = bulk.create_job(db.session, user, flt, current_app.config["BULK_MAX_DOCUMENTS"])
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    job_id, total = job.id, job.total
    db.session.commit()

    def progress(processed: int, count: int) -> None:
        click.echo(f"\r作成中 {processed}/{count}", nl=False, err=True)

    storage = get_storage()
    with acting_as(
        "cli:appendix-bulk" + (f":{user.email}" if user else ""), user.id if user else None
    ):
        finished = bulk_worker.run(
            db.session,
            storage,
            job_id,
            every=settings.current().bulk_progress_every,
            on_progress=progress,
        )
    click.echo("", err=True)
    if finished is None:
        raise click.ClickException(f"一括作成 #{job_id} が見つかりません。")
    job = finished
    for problem in job.errors or ():
        where = " ".join(
            part for part in (problem.get("contract_number"), problem.get("title")) if part
        )
        click.echo(f"作成できず: {where or '（全体）'}: {problem.get('message', '')}", err=True)
    if BulkStatus(job.status) == BulkStatus.FAILED:
        raise click.ClickException(
            f"一括作成 #{job_id} は中断しました（{total}件中 {job.done}件を作成済み。"
            "作成済みの文書は各業務委託の版として保存されています）。"
        )
    if not job.storage_key:
        raise click.ClickException(
            f"{total}件のいずれも作成できなかったため、ZIP ファイルは作成していません。"
        )
    write(output, storage.read_bytes(job.storage_key))
    click.echo(
        f"{total}件中 {job.done}件を作成 → {output}（{job.size} bytes, sha256 {job.sha256}, 一括作成 #{job_id}）"
    )
    if job.failed:
        click.get_current_context().exit(2)
