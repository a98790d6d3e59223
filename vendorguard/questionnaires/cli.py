"""``flask vg questionnaire-seed``: install the shipped self-check questionnaires."""

from __future__ import annotations

import click

from vendorguard.extensions import db
from vendorguard.questionnaires.seed import ensure_templates


def register(group: click.Group) -> None:
    """Attach the commands to the ``vg`` group."""

    @group.command("questionnaire-seed")
    def questionnaire_seed() -> None:
        """Add the shipped questionnaires that are missing (never overwrites edited ones)."""
        added = ensure_templates(db.session)
        db.session.commit()
        click.echo(f"点検票 {added} 件を追加しました / added {added} questionnaires")
