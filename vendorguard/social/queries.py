"""Reads of social-media accounts that pages share, and who may see which."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.orm import contains_eager, joinedload

from vendorguard.auth.roles import Role
from vendorguard.cloud.models import ApprovalState
from vendorguard.core.web import like_pattern
from vendorguard.org.models import Department
from vendorguard.social.models import DRAFT_STATES, Platform, SocialAccount

# Roles that see every department's drafts: the approver and the auditor.
SEES_ALL_DRAFTS = frozenset({Role.ADMIN, Role.AUDITOR})


@dataclass(frozen=True)
class SocialFilters:
    """What a person can narrow the list by (all optional)."""

    term: str = ""
    department_id: int | None = None
    platform: Platform | None = None
    approval: ApprovalState | None = None
    mfa_off: bool = False
    include_archived: bool = False


def visible_to(user) -> ColumnElement[bool]:
    """Accounts ``user`` may see: approved ones, plus drafts of their own department."""
    if Role(user.role) in SEES_ALL_DRAFTS:
        return true()
    published = SocialAccount.approval_state.not_in(list(DRAFT_STATES))
    if user.department_id is None:
        return published
    return or_(published, SocialAccount.department_id == user.department_id)


def is_visible(account: SocialAccount, user) -> bool:
    """Python twin of :func:`visible_to` for one loaded account."""
    return (Role(user.role) in SEES_ALL_DRAFTS or not account.is_draft
            or (user.department_id is not None and account.department_id == user.department_id))


def account_list(user, filters: SocialFilters) -> Select:
    """Accounts ``user`` may see, with department and responsible officer loaded."""
    stmt = (select(SocialAccount).join(Department, SocialAccount.department_id == Department.id)
            .options(contains_eager(SocialAccount.department), joinedload(SocialAccount.responsible_officer))
            .where(visible_to(user)))
    if filters.term:
        pattern = like_pattern(filters.term)
        handle = like_pattern(filters.term.lstrip("@"))
        stmt = stmt.where(or_(SocialAccount.title.ilike(pattern, escape="\\"),
                              SocialAccount.handle.ilike(handle, escape="\\")))
    if filters.department_id is not None:
        stmt = stmt.where(SocialAccount.department_id == filters.department_id)
    if filters.platform is not None:
        stmt = stmt.where(SocialAccount.platform == filters.platform)
    if filters.approval is not None:
        stmt = stmt.where(SocialAccount.approval_state == filters.approval)
    if filters.mfa_off:
        stmt = stmt.where(SocialAccount.mfa_enabled.is_(False))
    if not filters.include_archived:
        stmt = stmt.where(SocialAccount.archived_at.is_(None))
    return stmt


def account_detail(account_id: int) -> Select:
    """One account with its department and responsible officer."""
    return (select(SocialAccount).where(SocialAccount.id == account_id)
            .options(joinedload(SocialAccount.department), joinedload(SocialAccount.responsible_officer)))


def same_handle(platform: Platform, handle: str, exclude_id: int | None) -> Select:
    """Live accounts already registered with this handle on this platform."""
    stmt = select(SocialAccount.id).where(SocialAccount.platform == platform,
                                          func.lower(func.ltrim(SocialAccount.handle, "@"))
                                          == handle.lstrip("@").lower(),
                                          SocialAccount.archived_at.is_(None))
    if exclude_id is not None:
        stmt = stmt.where(SocialAccount.id != exclude_id)
    return stmt
