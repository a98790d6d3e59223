"""What a registration's status is today, and which registration a cloud service is."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher
from typing import Protocol

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from vendorguard.core.dates import add_months
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import today_tokyo
from vendorguard.ismap.models import IsmapRegistration

EXPIRING_DAYS = 90
VALIDITY_MONTHS = 16  # ISMAP basic rules 3.5: 1 year 4 months from the day after the audited period


class IsmapStatus(LabelledEnum):
    """Where a cloud service stands against the ISMAP lists."""

    REGISTERED = "registered", _l("登録済"), "badge-ok"
    EXPIRING = "expiring", _l("期限間近"), "badge-warn"
    EXPIRED = "expired", _l("期限切れ"), "badge-danger"
    RENEWAL_PENDING = "renewal_pending", _l("更新審査中"), "badge-info"
    LEFT_LIST = "left_list", _l("リストから削除"), "badge-danger"
    NOT_REGISTERED = "not_registered", _l("未登録"), "badge-muted"


# The statuses a registration on file can have (NOT_REGISTERED describes a service, not a registration).
REGISTRATION_STATUSES = tuple(s for s in IsmapStatus if s != IsmapStatus.NOT_REGISTERED)


def valid_until_from_audit_end(audit_period_end: date) -> date:
    """Expiry when the list gives only the audited period: end + 1 day + 16 months (FACTS §2)."""
    return add_months(audit_period_end + timedelta(days=1), VALIDITY_MONTHS)


def status_for(registration: IsmapRegistration, today: date | None = None) -> IsmapStatus:
    """A registration's status today. A pending renewal keeps it valid past expiry until decided."""
    today = today or today_tokyo()
    if registration.left_list_on is not None:
        return IsmapStatus.LEFT_LIST
    if registration.renewal_pending:
        return IsmapStatus.RENEWAL_PENDING
    if registration.valid_until is None:
        return IsmapStatus.REGISTERED
    if registration.valid_until < today:
        return IsmapStatus.EXPIRED
    if registration.valid_until <= today + timedelta(days=EXPIRING_DAYS):
        return IsmapStatus.EXPIRING
    return IsmapStatus.REGISTERED


def status_clause(status: IsmapStatus, today: date | None = None) -> ColumnElement[bool]:
    """The SQL condition matching :func:`status_for` (same order of precedence)."""
    today = today or today_tokyo()
    soon = today + timedelta(days=EXPIRING_DAYS)
    reg = IsmapRegistration
    on_list = reg.left_list_on.is_(None)
    decided = and_(on_list, reg.renewal_pending.is_(False))
    return {
        IsmapStatus.LEFT_LIST: reg.left_list_on.is_not(None),
        IsmapStatus.RENEWAL_PENDING: and_(on_list, reg.renewal_pending.is_(True)),
        IsmapStatus.EXPIRED: and_(decided, reg.valid_until < today),
        IsmapStatus.EXPIRING: and_(decided, reg.valid_until >= today, reg.valid_until <= soon),
        IsmapStatus.REGISTERED: and_(
            decided, or_(reg.valid_until.is_(None), reg.valid_until > soon)
        ),
    }[status]


class NamesRegistration(Protocol):
    """What names an ISMAP registration (a cloud service): ismap sits below cloud, so no import."""

    @property
    def ismap_registration_number(self) -> str | None: ...


def normalise_number(number: str | None) -> str:
    """A registration number as stored: NFKC, no spaces, upper case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", number or "")).upper()


def registration_for_service(
    session: Session, cloud_service: NamesRegistration
) -> IsmapRegistration | None:
    """The registration a service names by its ISMAP registration number, if it is on file."""
    number = normalise_number(cloud_service.ismap_registration_number)
    if not number:
        return None
    return session.scalars(
        select(IsmapRegistration).where(func.upper(IsmapRegistration.registration_number) == number)
    ).first()


def registrations_by_number(
    session: Session, numbers: Iterable[str | None]
) -> dict[str, IsmapRegistration]:
    """Registrations on file for these numbers, keyed by normalised number, in one query (for lists)."""
    wanted = {normalise_number(number) for number in numbers} - {""}
    if not wanted:
        return {}
    found = session.scalars(
        select(IsmapRegistration).where(
            func.upper(IsmapRegistration.registration_number).in_(sorted(wanted))
        )
    )
    return {
        normalise_number(registration.registration_number): registration for registration in found
    }


def service_status(
    session: Session, cloud_service: NamesRegistration, today: date | None = None
) -> tuple[IsmapStatus, IsmapRegistration | None]:
    """A service's ISMAP status and its registration; not registered when unlinked or not on file."""
    registration = registration_for_service(session, cloud_service)
    if registration is None:
        return IsmapStatus.NOT_REGISTERED, None
    return status_for(registration, today), registration


# -- suggestions --------------------------------------------------------------------------------

_CORPORATE = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|\((?:株|有|同)\)"
    r"|\b(?:inc|corp|corporation|co|ltd|llc|limited|gk|kk)\b"
)
_PUNCTUATION = re.compile(r"[\s・、。,.\-‐－―—_/\\()\[\]「」『』【】:;!?'\"”“’‘&＆+]+")


def normalise_name(text: str | None) -> str:
    """A name reduced for comparison: NFKC, casefolded, without 株式会社 / (株), spaces, punctuation."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return _PUNCTUATION.sub("", _CORPORATE.sub("", text))


def similarity(a: str, b: str) -> float:
    """0–1 likeness of two normalised names; one wholly containing the other counts as close."""
    if not a or not b:
        return 0.0
    ratio = SequenceMatcher(None, a, b).ratio()
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 2 and short in long_:
        ratio = max(ratio, 0.75 + 0.25 * len(short) / len(long_))
    return ratio


@dataclass(frozen=True)
class Suggestion:
    """A candidate registration with how well its names match (0–1)."""

    registration: IsmapRegistration
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


MIN_SCORE = 0.4


def suggest_registrations(
    session: Session, service_name: str, provider_name: str = "", limit: int = 5
) -> list[Suggestion]:
    """Registrations whose service (and provider) names resemble the given ones, best first."""
    wanted_service, wanted_provider = normalise_name(service_name), normalise_name(provider_name)
    if not wanted_service and not wanted_provider:
        return []
    # Only the three columns are read for scoring; whole rows only for the few winners.
    rows = session.execute(
        select(
            IsmapRegistration.id, IsmapRegistration.service_name, IsmapRegistration.provider_name
        )
    ).all()
    scored = []
    for reg_id, name, provider in rows:
        service_score = similarity(wanted_service, normalise_name(name))
        if wanted_provider:
            provider_score = similarity(wanted_provider, normalise_name(provider))
            score = 0.7 * service_score + 0.3 * provider_score if wanted_service else provider_score
        else:
            score = service_score
        if score >= MIN_SCORE:
            scored.append((score, reg_id))
    scored.sort(key=lambda item: (-item[0], item[1]))
    best = scored[:limit]
    if not best:
        return []
    found = {
        r.id: r
        for r in session.scalars(
            select(IsmapRegistration).where(
                IsmapRegistration.id.in_([reg_id for _, reg_id in best])
            )
        )
    }
    return [Suggestion(found[reg_id], round(score, 3)) for score, reg_id in best if reg_id in found]
