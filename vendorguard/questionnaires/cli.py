"""``flask vg questionnaire-seed`` and ``questionnaire-schedule`` (self-checks at the tier's interval)."""

from __future__ import annotations

from datetime import date

import click

from vendorguard.audit.context import acting_as
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db
from vendorguard.questionnaires import schedule
from vendorguard.questionnaires.seed import ensure_templates


def register(group: click.Group) -> None:
    """Attach the commands to the ``vg`` group."""

    @group.command("questionnaire-seed")
    def questionnaire_seed() -> None:
        """Add the shipped questionnaires that are missing (never overwrites edited ones)."""
        added = ensure_templates(db.session)
        db.session.commit()
        click.echo(f"点検票 {added} 件を追加しました / added {added} questionnaires")

    @group.command("questionnaire-schedule")
    @click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
    def questionnaire_schedule(as_of) -> None:
        """Send each started self-check's request for the period due today (run it daily)."""
        day: date = as_of.date() if as_of else today_tokyo()
        with acting_as("cli:questionnaire-schedule"):
            result = schedule.run(db.session, day)
            db.session.commit()
        click.echo(
            f"自己点検 新規 {result.created} 件・再開 {result.revived} 件・取下げ "
            f"{result.withdrawn} 件 / created {result.created}, revived {result.revived}, "
            f"withdrawn {result.withdrawn}"
        )
