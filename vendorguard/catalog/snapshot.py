"""A per-process copy of the catalog (active requirements, approved clause versions, the links
between them) that the document generator reads instead of three queries per document.

Before each use the copy's marker is compared with ``catalog_marker`` in the database (one
one-row statement), and every flush that touches a requirement, clause or clause version writes
a fresh random marker in the same transaction. So a clause approved by any process is seen by
every other at its next generation, and nothing a process holds outlives a change: the copy is a
cache, not state.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sqlalchemy import ScalarSelect, event, insert, select, update
from sqlalchemy.orm import Session, contains_eager, selectinload

from vendorguard.catalog import queries
from vendorguard.catalog.models import (
    CatalogMarker,
    Clause,
    ClauseStatus,
    ClauseVersion,
    Requirement,
    RequirementKind,
)


@dataclass(frozen=True)
class CachedRequirement:
    """What coverage, rules and documents read of a requirement (names as on ``Requirement``)."""

    id: int
    code: str
    title_ja: str
    title_en: str
    kind: RequirementKind
    applies_to: str
    rule: dict[str, Any]
    sort_order: int
    active: bool

    @property
    def title(self) -> str:
        """The title in the reader's language, as ``Requirement.title``."""
        from flask_babel import get_locale

        locale = get_locale()
        if self.title_en and locale is not None and locale.language == "en":
            return self.title_en
        return self.title_ja


@dataclass(frozen=True)
class CachedClause:
    """What the articles read of a clause."""

    id: int
    code: str
    title: str
    internal: bool
    sort_order: int


@dataclass(frozen=True)
class CachedVersion:
    """An approved clause version with its clause and every requirement it covers."""

    id: int
    clause_id: int
    number: int
    title: str
    body: str
    clause: CachedClause
    requirements: tuple[CachedRequirement, ...]


@dataclass(frozen=True)
class Snapshot:
    """The catalog as of ``marker``, by arrangement kind, in the orders the queries give."""

    marker: str
    requirements: dict[str, tuple[CachedRequirement, ...]]  # active ones
    versions: dict[str, tuple[CachedVersion, ...]]  # approved, of clauses in use


class Unread:
    """``current`` reads the marker itself."""


UNREAD = Unread()
_copy: Snapshot | None = None  # replaced whole, never changed in place (threads share it)


def marker_value() -> ScalarSelect[str]:
    """The database's marker, as a column to add to a statement the caller sends anyway."""
    return select(CatalogMarker.value).where(CatalogMarker.id == 1).scalar_subquery()


def current(session: Session, marker: str | None | Unread = UNREAD) -> Snapshot:
    """The catalog as this session's transaction sees it, from the copy while its marker holds.

    ``marker``: the marker as read by the caller (``marker_value``) in this transaction, before
    anything else of the catalog; by default it is read here."""
    global _copy
    if isinstance(marker, Unread):
        read = session.scalar(select(CatalogMarker.value).where(CatalogMarker.id == 1))
        return current(session, read)
    copy = _copy
    if marker is not None and copy is not None and copy.marker == marker:
        return copy
    # The marker is read before the rows: a change committed in between gives newer rows under
    # an older marker, which costs one more load later, never a stale copy.
    loaded = _load(session, marker or "")
    if marker is not None:  # a database without the row (made by create_all) is never cached
        _copy = loaded
    return loaded


def _load(session: Session, marker: str) -> Snapshot:
    requirements: dict[int, CachedRequirement] = {}

    def cached(requirement: Requirement) -> CachedRequirement:
        if requirement.id not in requirements:
            requirements[requirement.id] = CachedRequirement(
                requirement.id,
                requirement.code,
                requirement.title_ja,
                requirement.title_en,
                requirement.kind,
                str(requirement.applies_to),
                requirement.rule,
                requirement.sort_order,
                requirement.active,
            )
        return requirements[requirement.id]

    by_kind: dict[str, list[CachedRequirement]] = {}
    active = session.scalars(
        queries.active_requirements()
        .order_by(None)
        .order_by(Requirement.applies_to, Requirement.sort_order, Requirement.code)
    )
    for requirement in active:
        by_kind.setdefault(str(requirement.applies_to), []).append(cached(requirement))
    versions: dict[str, list[CachedVersion]] = {}
    approved = session.scalars(
        select(ClauseVersion)
        .join(ClauseVersion.clause)
        .where(ClauseVersion.status == ClauseStatus.APPROVED, Clause.archived_at.is_(None))
        .options(contains_eager(ClauseVersion.clause), selectinload(ClauseVersion.requirements))
        .order_by(Clause.applies_to, Clause.sort_order, Clause.code)
    ).unique()
    for version in approved:
        clause = version.clause
        versions.setdefault(str(clause.applies_to), []).append(
            CachedVersion(
                version.id,
                version.clause_id,
                version.number,
                version.title,
                version.body,
                CachedClause(
                    clause.id, clause.code, clause.title, clause.internal, clause.sort_order
                ),
                tuple(cached(r) for r in version.requirements),
            )
        )
    return Snapshot(
        marker,
        {kind: tuple(rows) for kind, rows in by_kind.items()},
        {kind: tuple(rows) for kind, rows in versions.items()},
    )


def renew_marker(session: Session) -> None:
    """Write a fresh marker in the session's transaction (every copy is stale from its commit)."""
    value = uuid.uuid4().hex
    changed = session.execute(
        update(CatalogMarker).where(CatalogMarker.id == 1).values(value=value)
    )
    if getattr(changed, "rowcount", 0) == 0:
        session.execute(insert(CatalogMarker).values(id=1, value=value))


_CATALOG = (Requirement, Clause, ClauseVersion)


@event.listens_for(Session, "before_flush")
def _renew_on_catalog_change(session: Session, _context: Any, _instances: Any) -> None:
    # A changed link between a version and a requirement marks the version dirty, so it counts.
    if any(isinstance(obj, _CATALOG) for obj in chain(session.new, session.dirty, session.deleted)):
        renew_marker(session)
