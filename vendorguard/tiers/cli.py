"""``flask vg tiers-recompute``: compute every engagement's risk tier again (after a scheme or
level change, an upgrade, or to check nothing drifted)."""

from __future__ import annotations

import click
from sqlalchemy import select

from vendorguard.core.timeutil import today_tokyo
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db
from vendorguard.tiers import services


def register(group: click.Group) -> None:
    """Attach the command to the ``vg`` group."""

    @group.command("tiers-recompute")
    @click.option("--engagement", "engagement_id", type=int, help="only this engagement")
    def tiers_recompute(engagement_id: int | None) -> None:
        """Recompute the tier of every engagement not archived (or the one given); evidence of
        engagements whose tier changed is rescheduled."""
        if engagement_id is not None:
            if db.session.get(Engagement, engagement_id) is None:
                raise click.ClickException(
                    f"業務委託 {engagement_id} はありません / no engagement {engagement_id}"
                )
            ids = [engagement_id]
        else:
            ids = list(
                db.session.scalars(
                    select(Engagement.id)
                    .where(Engagement.archived_at.is_(None))
                    .order_by(Engagement.id)
                )
            )
        changed = 0
        for start in range(0, len(ids), services.BATCH):
            changed += len(
                services.recompute(db.session, ids[start : start + services.BATCH], today_tokyo())
            )
            db.session.commit()
        click.echo(
            f"業務委託 {len(ids)} 件、区分の変更 {changed} 件 / {len(ids)} engagements, {changed} changed"
        )
