"""``flask vg inspection-plan``: create a fiscal year's inspection plan (idempotent; safe in cron)."""

from __future__ import annotations

import click

from vendorguard.audit.context import acting_as
from vendorguard.core.timeutil import fiscal_year, today_tokyo
from vendorguard.extensions import db
from vendorguard.inspections import planning


def register(group: click.Group) -> None:
    """Attach the commands to the ``vg`` group."""

    @group.command("inspection-plan")
    @click.option(
        "--fiscal-year",
        "year",
        type=click.IntRange(2000, 2199),
        help="fiscal year (April–March) as its starting year, e.g. 2026; default: this one",
    )
    def inspection_plan(year: int | None) -> None:
        """Plan the year's inspections of every engagement handling personal information or My
        Number; running it again creates nothing already planned."""
        year = year or fiscal_year(today_tokyo())
        with acting_as("cli:inspection-plan"):
            result = planning.plan_fiscal_year(db.session, year)
            db.session.commit()
        click.echo(
            f"{year}年度: 新規 {len(result.created)} 件, 既存 {result.existing} 件, "
            f"対象の業務委託 {result.engagements} 件 / "
            f"created {len(result.created)}, existing {result.existing}, "
            f"engagements {result.engagements}"
        )
