"""Registering official social-media accounts, their procedure files, and the approval workflow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from vendorguard.approvals import services as approvals
from vendorguard.approvals.models import ApprovalRequest, ApprovalState
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.models import User
from vendorguard.cloud.services import check_department, check_staff
from vendorguard.core.dates import add_months
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.evidence import filecheck
from vendorguard.social import queries
from vendorguard.social.models import PUBLIC_FIELDS, Platform, SocialAccount, SocialProcedureFile
from vendorguard.storage.base import Storage, StorageError, new_key

# File types a department's own procedure may come in; the content is checked too, with the same
# rules as evidence (no macros, nothing disguised), and the file is only ever served as a download.
PROCEDURE_EXTENSIONS = ("pdf", "docx", "xlsx", "txt")


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
    mfa_enabled: bool | None = None
    credential_custodian: str = ""
    recovery_contact: str = ""
    verified_badge: bool = False
    profile_names_department: bool = False
    state: ArrangementState = ArrangementState.ACTIVE


def lines(text: str) -> str:
    """One cleaned entry per line, blank lines dropped."""
    return "\n".join(clean(line) for line in (text or "").splitlines() if clean(line))


def _apply(session: Session, account: SocialAccount, data: SocialAccountData) -> SocialAccount:
    check_department(session, data.department_id, account.department_id)
    check_staff(
        session,
        data.responsible_officer_id,
        "responsible_officer_id",
        account.responsible_officer_id,
    )
    platform_other = clean(data.platform_other) if data.platform == Platform.OTHER else ""
    if data.platform == Platform.OTHER and not platform_other:
        raise DomainError(
            _("「その他」を選んだ場合はプラットフォーム名を入力してください。"),
            field="platform_other",
        )
    handle = clean(data.handle)
    if not handle:
        raise DomainError(_("アカウントIDを入力してください。"), field="handle")
    if session.scalars(queries.same_handle(data.platform, handle, account.id)).first() is not None:
        raise DomainError(
            _("このプラットフォームのこのアカウントIDは既に登録されています。"), field="handle"
        )

    before = {name: getattr(account, name) for name in PUBLIC_FIELDS}
    account.title = clean(data.title)
    account.platform = data.platform
    account.platform_other = platform_other
    account.handle = handle
    account.account_url = clean(data.account_url)
    account.department_id = data.department_id
    account.responsible_officer_id = data.responsible_officer_id
    account.operators = lines(data.operators)
    account.purpose = (data.purpose or "").strip()
    account.posting_rules = (data.posting_rules or "").strip()
    account.operating_procedure = (data.operating_procedure or "").strip()
    account.official_list_url = clean(data.official_list_url)
    account.mfa_enabled = data.mfa_enabled
    account.credential_custodian = clean(data.credential_custodian)
    account.recovery_contact = clean(data.recovery_contact)
    account.verified_badge = data.verified_badge
    account.profile_names_department = data.profile_names_department
    account.state = data.state
    if account.approval_state == ApprovalState.APPROVED and any(
        getattr(account, name) != value for name, value in before.items()
    ):
        # The public list must only ever show what the security office approved.
        account.approval_state = ApprovalState.NOT_APPLIED
    session.add(account)
    session.flush()
    return account


def create_account(session: Session, data: SocialAccountData) -> SocialAccount:
    """Register an account (a draft of its department until approved)."""
    return _apply(session, SocialAccount(), data)


def update_account(session: Session, account: SocialAccount, data: SocialAccountData) -> bool:
    """Change an account's details; True when a change to what the public list shows withdrew
    its approval (it must be applied for again)."""
    if account.is_archived:
        raise DomainError(_("アーカイブ済みのアカウントは編集できません。"))
    was_approved = account.approval_state == ApprovalState.APPROVED
    _apply(session, account, data)
    return was_approved and account.approval_state != ApprovalState.APPROVED


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


def _refuse_if_incomplete(account: SocialAccount, message: str) -> None:
    missing = account.missing_items
    if missing:
        raise DomainError(
            _("%(message)s未整備の項目：%(items)s", message=message, items=_("、").join(missing))
        )


def apply_for_approval(
    session: Session, account: SocialAccount, applicant: User
) -> ApprovalRequest:
    """File the department's application to run the account (only once nothing is missing)."""
    if account.is_archived:
        raise DomainError(_("アーカイブ済みのアカウントは申請できません。"))
    if account.approval_state == ApprovalState.APPLIED:
        raise DomainError(_("このアカウントは既に申請中です。"))
    if account.approval_state == ApprovalState.APPROVED:
        raise DomainError(_("このアカウントは既に承認されています。"))
    _refuse_if_incomplete(account, _("未整備の項目があるため申請できません。"))
    return approvals.file_request(session, account, ApprovalRequest(), applicant)


def _under_review(
    account: SocialAccount, request: ApprovalRequest | None, message: str, version: int | None
) -> ApprovalRequest:
    request = approvals.pending(request, message, version)
    if account.approval_state != ApprovalState.APPLIED or account.is_archived:
        raise DomainError(message)
    return request


def approve(
    session: Session,
    account: SocialAccount,
    request: ApprovalRequest | None,
    approver: User,
    decision: approvals.Decision,
    attestation_months: int = 6,
) -> None:
    """The security office approves the account; the first periodic attestation falls due
    ``attestation_months`` later unless a date is already set."""
    message = _("申請中のアカウントだけを承認できます。")
    request = _under_review(account, request, message, decision.version)
    _refuse_if_incomplete(account, _("申請後に未整備の項目ができたため承認できません。"))
    if account.next_review_on is None or account.next_review_on < today_tokyo():
        account.next_review_on = add_months(today_tokyo(), attestation_months)
    approvals.approve(session, account, request, approver, None, decision.comment)


def reject(
    session: Session,
    account: SocialAccount,
    request: ApprovalRequest | None,
    approver: User,
    decision: approvals.Decision,
) -> None:
    """The security office turns the application down, saying why."""
    message = _("申請中のアカウントだけを却下できます。")
    request = _under_review(account, request, message, decision.version)
    approvals.reject(session, account, request, approver, decision.comment)


# -- uploaded operating procedures -----------------------------------------------------------------


def _procedure_filename(filename: str) -> str:
    name = clean((filename or "").replace("\\", "/").rsplit("/", 1)[-1])[:255]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in PROCEDURE_EXTENSIONS:
        raise DomainError(
            _(
                "運用手順のファイルは %(types)s のいずれかにしてください。",
                types="、".join(PROCEDURE_EXTENSIONS),
            ),
            field="file",
        )
    return name


def upload_procedure(
    session: Session,
    storage: Storage,
    account: SocialAccount,
    user: User,
    filename: str,
    stream: BinaryIO,
    max_bytes: int,
) -> SocialProcedureFile:
    """Store the department's own procedure document for the account.

    The object is stored first and its row added after; if the row cannot be added the object is
    deleted again, so no row ever points at a missing file. The caller commits.
    """
    if account.is_archived:
        raise DomainError(_("アーカイブ済みのアカウントには登録できません。"))
    name = _procedure_filename(filename)
    head = stream.read(filecheck.HEAD_SIZE)
    stream.seek(0)
    filecheck.check(head, name, reader=stream, limits=filecheck.Limits.from_config())
    stream.seek(0)
    stored = storage.put(new_key("social"), stream, max_bytes=max_bytes)
    record = SocialProcedureFile(
        account_id=account.id,
        filename=name,
        storage_key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by_id=user.id,
    )
    try:
        session.add(record)
        session.flush()
    except BaseException:
        _discard(storage, stored.key)
        raise
    return record


def _discard(storage: Storage, key: str) -> None:
    try:
        storage.delete(key)
    except StorageError:
        pass  # ``vg storage-check`` reports what is left behind


def archive_procedure(session: Session, record: SocialProcedureFile) -> None:
    """Withdraw an uploaded procedure (kept in storage and in the trail, no longer counted)."""
    if record.archived_at is not None:
        raise DomainError(_("このファイルは既に取り下げられています。"))
    record.archived_at = utcnow()
    session.flush()
