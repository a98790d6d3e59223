"""Creating, changing, archiving users and resetting their passwords (administrators only)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vendorguard.audit import capture as audit_capture
from vendorguard.auth.models import User
from vendorguard.auth.passwords import check_new_password
from vendorguard.auth.roles import Role
from vendorguard.contractors.models import Contractor
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean, to_katakana
from vendorguard.core.timeutil import utcnow
from vendorguard.org.models import Department

# Roles whose work is tied to one department's records.
DEPARTMENT_ROLES = frozenset({Role.OFFICER, Role.SNS_OWNER})


@dataclass
class UserData:
    """What an administrator enters about a user."""

    email: str
    name: str
    name_kana: str
    role: Role | str
    department_id: int | None = None
    contractor_id: int | None = None
    locale: str = "ja"


def _other_active_admins(session: Session, user: User) -> int:
    """How many usable administrators there are besides ``user``; locks them on PostgreSQL.

    The lock makes two administrators archiving each other at the same moment queue up, so the
    second one sees that only one administrator is left.
    """
    ids = session.scalars(
        select(User.id)
        .where(User.role == Role.ADMIN, User.active.is_(True), User.archived_at.is_(None))
        .order_by(User.id)
        .with_for_update()
    ).all()
    return len([user_id for user_id in ids if user_id != user.id])


def _is_active_admin(user: User) -> bool:
    return user.role == Role.ADMIN and user.active and user.archived_at is None


def _apply(session: Session, user: User, data: UserData, actor: User | None) -> User:
    try:
        role = Role(data.role)
    except ValueError:
        raise DomainError(_("役割を選択してください。"), field="role") from None
    email = clean(data.email).lower()
    clash = session.scalars(
        select(User.id).where(func.lower(User.email) == email, User.id != user.id)
    ).first()
    if clash is not None:
        raise DomainError(_("このメールアドレスは既に登録されています。"), field="email")
    if data.locale not in ("ja", "en"):
        raise DomainError(_("対応していない言語です。"), field="locale")

    department_id = data.department_id
    if role in DEPARTMENT_ROLES and department_id is None:
        raise DomainError(_("この役割では所属の選択が必要です。"), field="department_id")
    if role == Role.CONTRACTOR and department_id is not None:
        raise DomainError(
            _("委託事業者の利用者には所属を設定しません。「（なし）」を選んでください。"),
            field="department_id",
        )
    if department_id is not None and department_id != user.department_id:
        department = session.get(Department, department_id)
        if department is None or department.is_archived:
            raise DomainError(_("この所属は選択できません。"), field="department_id")

    contractor_id = data.contractor_id
    if role == Role.CONTRACTOR and contractor_id is None:
        raise DomainError(
            _("役割が「委託事業者」の場合は、委託事業者の選択が必要です。"), field="contractor_id"
        )
    if role != Role.CONTRACTOR and contractor_id is not None:
        raise DomainError(
            _("委託事業者を選択できるのは、役割が「委託事業者」の場合だけです。"),
            field="contractor_id",
        )
    if contractor_id is not None and contractor_id != user.contractor_id:
        contractor = session.get(Contractor, contractor_id)
        if contractor is None or contractor.archived_at is not None:
            raise DomainError(_("この委託事業者は選択できません。"), field="contractor_id")

    if user.id is not None and _is_active_admin(user) and role != Role.ADMIN:
        if actor is not None and actor.id == user.id:
            raise DomainError(
                _(
                    "自分自身の役割を管理者から変更することはできません。"
                    "別の管理者に依頼してください。"
                ),
                field="role",
            )
        if _other_active_admins(session, user) == 0:
            raise DomainError(
                _(
                    "有効な管理者がこの利用者だけのため、役割を変更できません。"
                    "先に別の管理者を登録してください。"
                ),
                field="role",
            )

    user.email = email
    user.name = clean(data.name)
    user.name_kana = to_katakana(data.name_kana)
    user.role = role
    user.department_id = department_id
    user.contractor_id = contractor_id
    user.locale = data.locale
    session.add(user)
    session.flush()
    return user


def create_user(session: Session, data: UserData, password: str) -> User:
    """Register a user with an initial password (stored only as a hash)."""
    if data.role == Role.CONTRACTOR.value:
        raise DomainError(
            _(
                "委託事業者の担当者はここでは登録しません。委託事業者の画面の「ポータル利用者（招待）」から"
                "招待してください（本人がパスワードを設定します）。"
            ),
            field="role",
        )
    check_new_password(password, email=data.email, name=data.name)
    user = User(active=True)
    user.set_password(password)
    return _apply(session, user, data, None)


def update_user(session: Session, user: User, data: UserData, actor: User) -> User:
    """Change a user's details; an administrator cannot demote themselves or the last administrator."""
    if user.archived_at is not None:
        raise DomainError(_("アーカイブ済みの利用者は編集できません。先に元に戻してください。"))
    return _apply(session, user, data, actor)


def reset_password(session: Session, user: User, password: str) -> None:
    """Set a new password for a user (recorded as ``password_reset``, never with the hash)."""
    if user.archived_at is not None:
        raise DomainError(_("アーカイブ済みの利用者のパスワードは再設定できません。"))
    check_new_password(password, user=user)
    user.set_password(password)
    audit_capture.tag(session, user, "password_reset")
    session.flush()


def archive_user(session: Session, user: User, actor: User) -> None:
    """Archive a user: they can no longer sign in, but their history stays."""
    if user.archived_at is not None:
        raise DomainError(_("この利用者は既にアーカイブされています。"))
    if actor.id == user.id:
        raise DomainError(_("自分自身をアーカイブすることはできません。"))
    if _is_active_admin(user) and _other_active_admins(session, user) == 0:
        raise DomainError(
            _(
                "有効な管理者がこの利用者だけのため、アーカイブできません。"
                "先に別の管理者を登録してください。"
            )
        )
    user.archived_at = utcnow()
    session.flush()


def restore_user(session: Session, user: User) -> None:
    """Let an archived user sign in again."""
    if user.archived_at is None:
        raise DomainError(_("この利用者はアーカイブされていません。"))
    user.archived_at = None
    user.active = True
    session.flush()
