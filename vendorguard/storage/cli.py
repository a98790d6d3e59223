"""``flask vg storage-check``: objects without rows and rows without objects."""

from __future__ import annotations

from datetime import timedelta

import click

from vendorguard.extensions import db
from vendorguard.storage import check as checker
from vendorguard.storage.base import StorageError
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
        help="leave younger orphans alone: their upload may still be committing",
    )
    def storage_check(remove_orphans: bool, min_age_minutes: int) -> None:
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
        if report.missing or remaining:
            raise SystemExit(1)
        click.echo("保存先とデータベースは整合しています / storage and database agree")
