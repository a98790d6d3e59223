"""Subcontractors (再委託先) of an engagement and the city's permission (許諾) for each.

My Number work needs the city's permission at every tier (My Number Act §10), so such work can
never hold a subcontractor in use without a recorded approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from vendorguard.audit import capture as audit_capture
from vendorguard.contractors import corporate_number as corporate
from vendorguard.contractors.models import Contractor
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.engagements.models import MAX_TIER, Engagement, Subcontractor
from vendorguard.engagements.services import ensure_not_archived, tidy


@dataclass
class SubcontractorData:
    """What a person enters about a subcontractor; approval fields may stay empty."""

    name: str = ""
    contractor_id: int | None = None
    corporate_number: str = ""
    work_scope: str = ""
    tier: int = 1
    approved_by: str = ""
    approved_on: date | None = None


def my_number_unapproved_message() -> str:
    """The refusal shown whenever My Number work would get a subcontractor without permission.

    My Number Act §10(1): re-entrustment only with the entrusting party's permission (許諾);
    §10(2): a re-entrusted party counts as entrusted, so every further tier needs it too.
    """
    return _(
        "マイナンバー（特定個人情報）を取り扱う業務では、市の許諾のない再委託はできません（番号法第10条第1項。再委託先が更に委託するときも同じです（同条第2項））。"
    )


def _ensure_subcontracting_allowed(engagement: Engagement) -> None:
    if not engagement.subcontracting_allowed:
        raise DomainError(
            _(
                "この業務委託は再委託を認めていないため、再委託先を登録できません。"
                "再委託を認める場合は、先に業務委託の「再委託を認める」を設定してください。"
            )
        )


def _approval(data: SubcontractorData) -> tuple[str | None, date | None]:
    approved_by = tidy(data.approved_by) or None
    if approved_by and data.approved_on is None:
        raise DomainError(_("許諾日を入力してください。"), field="approved_on")
    if data.approved_on is not None and not approved_by:
        raise DomainError(_("許諾した者を入力してください。"), field="approved_by")
    return approved_by, data.approved_on


def _apply(
    session: Session,
    engagement: Engagement,
    sub: Subcontractor,
    data: SubcontractorData,
    recorded_by_id: int | None,
) -> Subcontractor:
    name, number = tidy(data.name), corporate.normalise(data.corporate_number)
    if data.contractor_id is not None:
        contractor = session.get(Contractor, data.contractor_id)
        if contractor is None or (
            contractor.is_archived and data.contractor_id != sub.contractor_id
        ):
            raise DomainError(_("登録済みの事業者が見つかりません。"), field="contractor_id")
        # A registered company's name and number are authoritative; typed values would drift.
        name, number = contractor.name, contractor.corporate_number or number
    if not name:
        raise DomainError(
            _("再委託先の名称を入力するか、登録済みの事業者を選んでください。"), field="name"
        )
    if number and not corporate.is_valid(number):
        raise DomainError(
            _("法人番号が正しくありません。13桁の数字を確認してください。"),
            field="corporate_number",
        )
    if not 1 <= data.tier <= MAX_TIER:
        raise DomainError(
            _("再委託の階層は1〜%(max)d次の中から選んでください。", max=MAX_TIER), field="tier"
        )
    approved_by, approved_on = _approval(data)
    was_approved = sub.id is not None and sub.is_approved
    if engagement.handles_my_number and approved_by is None:
        if was_approved:
            raise DomainError(
                _("マイナンバー（特定個人情報）を取り扱う業務では、再委託の許諾を取り消せません。"),
                field="approved_by",
            )
        raise DomainError(my_number_unapproved_message(), field="approved_by")

    if (approved_by, approved_on) != (sub.approved_by, sub.approved_on):
        sub.approval_recorded_by_id = recorded_by_id if approved_by else None
        if approved_by and sub.id is not None and not was_approved:
            audit_capture.tag(session, sub, "approve")
    sub.contractor_id = data.contractor_id
    sub.name, sub.corporate_number = name, number or None
    sub.work_scope = (data.work_scope or "").strip()
    sub.tier = data.tier
    sub.approved_by, sub.approved_on = approved_by, approved_on
    session.add(sub)
    session.flush()
    return sub


def add_subcontractor(
    session: Session, engagement: Engagement, data: SubcontractorData, recorded_by_id: int | None
) -> Subcontractor:
    """Register a subcontractor; ``recorded_by_id`` is the user recording any approval given."""
    ensure_not_archived(engagement)
    _ensure_subcontracting_allowed(engagement)
    return _apply(
        session, engagement, Subcontractor(engagement_id=engagement.id), data, recorded_by_id
    )


def update_subcontractor(
    session: Session,
    engagement: Engagement,
    sub: Subcontractor,
    data: SubcontractorData,
    recorded_by_id: int | None,
) -> Subcontractor:
    """Change a subcontractor; an approval may not be withdrawn on My Number work."""
    ensure_not_archived(engagement)
    if sub.archived_at is not None:
        raise DomainError(_("アーカイブ済みの再委託先は編集できません。"))
    return _apply(session, engagement, sub, data, recorded_by_id)


def approve_subcontractor(
    session: Session,
    engagement: Engagement,
    sub: Subcontractor,
    approved_by: str,
    approved_on: date | None,
    recorded_by_id: int | None,
) -> Subcontractor:
    """Record the city's permission (who gave it, when) and the user who recorded it."""
    ensure_not_archived(engagement)
    if sub.archived_at is not None:
        raise DomainError(_("アーカイブ済みの再委託先には許諾を記録できません。"))
    approved_by = tidy(approved_by)
    if not approved_by:
        raise DomainError(_("許諾した者を入力してください。"), field="approved_by")
    if approved_on is None:
        raise DomainError(_("許諾日を入力してください。"), field="approved_on")
    sub.approved_by, sub.approved_on = approved_by, approved_on
    sub.approval_recorded_by_id = recorded_by_id
    audit_capture.tag(session, sub, "approve")
    session.flush()
    return sub


def archive_subcontractor(session: Session, engagement: Engagement, sub: Subcontractor) -> None:
    """Stop using a subcontractor; its record and approval stay in the history."""
    ensure_not_archived(engagement)
    if sub.archived_at is not None:
        raise DomainError(_("この再委託先は既にアーカイブされています。"))
    sub.archived_at = utcnow()
    session.flush()


def restore_subcontractor(session: Session, engagement: Engagement, sub: Subcontractor) -> None:
    """Use an archived subcontractor again, under the same rules as adding one."""
    ensure_not_archived(engagement)
    if sub.archived_at is None:
        raise DomainError(_("この再委託先はアーカイブされていません。"))
    _ensure_subcontracting_allowed(engagement)
    if engagement.handles_my_number and not sub.is_approved:
        raise DomainError(my_number_unapproved_message())
    sub.archived_at = None
    session.flush()
