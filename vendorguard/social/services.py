"""Registering official social-media accounts and the approval workflow."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import ArrangementState
from vendorguard.audit import services as audit
from vendorguard.auth.models import User
from vendorguard.cloud.models import ApprovalState
from vendorguard.cloud.services import check_department, check_staff
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import utcnow
from vendorguard.social import queries
from vendorguard.social.models import Platform, SocialAccount


@dataclass
class SocialAccountData:
    """What a person enters about an account."""

    title: str
    platform: Platform
    handle: str
    department_id: int
    platform_other: str = ""
    account_url: str = ""
    responsible_officer_id: int | None = None
    operators: str = ""
    purpose: str = ""
    posting_rules: str = ""
    operating_procedure: str = ""
    official_list_url: str = ""
    mfa_enabled: bool = False
    credential_custodian: str = ""
    recovery_contact: str = ""
    verified_badge: bool = False
    state: ArrangementState = ArrangementState.DRAFT
    next_review_on: date | None = None


def _lines(text: str) -> str:
    return "\n".join(clean(line) for line in (text or "").splitlines() if clean(line))


def _apply(session: Session, account: SocialAccount, data: SocialAccountData) -> SocialAccount:
    check_department(session, data.department_id, account.department_id)
    check_staff(session, data.responsible_officer_id, "responsible_officer_id",
                account.responsible_officer_id)
    platform_other = clean(data.platform_other) if data.platform == Platform.OTHER else ""
    if data.platform == Platform.OTHER and not platform_other:
        raise DomainError(_("「その他」を選んだ場合はプラットフォーム名を入力してください。"), field="platform_other")
    handle = clean(data.handle)
    if not handle:
        raise DomainError(_("アカウントIDを入力してください。"), field="handle")
    if session.scalars(queries.same_handle(data.platform, handle, account.id)).first() is not None:
        raise DomainError(_("このプラットフォームのこのアカウントIDは既に登録されています。"), field="handle")

    account.title = clean(data.title)
    account.platform = data.platform
    account.platform_other = platform_other
    account.handle = handle
    account.account_url = clean(data.account_url)
    account.department_id = data.department_id
    account.responsible_officer_id = data.responsible_officer_id
    account.operators = _lines(data.operators)
    account.purpose = (data.purpose or "").strip()
    account.posting_rules = (data.posting_rules or "").strip()
    account.operating_procedure = (data.operating_procedure or "").strip()
    account.official_list_url = clean(data.official_list_url)
    account.mfa_enabled = data.mfa_enabled
    account.credential_custodian = clean(data.credential_custodian)
    account.recovery_contact = clean(data.recovery_contact)
    account.verified_badge = data.verified_badge
    account.state = data.state
    account.next_review_on = data.next_review_on
    session.add(account)
    session.flush()
    return account


def create_account(session: Session, data: SocialAccountData) -> SocialAccount:
    """Register an account (a draft of its department until approved)."""
    return _apply(session, SocialAccount(), data)


def update_account(session: Session, account: SocialAccount, data: SocialAccountData) -> SocialAccount:
    """Change an account's details."""
    if account.is_archived:
        raise DomainError(_("アーカイブ済みのアカウントは編集できません。"))
    return _apply(session, account, data)


def archive_account(session: Session, account: SocialAccount) -> None:
    """Archive an account that is closed or no longer run; its history stays."""
    if account.is_archived:
        raise DomainError(_("このアカウントは既にアーカイブされています。"))
    account.archived_at = utcnow()
    session.flush()


def restore_account(session: Session, account: SocialAccount) -> None:
    """Bring an archived account back into the register."""
    if not account.is_archived:
        raise DomainError(_("このアカウントはアーカイブされていません。"))
    account.archived_at = None
    session.flush()


def apply_for_approval(session: Session, account: SocialAccount) -> None:
    """File the department's application to run the account."""
    if account.is_archived:
        raise DomainError(_("アーカイブ済みのアカウントは申請できません。"))
    if account.approval_state == ApprovalState.APPLIED:
        raise DomainError(_("このアカウントは既に申請中です。"))
    if account.approval_state == ApprovalState.APPROVED:
        raise DomainError(_("このアカウントは既に承認されています。"))
    if account.responsible_officer_id is None:
        raise DomainError(_("申請の前に責任者を指定してください。"))
    account.approval_state = ApprovalState.APPLIED
    audit.tag(session, account, "apply")
    session.flush()


def approve(session: Session, account: SocialAccount, approver: User, comment: str = "") -> None:
    """The security office approves the account."""
    if account.approval_state != ApprovalState.APPLIED or account.is_archived:
        raise DomainError(_("申請中のアカウントだけを承認できます。"))
    account.approval_state = ApprovalState.APPROVED
    account.approval_comment = (comment or "").strip()
    account.approved_at = utcnow()
    account.approved_by_id = approver.id
    audit.tag(session, account, "approve")
    session.flush()


def reject(session: Session, account: SocialAccount, approver: User, comment: str) -> None:
    """The security office turns the application down, saying why."""
    if account.approval_state != ApprovalState.APPLIED or account.is_archived:
        raise DomainError(_("申請中のアカウントだけを却下できます。"))
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(_("却下の理由を入力してください。"), field="reject_comment")
    account.approval_state = ApprovalState.REJECTED
    account.approval_comment = comment
    account.approved_at = utcnow()
    account.approved_by_id = approver.id
    audit.tag(session, account, "reject")
    session.flush()
