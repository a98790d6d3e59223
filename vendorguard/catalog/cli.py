"""``flask vg catalog-seed``: install the shipped requirement catalog and clause texts."""

from __future__ import annotations

import click

from vendorguard.catalog.seed import ensure_catalog
from vendorguard.extensions import db


def register(group: click.Group) -> None:
    """Attach the commands to the ``vg`` group."""

    @group.command("catalog-seed")
    def catalog_seed() -> None:
        """Add missing requirements (FACTS §1–3) and clauses; never overwrites edited ones."""
        added = ensure_catalog(db.session)
        db.session.commit()
        click.echo(
            f"要件 {added['requirements']} 件、条項 {added['clauses']} 件を追加しました / "
            f"added {added['requirements']} requirements and {added['clauses']} clauses"
        )
