"""Reads of social-media accounts that pages share, and who may see which."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import contains_eager, joinedload, load_only, selectinload

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementKind, ArrangementState
from vendorguard.auth.models import User
from vendorguard.auth.roles import SEES_ALL_DRAFTS, Role
from vendorguard.core.web import like_pattern
from vendorguard.org.models import Department
from vendorguard.social.models import (
    DRAFT_STATES,
    IncidentKind,
    IncidentStatus,
    Platform,
    SocialAccount,
    SocialAttestation,
    SocialIncident,
    SocialIncidentStep,
    SocialProcedureFile,
)

# An attestation due within this many days is shown as "due soon".
DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class SocialFilters:
    """What a person can narrow the list by (all optional)."""

    term: str = ""
    department_id: int | None = None
    platform: Platform | None = None
    approval: ApprovalState | None = None
    mfa_off: bool = False
    incomplete: bool = False
    overdue: bool = False
    include_archived: bool = False


def visible_to(user) -> ColumnElement[bool]:
    """Accounts ``user`` may see: approved ones, plus drafts of their own department."""
    if Role(user.role) in SEES_ALL_DRAFTS:
        return true()
    published = SocialAccount.approval_state.not_in(list(DRAFT_STATES))
    if user.department_id is None:
        return published
    return or_(published, SocialAccount.department_id == user.department_id)


# -- conditions shared by the list filters and the home page ------------------------------------


def _blank(column) -> ColumnElement[bool]:
    return func.coalesce(func.trim(column), "") == ""


def incomplete() -> ColumnElement[bool]:
    """SQL twin of ``SocialAccount.missing_items``: the account lacks something the policy asks."""
    return or_(
        SocialAccount.responsible_officer_id.is_(None),
        _blank(SocialAccount.account_url),
        and_(_blank(SocialAccount.operating_procedure), not_(SocialAccount.procedure_on_file)),
        _blank(SocialAccount.posting_rules),
        _blank(SocialAccount.official_list_url),
        SocialAccount.mfa_enabled.is_(None),
        _blank(SocialAccount.credential_custodian),
    )


def attestation_overdue(today: date) -> ColumnElement[bool]:
    """SQL twin of ``SocialAccount.attestation_overdue``: approved, running, review date passed or unset."""
    return and_(
        SocialAccount.approval_state == ApprovalState.APPROVED,
        SocialAccount.archived_at.is_(None),
        SocialAccount.state != ArrangementState.ENDED,
        or_(SocialAccount.next_review_on.is_(None), SocialAccount.next_review_on < today),
    )


def _open_incident() -> ColumnElement[bool]:
    return exists(
        select(SocialIncident.id).where(
            SocialIncident.account_id == SocialAccount.id,
            SocialIncident.status == IncidentStatus.OPEN,
        )
    )


def _own_scope(user) -> ColumnElement[bool]:
    """What a person answers for: every account for the security office and auditors, else their department's."""
    if Role(user.role) in SEES_ALL_DRAFTS:
        return true()
    return SocialAccount.department_id == user.department_id if user.department_id else false()


# -- the register ---------------------------------------------------------------------------------

# The columns the list page prints and judges its gaps by, for its page of rows (an export of the
# same select reads whole rows): purpose, operators and the officer's account details stay in the
# database, and reading anything else raises instead of loading it row by row.
LIST_PAGE_COLUMNS = (
    load_only(
        SocialAccount.title,
        SocialAccount.state,
        SocialAccount.archived_at,
        SocialAccount.updated_at,
        SocialAccount.next_review_on,
        SocialAccount.responsible_officer_id,
        SocialAccount.approval_state,
        SocialAccount.platform,
        SocialAccount.platform_other,
        SocialAccount.handle,
        SocialAccount.account_url,
        SocialAccount.posting_rules,
        SocialAccount.operating_procedure,
        SocialAccount.procedure_on_file,
        SocialAccount.official_list_url,
        SocialAccount.mfa_enabled,
        SocialAccount.credential_custodian,
        SocialAccount.verified_badge,
        raiseload=True,
    ),
    contains_eager(SocialAccount.department).load_only(Department.name, raiseload=True),
    joinedload(SocialAccount.responsible_officer)
    .load_only(User.name, raiseload=True)
    .raiseload(User.department),  # joined by default: not printed here
)


# The kind written into the SQL when the statement is compiled, not sent as a parameter: once
# psycopg prepares the list's count (fifth run) PostgreSQL planned it for any kind, a third of
# all arrangements, and scanned them all (2 ms) where the kind's index finds the 400 accounts
# (0.4 ms). (The kind is a lower-case identifier: nothing to quote.)
_SOCIAL_ACCOUNT_KIND: ColumnElement[str] = literal_column(
    f"'{ArrangementKind.SOCIAL_ACCOUNT.value}'"
)


def account_list(user, filters: SocialFilters, today: date | None = None) -> Select:
    """Accounts ``user`` may see, with department and responsible officer loaded."""
    stmt = (
        select(SocialAccount)
        # An outer join (same rows: department_id is NOT NULL) that the page's key subquery can
        # leave out; the kind condition, implied by the join to social_account, lets the keys
        # come from the (kind, title, id) index rather than a scan of every arrangement.
        .join(Department, SocialAccount.department_id == Department.id, isouter=True)
        .options(
            contains_eager(SocialAccount.department), joinedload(SocialAccount.responsible_officer)
        )
        .where(SocialAccount.kind == _SOCIAL_ACCOUNT_KIND, visible_to(user))
    )
    if filters.term:
        pattern = like_pattern(filters.term)
        handle = like_pattern(filters.term.lstrip("@"))
        stmt = stmt.where(
            or_(
                SocialAccount.title.ilike(pattern, escape="\\"),
                SocialAccount.handle.ilike(handle, escape="\\"),
            )
        )
    if filters.department_id is not None:
        stmt = stmt.where(SocialAccount.department_id == filters.department_id)
    if filters.platform is not None:
        stmt = stmt.where(SocialAccount.platform == filters.platform)
    if filters.approval is not None:
        stmt = stmt.where(SocialAccount.approval_state == filters.approval)
    if filters.mfa_off:
        stmt = stmt.where(
            or_(SocialAccount.mfa_enabled.is_(False), SocialAccount.mfa_enabled.is_(None))
        )
    if filters.incomplete:
        stmt = stmt.where(incomplete())
    if filters.overdue and today is not None:
        stmt = stmt.where(attestation_overdue(today))
    if not filters.include_archived:
        stmt = stmt.where(SocialAccount.archived_at.is_(None))
    return stmt


def account_detail(account_id: int) -> Select:
    """One account with its department and responsible officer."""
    return (
        select(SocialAccount)
        .where(SocialAccount.id == account_id)
        .options(
            joinedload(SocialAccount.department), joinedload(SocialAccount.responsible_officer)
        )
    )


def same_handle(platform: Platform, handle: str, exclude_id: int | None) -> Select:
    """Live accounts already registered with this handle on this platform."""
    stmt = select(SocialAccount.id).where(
        SocialAccount.platform == platform,
        func.lower(func.ltrim(SocialAccount.handle, "@")) == handle.lstrip("@").lower(),
        SocialAccount.archived_at.is_(None),
    )
    if exclude_id is not None:
        stmt = stmt.where(SocialAccount.id != exclude_id)
    return stmt


def procedure_files(account_id: int) -> Select:
    """An account's uploaded procedure files still in force, newest first, with who uploaded them."""
    return (
        select(SocialProcedureFile)
        .options(joinedload(SocialProcedureFile.uploaded_by))
        .where(
            SocialProcedureFile.account_id == account_id, SocialProcedureFile.archived_at.is_(None)
        )
        .order_by(SocialProcedureFile.uploaded_at.desc(), SocialProcedureFile.id.desc())
    )


# -- attestations and incidents -------------------------------------------------------------------


def attestations_for(account_id: int) -> Select:
    """An account's attestations with who made them (sort and paginate on top)."""
    return (
        select(SocialAttestation)
        .options(joinedload(SocialAttestation.attested_by))
        .where(SocialAttestation.account_id == account_id)
    )


def latest_attestation(account_id: int) -> Select:
    """The most recent attestation of an account."""
    return (
        attestations_for(account_id)
        .order_by(SocialAttestation.attested_on.desc(), SocialAttestation.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class IncidentFilters:
    """What the incident list can be narrowed by."""

    term: str = ""
    status: IncidentStatus | None = None
    kind: IncidentKind | None = None
    account_id: int | None = None


def incident_list(user, filters: IncidentFilters) -> Select:
    """Incidents of the accounts ``user`` may see, with account, department and steps loaded."""
    stmt = (
        select(SocialIncident)
        .join(SocialAccount, SocialAccount.id == SocialIncident.account_id)
        .join(Department, SocialAccount.department_id == Department.id)
        .options(
            contains_eager(SocialIncident.account).contains_eager(SocialAccount.department),
            selectinload(SocialIncident.steps),
        )
        .where(visible_to(user))
    )
    if filters.term:
        stmt = stmt.where(SocialAccount.title.ilike(like_pattern(filters.term), escape="\\"))
    if filters.status is not None:
        stmt = stmt.where(SocialIncident.status == filters.status)
    if filters.kind is not None:
        stmt = stmt.where(SocialIncident.kind == filters.kind)
    if filters.account_id is not None:
        stmt = stmt.where(SocialIncident.account_id == filters.account_id)
    return stmt


def incident_detail(incident_id: int) -> Select:
    """One incident with its account (and department), steps and the people named on it."""
    return (
        select(SocialIncident)
        .where(SocialIncident.id == incident_id)
        .options(
            joinedload(SocialIncident.account).joinedload(SocialAccount.department),
            joinedload(SocialIncident.reported_by),
            joinedload(SocialIncident.closed_by),
            selectinload(SocialIncident.steps).joinedload(SocialIncidentStep.done_by),
        )
    )


def incidents_for(account_id: int) -> Select:
    """An account's incidents, open ones first then newest, with their steps."""
    return (
        select(SocialIncident)
        .options(selectinload(SocialIncident.steps))
        .where(SocialIncident.account_id == account_id)
        .order_by(
            SocialIncident.status.desc(),
            SocialIncident.detected_at.desc(),
            SocialIncident.id.desc(),
        )
    )


# -- for the home page (integrated by the dashboard) ---------------------------------------------


def needs_attention(user, today: date) -> Select:
    """Live accounts ``user`` answers for that need action: incomplete, MFA off or unknown,
    attestation overdue or due within 30 days, or an open incident. Department loaded."""
    due_soon = and_(
        SocialAccount.approval_state == ApprovalState.APPROVED,
        SocialAccount.next_review_on <= today + timedelta(days=DUE_SOON_DAYS),
    )
    return (
        select(SocialAccount)
        .options(joinedload(SocialAccount.department))
        .where(
            SocialAccount.archived_at.is_(None),
            SocialAccount.state != ArrangementState.ENDED,
            _own_scope(user),
            or_(
                incomplete(),
                SocialAccount.mfa_enabled.is_not(True),
                attestation_overdue(today),
                due_soon,
                _open_incident(),
            ),
        )
        .order_by(
            SocialAccount.next_review_on.is_(None).desc(),
            SocialAccount.next_review_on,
            SocialAccount.title,
            SocialAccount.id,
        )
    )


# -- the public page ------------------------------------------------------------------------------


def public_accounts() -> Select:
    """Exactly what the public list may show, and nothing else: approved, active, not archived.

    Selects columns, not accounts, so no internal field is ever loaded for the public page.
    """
    return (
        select(
            SocialAccount.platform,
            SocialAccount.platform_other,
            SocialAccount.title,
            SocialAccount.handle,
            SocialAccount.account_url,
            Department.name.label("department"),
        )
        .join(Department, SocialAccount.department_id == Department.id)
        .where(
            SocialAccount.approval_state == ApprovalState.APPROVED,
            SocialAccount.state == ArrangementState.ACTIVE,
            SocialAccount.archived_at.is_(None),
        )
        .order_by(
            Department.name_kana,
            Department.name,
            SocialAccount.platform,
            SocialAccount.title,
            SocialAccount.id,
        )
    )


def account_for_catalog(account_id: int | BindParameter[int]) -> Select:
    """An SNS account with what its catalog facts and clause placeholders read."""
    return (
        select(SocialAccount)
        .where(SocialAccount.id == account_id)
        .options(
            joinedload(SocialAccount.department), joinedload(SocialAccount.responsible_officer)
        )
    )
