"""``vg tiers-recompute`` brings stored tiers back in line with the rules and data."""

from __future__ import annotations

from sqlalchemy import update

from vendorguard.engagements.models import Engagement, RiskTier
from vendorguard.extensions import db
from vendorguard.tiers.models import EngagementTier


def test_recompute_command_repairs_tiers_changed_behind_the_rules(app, make):
    make.schemes()
    engagement = make.engagement(handles_my_number=True)
    other = make.engagement()
    # a change that bypassed the session hook (e.g. SQL run by hand, or a level re-ranked)
    db.session.execute(update(Engagement).where(Engagement.id == engagement.id).values(tier="D"))
    db.session.execute(
        update(EngagementTier)
        .where(EngagementTier.engagement_id == engagement.id)
        .values(computed_tier="D", reasons=[])
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["vg", "tiers-recompute"])
    assert result.exit_code == 0, result.output
    assert "区分の変更 1 件" in result.output
    assert db.session.get_one(Engagement, engagement.id).tier == RiskTier.A
    assert db.session.get_one(EngagementTier, engagement.id).reasons
    assert db.session.get_one(Engagement, other.id).tier == RiskTier.D
    again = app.test_cli_runner().invoke(
        args=["vg", "tiers-recompute", "--engagement", str(other.id)]
    )
    assert "区分の変更 0 件" in again.output
    missing = app.test_cli_runner().invoke(args=["vg", "tiers-recompute", "--engagement", "999999"])
    assert missing.exit_code != 0
