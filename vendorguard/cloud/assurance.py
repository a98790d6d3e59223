"""A cloud service's standing against the ISMAP lists, and why a service needs attention."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from vendorguard.approvals.models import ApprovalState
from vendorguard.cloud.models import CloudService
from vendorguard.cloud.queries import ISMAP_VALID
from vendorguard.core.catalogue import gettext as _
from vendorguard.core.timeutil import today_tokyo
from vendorguard.ismap import matching
from vendorguard.ismap.matching import IsmapStatus
from vendorguard.ismap.models import IsmapRegistration


@dataclass(frozen=True)
class IsmapStanding:
    """A service's ISMAP status and the registration on file it names (None when not found)."""

    status: IsmapStatus
    registration: IsmapRegistration | None = None

    @property
    def is_valid(self) -> bool:
        """Registered, expiring or under renewal: still a valid registration."""
        return self.status in ISMAP_VALID


NOT_REGISTERED = IsmapStanding(IsmapStatus.NOT_REGISTERED)


def standings(
    session: Session, services: Iterable[CloudService], today: date | None = None
) -> dict[int, IsmapStanding]:
    """Each service's ISMAP standing by service id, reading the registrations in one query."""
    services = list(services)
    today = today or today_tokyo()
    found = matching.registrations_by_number(
        session, [s.ismap_registration_number for s in services]
    )
    result = {}
    for service in services:
        registration = found.get(matching.normalise_number(service.ismap_registration_number))
        result[service.id] = (
            IsmapStanding(matching.status_for(registration, today), registration)
            if registration is not None
            else NOT_REGISTERED
        )
    return result


def standing(session: Session, service: CloudService, today: date | None = None) -> IsmapStanding:
    """One service's ISMAP standing."""
    return standings(session, [service], today)[service.id]


def risk_reasons(service: CloudService, ismap: IsmapStanding) -> list[str]:
    """Why a service handling 機密性2以上 is at risk (empty when it is not); twin of ``queries.at_risk``."""
    if not service.handles_high_confidentiality:
        return []
    reasons = []
    if not ismap.is_valid:
        reasons.append(
            {
                IsmapStatus.EXPIRED: _("ISMAP登録の期限切れ"),
                IsmapStatus.LEFT_LIST: _("ISMAPリストから削除"),
            }.get(ismap.status, _("ISMAP未登録"))
        )
    if not service.has_current_approval:
        reasons.append(
            _("利用承認の期限切れ")
            if service.effective_approval_state == ApprovalState.EXPIRED
            else _("利用未承認")
        )
    return reasons
