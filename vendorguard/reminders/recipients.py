"""Who receives a reminder, resolved for all candidates at once (a handful of queries per sweep).

- officers: the arrangement's responsible officer; else the department's officers (and SNS owners for
  social-media accounts); else the department's contact address; else the security office.
- escalation: the department's 情報セキュリティ管理者. Users carry no such flag, and the register keeps
  the manager's name and the department's contact address, so the escalation goes to that address,
  addressed to the manager by name; a department without an address escalates to its officers.
- contractor: the active portal users (role contractor) of the contractor.
- admins: the security office (情報セキュリティ統括, role admin).
Only active, not archived users are chosen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.org.models import Department
from vendorguard.reminders.models import ReminderPreference
from vendorguard.reminders.rules import Audience

CHUNK = 900  # ids per IN list: stays under every database's parameter limit


@dataclass(frozen=True)
class Recipient:
    """One person (or one department mailbox) a reminder goes to."""

    key: str  # "user:45" or "addr:somu@city.example.jp": the last part of the dedup key
    email: str
    name: str
    user_id: int | None = None
    locale: str = "ja"
    digest: bool = False
    contractor: bool = False


def _chunks(values: Iterable, size: int = CHUNK):
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _person(user: User, digest: set[int]) -> Recipient:
    return Recipient(
        f"user:{user.id}",
        user.email,
        user.name,
        user.id,
        user.locale or "ja",
        user.id in digest,
        user.role == Role.CONTRACTOR,
    )


def _active():
    return (User.active.is_(True), User.archived_at.is_(None))


def resolve(session: Session, audiences: Iterable[Audience]) -> dict[Audience, list[Recipient]]:
    """Each audience's recipients, in a stable order."""
    audiences = set(audiences)
    responsible_ids = {
        a.responsible_id for a in audiences if a.kind == "officers" and a.responsible_id
    }
    department_ids = {
        a.department_id
        for a in audiences
        if a.kind in ("officers", "escalation") and a.department_id
    }
    contractor_ids = {
        a.contractor_id for a in audiences if a.kind == "contractor" and a.contractor_id
    }
    users: dict[int, User] = {}
    members: dict[int, list[User]] = {}
    contractor_users: dict[int, list[User]] = {}
    # Escalations fall back on the department's officers; the officers audience on its kind's roles.
    roles_reminded = sorted({Role.OFFICER.value}.union(*(a.roles for a in audiences)))
    for chunk in _chunks(responsible_ids):
        for user in session.scalars(
            select(User).where(User.id.in_(chunk), User.role != Role.CONTRACTOR, *_active())
        ):
            users[user.id] = user
    for chunk in _chunks(department_ids):
        for user in session.scalars(
            select(User)
            .where(
                User.department_id.in_(chunk),
                User.role.in_(roles_reminded),
                *_active(),
            )
            .order_by(User.id)
        ):
            members.setdefault(user.department_id, []).append(user)
    for chunk in _chunks(contractor_ids):
        for user in session.scalars(
            select(User)
            .where(User.contractor_id.in_(chunk), User.role == Role.CONTRACTOR, *_active())
            .order_by(User.id)
        ):
            contractor_users.setdefault(user.contractor_id, []).append(user)
    admins = (
        list(
            session.scalars(
                select(User).where(User.role == Role.ADMIN, *_active()).order_by(User.id)
            )
        )
        if audiences
        else []
    )
    departments = {}
    for chunk in _chunks(department_ids):
        departments.update(
            {d.id: d for d in session.scalars(select(Department).where(Department.id.in_(chunk)))}
        )
    people = (
        {u.id for u in users.values()}
        | {u.id for group in members.values() for u in group}
        | {u.id for group in contractor_users.values() for u in group}
        | {u.id for u in admins}
    )
    digest: set[int] = set()
    for chunk in _chunks(people):
        digest.update(
            session.scalars(
                select(ReminderPreference.user_id).where(
                    ReminderPreference.user_id.in_(chunk), ReminderPreference.digest.is_(True)
                )
            )
        )

    def mailbox(department: Department | None, manager: bool) -> list[Recipient]:
        if department is None or not department.email:
            return []
        name = (department.security_manager_name or "") if manager else ""
        return [
            Recipient(f"addr:{department.email.lower()}", department.email, name or department.name)
        ]

    everyone_admin = [_person(u, digest) for u in admins]
    result: dict[Audience, list[Recipient]] = {}
    for audience in audiences:
        department = departments.get(audience.department_id)
        if audience.kind == "officers":
            found = users.get(audience.responsible_id)
            if found is not None:
                chosen = [_person(found, digest)]
            else:
                chosen = [
                    _person(u, digest)
                    for u in members.get(audience.department_id, [])
                    if u.role in audience.roles
                ]
            result[audience] = chosen or mailbox(department, False) or everyone_admin
        elif audience.kind == "escalation":
            result[audience] = mailbox(department, True) or [
                _person(u, digest)
                for u in members.get(audience.department_id, [])
                if u.role == Role.OFFICER
            ]
        elif audience.kind == "contractor":
            result[audience] = [
                _person(u, digest) for u in contractor_users.get(audience.contractor_id, [])
            ]
        else:
            result[audience] = everyone_admin
    return result
