"""``flask vg audit-verify`` and ``flask vg audit-anchor``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from vendorguard.audit import anchors, services
from vendorguard.audit.keys import audit_key
from vendorguard.extensions import db
from vendorguard.storage.factory import get_storage


def register(group: click.Group) -> None:
    """Attach the commands to the ``vg`` group."""

    @group.command("audit-verify")
    @click.option(
        "--anchor-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="compare with the last anchor in this file (default: AUDIT_ANCHOR_FILE)",
    )
    def audit_verify(anchor_file: Path | None) -> None:
        """Walk the audit hash chain and compare it with the last anchor; exit 1 on any problem."""
        count, problem = services.verify(db.session)
        checked = anchors.compare(
            db.session.connection(), anchor_file or anchors.anchor_file(), audit_key()
        )
        db.session.rollback()
        if problem is not None:
            click.echo(
                f"監査ログの改ざんを検出しました / audit chain broken at {problem}", err=True
            )
            raise SystemExit(1)
        if checked.problem is not None:
            click.echo(
                f"監査ログがアンカーと一致しません / audit chain does not match its anchor: "
                f"{checked.problem}",
                err=True,
            )
            raise SystemExit(1)
        click.echo(f"監査ログは正常です（{count}件） / audit chain intact ({count} events)")
        if checked.anchor is None:
            click.echo(
                "アンカーがありません。`vg audit-anchor` を定期的に実行してください。 / "
                "no anchor yet: run `vg audit-anchor` regularly"
            )
        else:
            click.echo(
                f"最後のアンカー（seq {checked.anchor['seq']}、{checked.anchor['anchored_at']}）と一致 / "
                f"matches the last anchor"
            )

    @group.command("audit-anchor")
    @click.option(
        "--file",
        "path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="append to this file (default: AUDIT_ANCHOR_FILE or instance/audit-anchors.jsonl)",
    )
    def audit_anchor(path: Path | None) -> None:
        """Write the chain's head, signed with the audit key, outside the database."""
        anchor = anchors.make(db.session.connection(), audit_key())
        db.session.rollback()
        path = path or anchors.anchor_file()
        key = anchors.write(
            anchor,
            path,
            storage=get_storage(),
            lock_days=int(current_app.config.get("AUDIT_ANCHOR_LOCK_DAYS") or 0),
        )
        click.echo(f"アンカーを書き込みました / anchored seq {anchor['seq']} to {path}")
        if key:
            click.echo(f"オブジェクトストレージにも保存しました / also stored as {key}")
