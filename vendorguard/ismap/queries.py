"""Reads of registrations and imports that the ISMAP pages share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from vendorguard.core.text import clean
from vendorguard.core.web import like_pattern
from vendorguard.ismap.matching import IsmapStatus, status_clause
from vendorguard.ismap.models import ImportStatus, IsmapImport, IsmapKind, IsmapRegistration


@dataclass(frozen=True)
class RegistrationFilters:
    """What the registration list is narrowed by."""

    term: str = ""
    kind: IsmapKind | None = None
    status: IsmapStatus | None = None


def registration_list(filters: RegistrationFilters, today: date | None = None) -> Select:
    """Registrations matching a search term (number, service, provider), list kind and status."""
    stmt = select(IsmapRegistration)
    term = filters.term.strip()
    if term:
        # Names are kept as published (full-width brackets and all); numbers are NFKC-normalised.
        patterns = sorted({like_pattern(term), like_pattern(clean(term))})
        stmt = stmt.where(
            or_(
                *[
                    column.ilike(pattern, escape="\\")
                    for pattern in patterns
                    for column in (
                        IsmapRegistration.registration_number,
                        IsmapRegistration.service_name,
                        IsmapRegistration.provider_name,
                    )
                ]
            )
        )
    if filters.kind is not None:
        stmt = stmt.where(IsmapRegistration.list_kind == filters.kind)
    if filters.status is not None and filters.status != IsmapStatus.NOT_REGISTERED:
        stmt = stmt.where(status_clause(filters.status, today))
    return stmt


def import_history() -> Select:
    """Every import, newest first, with the person who ran it."""
    return (
        select(IsmapImport)
        .options(joinedload(IsmapImport.imported_by))
        .order_by(IsmapImport.started_at.desc(), IsmapImport.id.desc())
    )


def latest_successful_imports() -> Select:
    """The newest successful import of each list kind."""
    newest = (
        select(IsmapImport.list_kind, func.max(IsmapImport.id).label("id"))
        .where(IsmapImport.status == ImportStatus.OK)
        .group_by(IsmapImport.list_kind)
        .subquery()
    )
    return (
        select(IsmapImport)
        .join(newest, IsmapImport.id == newest.c.id)
        .order_by(IsmapImport.list_kind)
    )
