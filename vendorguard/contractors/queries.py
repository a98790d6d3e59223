"""Reads of contractors that pages share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from vendorguard.contractors import corporate_number as cn
from vendorguard.contractors.models import (
    EXPIRY_WARNING_DAYS,
    Certification,
    CertificationKind,
    Contractor,
)
from vendorguard.core.text import clean, to_katakana
from vendorguard.core.web import contains, contains_any, like_pattern

SORTS = {
    "kana": (Contractor.name_kana, Contractor.id),
    # Contractors without a 法人番号 (sole proprietors) go after the numbered ones.
    "number": (
        case((Contractor.corporate_number.is_(None), 1), else_=0),
        Contractor.corporate_number,
        Contractor.id,
    ),
    "updated": (Contractor.updated_at, Contractor.id),
}


def valid_on(day: date):
    """SQL condition: a certificate that is not archived and covers ``day``."""
    return and_(
        Certification.archived_at.is_(None),
        or_(Certification.valid_from.is_(None), Certification.valid_from <= day),
        or_(Certification.valid_until.is_(None), Certification.valid_until >= day),
    )


def contractor_list(
    today: date,
    term: str = "",
    cert: CertificationKind | None = None,
    include_archived: bool = False,
) -> Select:
    """Rows of (contractor, number of certificates valid today), the contractor's current
    certificates loaded, filtered by search term and certificate kind."""
    valid_count = (
        select(func.count(Certification.id))
        .where(Certification.contractor_id == Contractor.id, valid_on(today))
        .correlate(Contractor)
        .scalar_subquery()
    )
    stmt = select(Contractor, valid_count.label("valid_count")).options(
        selectinload(Contractor.certifications.and_(Certification.archived_at.is_(None)))
    )
    if term:
        # Names are stored NFKC-normalised, so the term is too (ＡＢＣ finds ABC). contains():
        # LIKE for a term without letter case (ILIKE folds every character), by index for two.
        cleaned = clean(term)
        searches = [
            (Contractor.name, cleaned),
            (Contractor.name_kana, to_katakana(term)),
            (Contractor.contact_name, cleaned),
        ]
        digits = cn.normalise(term)
        if digits.isascii() and digits.isdigit():
            # (no index for a number's middle: the OR reads every contractor, as before)
            number = Contractor.corporate_number.like(like_pattern(digits), escape="\\")
            stmt = stmt.where(or_(*(contains(column, t) for column, t in searches), number))
        else:
            stmt = stmt.where(contains_any(*searches))
    if cert is not None:
        stmt = stmt.where(
            exists().where(
                Certification.contractor_id == Contractor.id,
                Certification.kind == cert,
                valid_on(today),
            )
        )
    if not include_archived:
        stmt = stmt.where(Contractor.archived_at.is_(None))
    return stmt


@dataclass(frozen=True)
class HeldCertification:
    """One kind of certificate a contractor holds today, and until when it is covered."""

    label: str
    until: date | None
    expiring: bool


def held_certifications(
    certifications: Iterable[Certification], today: date
) -> list[HeldCertification]:
    """The kinds a contractor holds today; a kind only counts as expiring when no later certificate
    of that kind is on file (a renewal already entered silences the warning)."""
    groups: dict[tuple[int, str], list[Certification]] = {}
    order = {kind: index for index, kind in enumerate(CertificationKind)}
    for certification in certifications:
        if certification.archived_at is None:
            key = (order[certification.kind], certification.kind_label)
            groups.setdefault(key, []).append(certification)
    held = []
    for (_, label), group in sorted(groups.items()):
        if not any(c.is_valid_on(today) for c in group):
            continue
        current_or_later = [c for c in group if c.valid_until is None or c.valid_until >= today]
        ends = [c.valid_until for c in current_or_later if c.valid_until is not None]
        until = max(ends) if len(ends) == len(current_or_later) else None  # one without end: None
        expiring = until is not None and until <= today + timedelta(days=EXPIRY_WARNING_DAYS)
        held.append(HeldCertification(label, until, expiring))
    return held


def certifications_of(contractor_id: int) -> Select:
    """A contractor's certificates: current ones first, newest end date first."""
    return (
        select(Certification)
        .where(Certification.contractor_id == contractor_id)
        .order_by(
            Certification.archived_at.is_not(None),
            # no end date = open-ended, so it sorts as the latest on every database
            case((Certification.valid_until.is_(None), 0), else_=1),
            Certification.valid_until.desc(),
            Certification.id,
        )
    )


def superseded_certification() -> ColumnElement[bool]:
    """True for a certificate that a newer live one of the same contractor and kind replaces
    (one valid longer, or without an end): lists of "the latest certificate" leave these out."""
    newer = aliased(Certification)
    return exists(
        select(newer.id).where(
            newer.contractor_id == Certification.contractor_id,
            newer.kind == Certification.kind,
            newer.kind_other == Certification.kind_other,
            newer.archived_at.is_(None),
            newer.id != Certification.id,
            or_(newer.valid_until.is_(None), newer.valid_until > Certification.valid_until),
        )
    )
