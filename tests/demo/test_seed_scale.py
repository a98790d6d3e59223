"""``flask vg seed-scale``: a city-scale data set through bulk inserts, with a valid audit chain."""

from __future__ import annotations

from sqlalchemy import func, select

from vendorguard.arrangements.models import Arrangement
from vendorguard.audit import services as audit
from vendorguard.cloud.models import CloudService
from vendorguard.contractors.models import Contractor
from vendorguard.engagements.models import Engagement
from vendorguard.evidence.models import EvidenceRequest, EvidenceSubmission
from vendorguard.extensions import db
from vendorguard.reminders.models import Notification
from vendorguard.social.models import SocialAccount

ARGS = [
    "vg", "seed-scale", "--arrangements", "30", "--contractors", "7", "--departments", "3",
    "--requests", "200", "--cloud-services", "4", "--sns-accounts", "5",
    "--notifications", "40", "--audit-events", "150",
]  # fmt: skip


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_scale_builds_the_counts_asked_for_with_a_valid_chain(app):
    result = app.test_cli_runner().invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    counts = {
        Contractor: 7,
        Engagement: 30,
        CloudService: 4,
        SocialAccount: 5,
        EvidenceRequest: 200,
        Notification: 40,
    }
    assert {model: _count(model) for model in counts} == counts
    assert _count(EvidenceSubmission) > 0
    # every request awaiting review has a pending submission, as the review list expects
    awaiting = select(EvidenceRequest.id).where(EvidenceRequest.status == "submitted")
    reviewable = select(EvidenceSubmission.request_id).where(
        EvidenceSubmission.decision == "pending"
    )
    assert set(db.session.scalars(awaiting)) == set(db.session.scalars(reviewable))
    # each request carries its arrangement's department, as the ORM hook would have filled it
    elsewhere = (
        select(func.count())
        .select_from(EvidenceRequest)
        .join(Arrangement, Arrangement.id == EvidenceRequest.arrangement_id)
        .where(Arrangement.department_id != EvidenceRequest.department_id)
    )
    assert db.session.scalar(elsewhere) == 0
    checked, problem = audit.verify(db.session)
    assert problem is None and checked >= 150
    # deterministic: the same seed gives the same titles
    titles = db.session.scalars(select(Engagement.title).order_by(Engagement.id)).all()
    db.session.rollback()
    again = app.test_cli_runner().invoke(args=ARGS)
    assert again.exit_code != 0 and "empty" in again.output
    assert titles[0].endswith("号")
