"""The reads the home page integrates: accounts needing attention, overdue attestations,
applications waiting, open incidents — each scoped to what the person answers for."""

from __future__ import annotations

from datetime import timedelta

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.extensions import db
from vendorguard.social import queries
from vendorguard.social.models import IncidentKind, SocialIncident


def titles(stmt) -> list[str]:
    """Titles of the accounts a query returns, in order."""
    return [account.title for account in db.session.scalars(stmt).unique()]


def test_needs_attention_lists_every_kind_of_gap_in_the_own_department(make, complete_account):
    mine, theirs = make.department(), make.department()
    owner = make.user(Role.SNS_OWNER, department=mine)
    today = today_tokyo()
    approved = {
        "approval_state": ApprovalState.APPROVED,
        "next_review_on": today + timedelta(days=120),
    }
    complete_account(mine, owner, title="問題なし", **approved)
    complete_account(mine, owner, title="未整備", posting_rules="")
    complete_account(mine, owner, title="MFAなし", mfa_enabled=False, **approved)
    complete_account(
        mine,
        owner,
        title="期限切れ",
        approval_state=ApprovalState.APPROVED,
        next_review_on=today - timedelta(days=1),
    )
    complete_account(
        mine,
        owner,
        title="まもなく期限",
        approval_state=ApprovalState.APPROVED,
        next_review_on=today + timedelta(days=10),
    )
    hijacked = complete_account(mine, owner, title="乗っ取り対応中", **approved)
    complete_account(mine, owner, title="アーカイブ済", posting_rules="", archived_at=utcnow())
    complete_account(mine, owner, title="終了", posting_rules="", state=ArrangementState.ENDED)
    complete_account(theirs, title="他課の未整備", posting_rules="")
    db.session.add(
        SocialIncident(
            account_id=hijacked.id,
            kind=IncidentKind.HIJACK,
            detected_at=utcnow(),
            description="不審な投稿",
        )
    )
    db.session.commit()

    assert sorted(titles(queries.needs_attention(owner, today))) == sorted(
        ["未整備", "MFAなし", "期限切れ", "まもなく期限", "乗っ取り対応中"]
    )
    assert "他課の未整備" in titles(queries.needs_attention(make.user(Role.ADMIN), today))
    assert titles(queries.needs_attention(make.user(Role.PROCUREMENT), today)) == []
