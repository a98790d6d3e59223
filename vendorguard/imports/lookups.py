"""Names in cells turned into records: departments, contractors, staff, classification levels.

Small reference tables (departments, levels, staff) are read once per run; contractors are looked
up as rows name them and remembered, so a 10,000-row file costs a query per distinct company.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.classification.models import Axis, ClassificationLevel, ClassificationScheme
from vendorguard.contractors.models import Contractor
from vendorguard.imports.cells import CellError, key_text, one_line
from vendorguard.org.models import Department


class Lookups:
    """What one import run needs to resolve names, read once."""

    def __init__(self, session: Session, user: Any):
        self.session = session
        self.user = user
        departments = list(session.scalars(select(Department).order_by(Department.name_kana)))
        self.departments = departments
        self._departments: dict[str, list[Department]] = {}
        for department in departments:
            for name in {department.name, department.code}:
                self._departments.setdefault(key_text(name), []).append(department)
        scheme = session.scalars(
            select(ClassificationScheme).where(ClassificationScheme.active.is_(True))
        ).first()
        self.levels: dict[Axis, list[ClassificationLevel]] = {axis: [] for axis in Axis}
        if scheme is not None:
            for level in session.scalars(
                select(ClassificationLevel)
                .where(ClassificationLevel.scheme_id == scheme.id)
                .order_by(ClassificationLevel.rank)
            ):
                self.levels[level.axis].append(level)
        self.memo: dict[str, Any] = {}  # what a table's handler reads once per run
        self._staff: dict[str, list[User]] | None = None
        self._by_number: dict[str, Contractor | None] = {}
        self._by_name: dict[str, list[Contractor]] = {}
        self._names_loaded = False
        self._numbers_loaded = False
        self._numbers_forgotten = False  # a run that creates contractors asks one at a time

    # -- departments -------------------------------------------------------------------------

    def department(self, value: Any) -> Department | None:
        """The department a cell names (its name or code); blank is None."""
        typed = key_text(value)
        if not typed:
            return None
        found = self._departments.get(typed, [])
        if len(found) != 1:
            raise CellError(
                _(
                    "所属「%(name)s」が見つかりません。所属の一覧にある名称で入力してください。",
                    name=one_line(value),
                )
                if not found
                else _(
                    "所属「%(name)s」は複数あります。所属コードで入力してください。",
                    name=one_line(value),
                )
            )
        return found[0]

    def department_names(self) -> list[str]:
        """Names of the departments in use (the template's drop-down)."""
        return [d.name for d in self.departments if not d.is_archived]

    # -- staff -------------------------------------------------------------------------------

    def staff(self, value: Any) -> User | None:
        """A member of city staff by e-mail address or by name (when only one has it)."""
        typed = key_text(value)
        if not typed:
            return None
        if self._staff is None:
            self._staff = {}
            for user in self.session.scalars(select(User).where(User.role != Role.CONTRACTOR)):
                for name in {user.email, user.name}:
                    self._staff.setdefault(key_text(name), []).append(user)
        found = self._staff.get(typed, [])
        if len(found) != 1:
            raise CellError(
                _(
                    "職員「%(name)s」が見つかりません。利用者の氏名かメールアドレスで入力してください。",
                    name=one_line(value),
                )
                if not found
                else _("同じ氏名の職員が複数います。メールアドレスで入力してください。")
            )
        return found[0]

    # -- contractors -------------------------------------------------------------------------

    def contractor_by_number(self, number: str) -> Contractor | None:
        """The registered contractor with this 法人番号 (None when there is none)."""
        if self._numbers_loaded:
            return self._by_number.get(number)
        if not self._by_number and not self._numbers_forgotten:
            # Read once: a 10,000-row register names hundreds of companies, one query in all.
            for contractor in self.session.scalars(
                select(Contractor).where(Contractor.corporate_number.is_not(None))
            ):
                self._by_number.setdefault(contractor.corporate_number or "", contractor)
            self._numbers_loaded = True
            return self._by_number.get(number)
        if number not in self._by_number:
            self._by_number[number] = self.session.scalars(
                select(Contractor).where(Contractor.corporate_number == number)
            ).first()
        return self._by_number[number]

    def contractor_by_name(self, name: str) -> list[Contractor]:
        """Contractors not archived whose name is ``name``."""
        if not self._names_loaded:
            # Read once (until a contractor changes): names are matched NFKC- and space-blind.
            for contractor in self.session.scalars(
                select(Contractor).where(Contractor.archived_at.is_(None))
            ):
                self._by_name.setdefault(key_text(contractor.name), []).append(contractor)
            self._names_loaded = True
        return self._by_name.get(key_text(name), [])

    def forget_contractors(self) -> None:
        """Drop what was remembered (a contractor was created or renamed)."""
        self._by_number.clear()
        self._by_name.clear()
        self._names_loaded = False
        self._numbers_loaded = False
        self._numbers_forgotten = True

    # -- classification levels ---------------------------------------------------------------

    def level(self, axis: Axis, value: Any) -> ClassificationLevel | None:
        """A level of the active scheme on ``axis`` by its label or code; blank is None."""
        typed = key_text(value)
        if not typed:
            return None
        for level in self.levels[axis]:
            if typed in {key_text(level.label), key_text(level.code), key_text(str(level))}:
                return level
        raise CellError(
            _(
                "「%(value)s」は現在の重要性分類にありません（%(choices)s）。",
                value=one_line(value),
                choices="、".join(level.label for level in self.levels[axis]),
            )
        )
