"""``flask vg audit-verify``."""

from __future__ import annotations

import click

from vendorguard.audit import services
from vendorguard.extensions import db


def register(group: click.Group) -> None:
    """Attach the commands to the ``vg`` group."""

    @group.command("audit-verify")
    def audit_verify() -> None:
        """Walk the audit hash chain; exit 1 naming the first altered or removed row."""
        count, problem = services.verify(db.session)
        db.session.rollback()
        if problem is not None:
            click.echo(
                f"監査ログの改ざんを検出しました / audit chain broken at {problem}", err=True
            )
            raise SystemExit(1)
        click.echo(f"監査ログは正常です（{count}件） / audit chain intact ({count} events)")
