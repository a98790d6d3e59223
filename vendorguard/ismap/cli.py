"""``flask vg ismap-import``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from vendorguard.audit.context import acting_as
from vendorguard.extensions import db
from vendorguard.ismap import services
from vendorguard.ismap.models import IsmapKind

ACTOR = "cli:ismap-import"


def register(group: click.Group) -> None:
    """Attach the commands to the ``vg`` group."""

    @group.command("ismap-import")
    @click.option(
        "--url",
        help="download the list from this http(s) URL (default: VENDORGUARD_ISMAP_LIST_URL)",
    )
    @click.option(
        "--file",
        "path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="read the list from a file",
    )
    @click.option(
        "--kind",
        type=click.Choice([k.value for k in IsmapKind]),
        default=IsmapKind.ISMAP.value,
        show_default=True,
        help="which list the file is",
    )
    @click.option(
        "--validity-column",
        help="header text of the column that decides validity, when the list's is not recognised",
    )
    @click.option(
        "--validity-kind",
        type=click.Choice(["audit_period", "valid_until"]),
        default="audit_period",
        show_default=True,
        help="what that column holds: the audited period (expiry computed) or the expiry date",
    )
    def ismap_import(
        url: str | None,
        path: Path | None,
        kind: str,
        validity_column: str | None,
        validity_kind: str,
    ) -> None:
        """Import the ISMAP (or ISMAP-LIU) cloud service list from a URL or a file (.xlsx / .csv)."""
        if url and path:
            raise click.UsageError("--url と --file はどちらか一方だけを指定してください。")
        list_url: str = ""
        if path is None:
            list_url = url or current_app.config["ISMAP_LIST_URL"] or ""
            if not list_url:
                raise click.UsageError(
                    "--url または --file を指定してください（VENDORGUARD_ISMAP_LIST_URL も未設定です）。"
                )
        with acting_as(ACTOR):
            if path is not None:
                try:
                    data = path.read_bytes()
                except OSError as error:
                    raise click.ClickException(
                        f"ファイルを読み込めません: {path}（{error.strerror}）"
                    ) from error
                if len(data) > current_app.config["ISMAP_MAX_BYTES"]:
                    limit = current_app.config["ISMAP_MAX_BYTES"] / 1024 / 1024
                    raise click.ClickException(f"ファイルが大きすぎます（上限 {limit:g} MB）。")
                record = services.import_file(
                    db.session,
                    data,
                    path.name,
                    kind,
                    ACTOR,
                    validity_column=validity_column,
                    validity_kind=validity_kind,
                )
            else:
                record = services.import_url(
                    db.session,
                    list_url,
                    kind,
                    ACTOR,
                    timeout=current_app.config["ISMAP_DOWNLOAD_TIMEOUT"],
                    max_bytes=current_app.config["ISMAP_MAX_BYTES"],
                )
            db.session.commit()
        for line in record.warning_lines:
            click.echo(f"警告: {line}", err=True)
        if not record.ok:
            click.echo(
                f"取り込みに失敗しました（登録内容は変更していません）: {record.error}", err=True
            )
            if getattr(record, "header_choices", None):
                click.echo(
                    "有効性を決める列を --validity-column（見出しの文字）と --validity-kind で"
                    "指定して、もう一度実行してください。",
                    err=True,
                )
            raise SystemExit(1)
        click.echo(
            f"{IsmapKind(record.list_kind).label} の一覧を取り込みました: 読込 {record.rows_read}件、"
            f"新規 {record.created}件、更新 {record.updated}件、リストから削除 {record.left_list}件、"
            f"再掲載 {record.returned}件（取込番号 {record.id}）"
        )
