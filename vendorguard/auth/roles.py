"""Roles and what each may do. The single place where DESIGN.md's role table becomes code."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    """A user's role; stored by value."""

    ADMIN = "admin"
    PROCUREMENT = "procurement"
    OFFICER = "officer"
    SNS_OWNER = "sns_owner"
    AUDITOR = "auditor"
    CONTRACTOR = "contractor"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("情報セキュリティ統括（管理者）"),
    Role.PROCUREMENT: _l("契約担当"),
    Role.OFFICER: _l("所管課担当者"),
    Role.SNS_OWNER: _l("SNS運用責任者"),
    Role.AUDITOR: _l("監査"),
    Role.CONTRACTOR: _l("委託事業者"),
}

INTERNAL_ROLES = frozenset(Role) - {Role.CONTRACTOR}
# Roles that look after every department's arrangements; the others see their own department's.
WHOLE_CITY = frozenset({Role.ADMIN, Role.PROCUREMENT})
# Roles that see every department's drafts (SNS accounts not yet approved): the approver and the auditor.
SEES_ALL_DRAFTS = frozenset({Role.ADMIN, Role.AUDITOR})
# Roles that answer for their own department's arrangements (reminders, calendar feed).
DEPARTMENT_STAFF = frozenset({Role.OFFICER, Role.SNS_OWNER})
READERS = INTERNAL_ROLES  # every internal role may at least open the home page and the registers it is given

# Permission name -> roles holding it. Object-level limits (own department) are applied by
# ``can_change`` on top of these.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "dashboard.view": INTERNAL_ROLES,
    "department.view": INTERNAL_ROLES,
    "department.manage": frozenset({Role.ADMIN}),
    "user.manage": frozenset({Role.ADMIN}),
    "classification.view": INTERNAL_ROLES,
    "classification.manage": frozenset({Role.ADMIN}),
    "audit.view": frozenset({Role.ADMIN, Role.AUDITOR}),
    "contractor.view": frozenset({Role.ADMIN, Role.PROCUREMENT, Role.OFFICER, Role.AUDITOR}),
    "contractor.manage": frozenset({Role.ADMIN, Role.PROCUREMENT}),
    "engagement.view": frozenset({Role.ADMIN, Role.PROCUREMENT, Role.OFFICER, Role.AUDITOR}),
    "engagement.manage": frozenset({Role.ADMIN, Role.PROCUREMENT, Role.OFFICER}),
    "cloud.view": frozenset({Role.ADMIN, Role.PROCUREMENT, Role.OFFICER, Role.AUDITOR}),
    "cloud.manage": frozenset({Role.ADMIN, Role.OFFICER}),
    "cloud.approve": frozenset({Role.ADMIN}),
    "social.view": frozenset({Role.ADMIN, Role.OFFICER, Role.SNS_OWNER, Role.AUDITOR}),
    "social.manage": frozenset({Role.ADMIN, Role.OFFICER, Role.SNS_OWNER}),
    "social.approve": frozenset({Role.ADMIN}),
    # requirement catalog and clause library: everyone inside reads; the security office edits
    "catalog.view": INTERNAL_ROLES,
    "catalog.manage": frozenset({Role.ADMIN}),
    # the government's ISMAP list: imported and linked by the security office
    "ismap.manage": frozenset({Role.ADMIN}),
    # the reminder outbox: offsets, what will be sent, failures and retries
    "reminder.manage": frozenset({Role.ADMIN}),
}

# Roles that may change records of every department; the others only their own department's.
ALL_DEPARTMENTS: dict[str, frozenset[Role]] = {
    "engagement.manage": frozenset({Role.ADMIN, Role.PROCUREMENT}),
    "cloud.manage": frozenset({Role.ADMIN}),
    "social.manage": frozenset({Role.ADMIN}),
}


def role_has(role: Role | str | None, permission: str) -> bool:
    """Whether a role holds a permission at all."""
    if role is None:
        return False
    return Role(role) in PERMISSIONS[permission]
