"""Reads of users that the administration pages share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Select, case, func, literal, or_, select

from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.contractors.models import Contractor
from vendorguard.core.text import to_katakana
from vendorguard.core.types import UTCDateTime
from vendorguard.core.web import like_pattern
from vendorguard.org.models import Department

# Roles in the order the organisation thinks of them, not alphabetically by their code.
ROLE_ORDER = case({role: index for index, role in enumerate(Role)}, value=User.role)
# "Never signed in" sorts as the oldest sign-in on every database (NULL order differs otherwise).
LAST_LOGIN = func.coalesce(
    User.last_login_at, literal(datetime(1970, 1, 1, tzinfo=UTC), UTCDateTime())
)

SORTS = {
    "kana": (User.name_kana, User.id),
    "email": (User.email, User.id),
    "role": (ROLE_ORDER, User.name_kana, User.id),
    "last_login": (LAST_LOGIN, User.id),
}


@dataclass(frozen=True)
class UserFilters:
    """The list's search term and filters, already validated."""

    term: str = ""
    role: Role | None = None
    department_id: int | None = None
    active: bool | None = None


def user_list(filters: UserFilters) -> Select:
    """Users with their contractor's name (for portal users), filtered."""
    stmt = select(User, Contractor.name.label("contractor_name")).outerjoin(
        Contractor, Contractor.id == User.contractor_id
    )
    if filters.term:
        pattern, kana = like_pattern(filters.term), like_pattern(to_katakana(filters.term))
        stmt = stmt.where(
            or_(
                User.name.ilike(pattern, escape="\\"),
                User.name_kana.ilike(kana, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
            )
        )
    if filters.role is not None:
        stmt = stmt.where(User.role == filters.role)
    if filters.department_id is not None:
        stmt = stmt.where(User.department_id == filters.department_id)
    if filters.active is True:
        stmt = stmt.where(User.active.is_(True), User.archived_at.is_(None))
    elif filters.active is False:
        stmt = stmt.where(or_(User.active.is_(False), User.archived_at.is_not(None)))
    return stmt


def department_choices(current_id: int | None = None) -> Select:
    """Departments offered in the user form: active ones, plus the user's current one."""
    condition: ColumnElement[bool] = Department.archived_at.is_(None)
    if current_id is not None:
        condition = or_(condition, Department.id == current_id)
    return select(Department).where(condition).order_by(Department.name_kana, Department.id)


def contractor_choices(current_id: int | None = None) -> Select:
    """Contractors offered for portal users: active ones, plus the user's current one."""
    condition: ColumnElement[bool] = Contractor.archived_at.is_(None)
    if current_id is not None:
        condition = or_(condition, Contractor.id == current_id)
    return select(Contractor).where(condition).order_by(Contractor.name_kana, Contractor.id)
