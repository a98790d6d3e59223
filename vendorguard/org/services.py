"""Creating, changing and archiving departments."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean, to_katakana
from vendorguard.core.timeutil import utcnow
from vendorguard.org.models import Department


@dataclass
class DepartmentData:
    """What a person enters about a department."""

    code: str
    name: str
    name_kana: str
    parent_name: str = ""
    security_manager_name: str = ""
    email: str = ""
    phone: str = ""


def _apply(session: Session, department: Department, data: DepartmentData) -> Department:
    code = clean(data.code).upper()
    clash = session.scalars(
        select(Department.id).where(
            func.upper(Department.code) == code, Department.id != department.id
        )
    ).first()
    if clash is not None:
        raise DomainError(_("この所属コードは既に使われています。"), field="code")
    department.code = code
    department.name = clean(data.name)
    department.name_kana = to_katakana(data.name_kana)
    department.parent_name = clean(data.parent_name)
    department.security_manager_name = clean(data.security_manager_name)
    department.email = clean(data.email).lower()
    department.phone = clean(data.phone)
    session.add(department)
    session.flush()
    return department


def create_department(session: Session, data: DepartmentData) -> Department:
    """Register a new department."""
    return _apply(session, Department(), data)


def update_department(session: Session, department: Department, data: DepartmentData) -> Department:
    """Change a department's details."""
    if department.is_archived:
        raise DomainError(_("アーカイブ済みの所属は編集できません。"))
    return _apply(session, department, data)


def archive_department(session: Session, department: Department) -> None:
    """Archive a department: it keeps its history but is no longer offered for new records."""
    if department.is_archived:
        raise DomainError(_("この所属は既にアーカイブされています。"))
    department.archived_at = utcnow()
    session.flush()


def restore_department(session: Session, department: Department) -> None:
    """Bring an archived department back into use."""
    department.archived_at = None
    session.flush()
