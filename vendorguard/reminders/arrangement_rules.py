"""Rules over the arrangements' own dates and flags: reviews falling due, approvals and contracts
ending, SNS accounts due for their periodic check or lacking a responsible person or MFA; and the
columns and facts every arrangement's reminder carries (``register_rules`` and ``review_overdue``
use them too)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, or_, select
from sqlalchemy.orm import Session

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import Arrangement, ArrangementKind, ArrangementState
from vendorguard.cloud.models import CloudService
from vendorguard.engagements.models import Engagement
from vendorguard.org.models import Department
from vendorguard.reminders import kinds
from vendorguard.reminders.kinds import RuleSetting
from vendorguard.reminders.rules import (
    ADMINS,
    Candidate,
    ahead,
    arrangement_link,
    days_between,
    officers,
    window_condition,
)
from vendorguard.social.models import SocialAccount

LIVE = (ArrangementState.ACTIVE, ArrangementState.SUSPENDED)
FLAG_EPOCH = date(2024, 1, 1)  # a Monday: weekly flag periods start on Mondays


def arrangement_columns():
    return (
        Arrangement.id.label("arrangement_id"),
        Arrangement.title.label("arrangement"),
        Arrangement.kind,
        Arrangement.department_id,
        Arrangement.responsible_officer_id,
        Department.name.label("department"),
    )


def arrangement_data(row, target: date) -> dict:
    return {
        "arrangement": row.arrangement,
        "arrangement_kind": row.kind,
        "department": row.department,
        "target_on": target.isoformat(),
        "links": [arrangement_link(row.kind, row.arrangement_id)],
    }


def arrangement_dates(
    session: Session, column, first: date, last: date, setting: RuleSetting, *conditions
) -> Sequence[Row[Any]]:
    return session.execute(
        select(column.label("target"), *arrangement_columns())
        .join(Department, Department.id == Arrangement.department_id)
        .where(
            window_condition(column, first, last, setting),
            Arrangement.archived_at.is_(None),
            *conditions,
        )
    ).all()


def _dated(
    rows, first, last, setting, kind, prefix, stage_prefix="expiry", links=None
) -> list[Candidate]:
    result = []
    for row in rows:
        data = arrangement_data(row, row.target)
        if links:
            data["links"] = [*links(row), *data["links"]]
        for day, stage, left in ahead(first, last, setting, row.target, stage_prefix):
            result.append(
                Candidate(
                    day,
                    kind,
                    f"{prefix}:{row.arrangement_id}:{row.target}",
                    stage,
                    row.target,
                    row.kind,
                    row.arrangement_id,
                    row.arrangement_id,
                    {**data, "days": left},
                    (officers(row.department_id, row.responsible_officer_id, row.kind),),
                )
            )
    return result


def review_due(session: Session, first: date, last: date, setting: RuleSetting) -> list[Candidate]:
    """Engagements and cloud services whose next review (assessment) is near."""
    rows = arrangement_dates(
        session,
        Arrangement.next_review_on,
        first,
        last,
        setting,
        Arrangement.state.in_(LIVE),
        Arrangement.kind.in_(
            (ArrangementKind.ENGAGEMENT.value, ArrangementKind.CLOUD_SERVICE.value)
        ),
    )
    return _dated(
        rows,
        first,
        last,
        setting,
        kinds.REVIEW_DUE,
        "review",
        "review",
        links=lambda row: [["assessments.history", {"arrangement_id": row.arrangement_id}]],
    )


def approval_expiry(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Cloud services whose use approval ends soon."""
    rows = arrangement_dates(
        session,
        CloudService.approval_valid_until,
        first,
        last,
        setting,
        CloudService.approval_state == ApprovalState.APPROVED,
        Arrangement.state != ArrangementState.ENDED,
    )
    return _dated(rows, first, last, setting, kinds.APPROVAL_EXPIRY, "approval")


def contract_end(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Engagements ending soon: the department collects the return / deletion evidence."""
    rows = arrangement_dates(
        session,
        Engagement.ends_on,
        first,
        last,
        setting,
        Arrangement.state == ArrangementState.ACTIVE,
    )
    return _dated(
        rows,
        first,
        last,
        setting,
        kinds.CONTRACT_END,
        "end",
        "end",
        # The exit checklist (supervision) is where the return and erasure are recorded.
        links=lambda row: [["supervision.exit_checklist", {"engagement_id": row.arrangement_id}]],
    )


def social_review(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Approved social-media accounts whose periodic review is near."""
    rows = arrangement_dates(
        session,
        SocialAccount.next_review_on,
        first,
        last,
        setting,
        SocialAccount.approval_state == ApprovalState.APPROVED,
        Arrangement.state != ArrangementState.ENDED,
    )
    return _dated(rows, first, last, setting, kinds.SOCIAL_REVIEW, "snsreview", "review")


def social_flags(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Accounts in use with no responsible person or with MFA off, to the security office every period."""
    rows = session.execute(
        select(
            SocialAccount.id,
            SocialAccount.title,
            SocialAccount.handle,
            SocialAccount.platform,
            SocialAccount.responsible_officer_id,
            SocialAccount.mfa_enabled,
            SocialAccount.department_id,
            Department.name.label("department"),
        )
        .join(Department, Department.id == SocialAccount.department_id)
        .where(
            SocialAccount.approval_state == ApprovalState.APPROVED,
            SocialAccount.archived_at.is_(None),
            SocialAccount.state != ArrangementState.ENDED,
            or_(
                SocialAccount.responsible_officer_id.is_(None),
                SocialAccount.mfa_enabled.isnot(True),
            ),
        )
    ).all()
    repeat = setting.repeat_days or 0
    result = []
    for row in rows:
        problems = [
            name
            for name, present in (
                ("no_officer", row.responsible_officer_id is None),
                ("mfa_off", row.mfa_enabled is not True),
            )
            if present
        ]
        data = {
            "arrangement": row.title,
            "arrangement_kind": "social_account",
            "department": row.department,
            "handle": row.handle,
            "platform": str(row.platform),
            "problems": problems,
            "links": [arrangement_link("social_account", row.id)],
        }
        topic = f"snsflag:{row.id}:{'+'.join(problems)}"
        seen = set()
        for day in days_between(first, last):
            period = (
                FLAG_EPOCH + timedelta(days=((day - FLAG_EPOCH).days // repeat) * repeat)
                if repeat
                else None
            )
            stage = f"from-{period}" if period else "once"
            if stage not in seen:
                seen.add(stage)
                result.append(
                    Candidate(
                        day,
                        kinds.SOCIAL_FLAG,
                        topic,
                        stage,
                        None,
                        "social_account",
                        row.id,
                        row.id,
                        data,
                        (ADMINS,),
                    )
                )
    return result
