"""``flask vg storage-check``: objects without rows and rows without objects."""

from __future__ import annotations

from datetime import timedelta

import click

from vendorguard.core.timeutil import utcnow
from vendorguard.extensions import db
from vendorguard.storage import check as checker
from vendorguard.storage.base import Storage, StorageError
from vendorguard.storage.factory import get_storage


def register(group: click.Group) -> None:
    """Attach the commands to the ``vg`` group."""

    @group.command("storage-check")
    @click.option(
        "--remove-orphans",
        is_flag=True,
        help="delete objects that no database row points at (older than --min-age-minutes)",
    )
    @click.option(
        "--min-age-minutes",
        default=60,
        show_default=True,
        type=click.IntRange(min=0),
        help="leave younger orphans and multipart uploads alone: they may still be in progress",
    )
    @click.option(
        "--abort-stale",
        is_flag=True,
        help="abort unfinished S3 multipart uploads begun more than --min-age-minutes ago",
    )
    def storage_check(remove_orphans: bool, min_age_minutes: int, abort_stale: bool) -> None:
        """Compare the storage with the database; exit 1 while anything is inconsistent."""
        storage = get_storage()
        try:
            report = checker.check(db.session, storage)
        except StorageError as error:
            raise click.ClickException(error.message) from error
        finally:
            db.session.rollback()
        click.echo(f"保存先 / storage: {storage.url}")
        click.echo(
            f"オブジェクト {report.objects} 件、参照 {report.references} 件 / "
            f"{report.objects} objects, {report.references} references"
        )
        for info in report.orphans:
            click.echo(
                f"参照のないオブジェクト / orphan object: {info.key} ({info.size} bytes, "
                f"{info.modified_at:%Y-%m-%d %H:%M} UTC)"
            )
        for ref in report.missing:
            click.echo(
                f"オブジェクトのない行 / row without object: {ref.table} #{ref.row_id} -> {ref.key}",
                err=True,
            )
        remaining = len(report.orphans)
        if remove_orphans and report.orphans:
            removed = checker.remove_orphans(storage, report, timedelta(minutes=min_age_minutes))
            for info in removed:
                click.echo(f"削除しました / removed: {info.key}")
            remaining -= len(removed)
            if remaining:
                click.echo(
                    f"作成から{min_age_minutes}分未満のため残しました / kept (too recent): {remaining}"
                )
        stale = _report_pending(storage, report, min_age_minutes, abort_stale)
        if report.missing or remaining or stale:
            raise SystemExit(1)
        click.echo("保存先とデータベースは整合しています / storage and database agree")


def _report_pending(
    storage: Storage, report: checker.CheckReport, min_age_minutes: int, abort: bool
) -> int:
    """List unfinished multipart uploads, abort the stale ones if asked; how many stale remain."""
    now = utcnow()
    cutoff = now - timedelta(minutes=min_age_minutes)
    stale = [p for p in report.pending_uploads if p.initiated_at <= cutoff]
    for pending in report.pending_uploads:
        state = (
            "放置 / stale" if pending.initiated_at <= cutoff else "進行中かも / maybe in progress"
        )
        click.echo(
            f"未完了のマルチパートアップロード / unfinished multipart upload ({state}): "
            f"{pending.key} (upload id {pending.upload_id[:16]}…, "
            f"{pending.initiated_at:%Y-%m-%d %H:%M} UTC)"
        )
    if abort and stale:
        try:
            aborted = checker.abort_stale_uploads(
                storage, report, timedelta(minutes=min_age_minutes), now
            )
        except StorageError as error:
            raise click.ClickException(error.message) from error
        for pending in aborted:
            click.echo(f"中止しました / aborted: {pending.key}")
        return len(stale) - len(aborted)
    return len(stale)
