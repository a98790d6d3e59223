"""Reads of the SSO settings pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from vendorguard.sso.models import SsoProvider, SsoRoleMapping


def provider_list() -> Select[Any]:
    """Providers by name, each with its number of mapping rows."""
    rows = (
        select(func.count(SsoRoleMapping.id))
        .where(SsoRoleMapping.provider_id == SsoProvider.id)
        .scalar_subquery()
    )
    return select(SsoProvider, rows.label("mapping_count")).order_by(
        SsoProvider.name, SsoProvider.id
    )


def mapping_list(provider_id: int) -> Select[Any]:
    """A provider's mapping rows in the order they are tried (department loaded with them)."""
    return (
        select(SsoRoleMapping)
        .where(SsoRoleMapping.provider_id == provider_id)
        .order_by(SsoRoleMapping.position, SsoRoleMapping.id)
    )
