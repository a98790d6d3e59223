"""The four registers people import, each a main table and the tables that hang off it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from vendorguard.imports.cloud_rows import CLOUD_SERVICES
from vendorguard.imports.columns import Table
from vendorguard.imports.contractor_rows import CERTIFICATIONS, CONTRACTORS
from vendorguard.imports.engagement_child_rows import INFORMATION_ITEMS, SUBCONTRACTORS
from vendorguard.imports.engagement_rows import ENGAGEMENTS
from vendorguard.imports.social_rows import SOCIAL_ACCOUNTS


@dataclass(frozen=True)
class Register:
    """What one import page offers: tables in the order they are applied (parents first)."""

    key: str
    label: Any
    permission: str
    tables: tuple[Table, ...]
    list_endpoint: str

    @property
    def main(self) -> Table:
        return self.tables[0]

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)


REGISTERS = {
    register.key: register
    for register in (
        Register(
            "contractors",
            _l("委託事業者"),
            "contractor.manage",
            (CONTRACTORS, CERTIFICATIONS),
            "contractors.index",
        ),
        Register(
            "engagements",
            _l("業務委託"),
            "engagement.manage",
            (ENGAGEMENTS, INFORMATION_ITEMS, SUBCONTRACTORS),
            "engagements.index",
        ),
        Register("cloud", _l("外部サービス"), "cloud.manage", (CLOUD_SERVICES,), "cloud.index"),
        Register(
            "social", _l("SNSアカウント"), "social.manage", (SOCIAL_ACCOUNTS,), "social.index"
        ),
    )
}


def register_for(user: Any, key: str) -> Register | None:
    """The register ``key`` when the user may import into it."""
    register = REGISTERS.get(key)
    if register is None or not user.is_authenticated or not user.can(register.permission):
        return None
    return register


def registers_for(user: Any) -> list[Register]:
    """The registers the user may import into."""
    return [r for r in REGISTERS.values() if user.is_authenticated and user.can(r.permission)]
