"""Who receives a reminder, resolved for all candidates at once (a handful of queries per sweep).

- officers: the arrangement's responsible officer; else the department's users in the roles its kind's
  registration reminds (officers; officers and SNS owners for SNS accounts); else the department's
  contact address; else the security office.
- escalation: the department's 情報セキュリティ管理者. Users carry no such flag, and the register keeps
  the manager's name and the department's contact address, so the escalation goes to that address,
  addressed to the manager by name; a department without an address escalates to its officers.
- contractor: the active portal users (role contractor) of the contractor.
- admins: the security office (情報セキュリティ統括, role admin).
Only active, not archived users are chosen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.core.sqlvalues import one_of
from vendorguard.org.models import Department
from vendorguard.reminders.models import ReminderPreference
from vendorguard.reminders.rules import Audience


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


def _grouped(session: Session, ids: set[int], key, *conditions) -> dict[int, list[User]]:
    """Active users whose ``key`` column is one of ``ids``, grouped by it (by id within a group)."""
    groups: dict[int, list[User]] = {}
    if not ids:
        return groups
    for user in session.scalars(
        select(User).where(one_of(session, key, ids), *conditions, *_active()).order_by(User.id)
    ):
        groups.setdefault(getattr(user, key.key), []).append(user)
    return groups


@dataclass
class _People:
    """Everyone the audiences of one sweep may name, loaded in bulk."""

    responsible: dict[int, User]
    members: dict[int, list[User]]  # department id -> its users in the reminded roles
    contractor_users: dict[int, list[User]]
    admins: list[User]
    departments: dict[int, Department]
    digest: set[int] = field(default_factory=set)

    def person(self, user: User) -> Recipient:
        return _person(user, self.digest)

    def department_members(self, department_id: int | None) -> list[User]:
        """The department's users in the reminded roles (nobody for no department)."""
        return self.members.get(department_id, []) if department_id is not None else []

    def mailbox(self, department_id: int | None, manager: bool) -> list[Recipient]:
        """The department's contact address (addressed to its manager for escalations), if any."""
        department = self.departments.get(department_id) if department_id is not None else None
        if department is None or not department.email:
            return []
        name = (department.security_manager_name or "") if manager else ""
        return [
            Recipient(f"addr:{department.email.lower()}", department.email, name or department.name)
        ]

    def everyone(self) -> list[User]:
        found = [*self.responsible.values(), *self.admins]
        for group in (*self.members.values(), *self.contractor_users.values()):
            found.extend(group)
        return found


def _load(session: Session, audiences: set[Audience]) -> _People:
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
    # Escalations fall back on the department's officers; the officers audience on its kind's roles.
    roles_reminded = sorted({Role.OFFICER.value}.union(*(a.roles for a in audiences)))
    responsible = {
        user.id: user
        for group in _grouped(
            session, responsible_ids, User.id, User.role != Role.CONTRACTOR
        ).values()
        for user in group
    }
    members = _grouped(session, department_ids, User.department_id, User.role.in_(roles_reminded))
    contractor_users = _grouped(
        session, contractor_ids, User.contractor_id, User.role == Role.CONTRACTOR
    )
    admins = (
        list(
            session.scalars(
                select(User).where(User.role == Role.ADMIN, *_active()).order_by(User.id)
            )
        )
        if audiences
        else []
    )
    departments = (
        {
            d.id: d
            for d in session.scalars(
                select(Department).where(one_of(session, Department.id, department_ids))
            )
        }
        if department_ids
        else {}
    )
    people = _People(responsible, members, contractor_users, admins, departments)
    everyone = {user.id for user in people.everyone()}
    if everyone:
        people.digest.update(
            session.scalars(
                select(ReminderPreference.user_id).where(
                    one_of(session, ReminderPreference.user_id, everyone),
                    ReminderPreference.digest.is_(True),
                )
            )
        )
    return people


def _officers(people: _People, audience: Audience) -> list[Recipient]:
    responsible_id = audience.responsible_id
    found = people.responsible.get(responsible_id) if responsible_id is not None else None
    if found is not None:
        return [people.person(found)]
    chosen = [
        people.person(user)
        for user in people.department_members(audience.department_id)
        if user.role in audience.roles
    ]
    return chosen or people.mailbox(audience.department_id, False) or _admins(people, audience)


def _escalation(people: _People, audience: Audience) -> list[Recipient]:
    return people.mailbox(audience.department_id, True) or [
        people.person(user)
        for user in people.department_members(audience.department_id)
        if user.role == Role.OFFICER
    ]


def _contractor(people: _People, audience: Audience) -> list[Recipient]:
    contractor_id = audience.contractor_id
    users = people.contractor_users.get(contractor_id, []) if contractor_id is not None else []
    return [people.person(user) for user in users]


def _admins(people: _People, audience: Audience) -> list[Recipient]:
    return [people.person(user) for user in people.admins]


CHOOSE = {"officers": _officers, "escalation": _escalation, "contractor": _contractor}


def resolve(session: Session, audiences: Iterable[Audience]) -> dict[Audience, list[Recipient]]:
    """Each audience's recipients, in a stable order."""
    audiences = set(audiences)
    people = _load(session, audiences)
    return {
        audience: CHOOSE.get(audience.kind, _admins)(people, audience) for audience in audiences
    }
