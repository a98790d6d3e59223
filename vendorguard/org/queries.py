"""Reads of departments that pages share."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select

from vendorguard.arrangements.models import Arrangement
from vendorguard.auth.models import User
from vendorguard.core.text import to_katakana
from vendorguard.core.web import like_pattern
from vendorguard.org.models import Department


def department_list(term: str = "", include_archived: bool = False) -> Select:
    """Departments with their arrangement and user counts, filtered by a search term."""
    arrangements = (
        select(func.count(Arrangement.id))
        .where(Arrangement.department_id == Department.id)
        .correlate(Department)
        .scalar_subquery()
    )
    users = (
        select(func.count(User.id))
        .where(User.department_id == Department.id, User.archived_at.is_(None))
        .correlate(Department)
        .scalar_subquery()
    )
    stmt = select(Department, arrangements.label("arrangement_count"), users.label("user_count"))
    if term:
        pattern, kana = like_pattern(term), like_pattern(to_katakana(term))
        stmt = stmt.where(
            or_(
                Department.name.ilike(pattern, escape="\\"),
                Department.name_kana.ilike(kana, escape="\\"),
                Department.code.ilike(pattern, escape="\\"),
                Department.parent_name.ilike(pattern, escape="\\"),
            )
        )
    if not include_archived:
        stmt = stmt.where(Department.archived_at.is_(None))
    return stmt


def active_departments() -> Select:
    """Departments offered in drop-downs, in reading order."""
    return (
        select(Department)
        .where(Department.archived_at.is_(None))
        .order_by(Department.name_kana, Department.id)
    )


# A list's department filter prints each department's id and name: those two columns, in one
# statement built once (whole rows cost ~1 ms of ORM work a view for 40 departments).
DEPARTMENT_CHOICES = (
    select(Department.id, Department.name)
    .where(Department.archived_at.is_(None))
    .order_by(Department.name_kana, Department.id)
)


def department_choices() -> Select:
    """Id and name of the departments a list's filter offers, in reading order."""
    return DEPARTMENT_CHOICES
