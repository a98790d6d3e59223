"""Registering cloud services and their using departments (use applications: ``application_services``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.approvals import services as approvals
from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementState
from vendorguard.audit import services as audit
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.cloud.models import CloudService, TermsType
from vendorguard.contractors.models import Contractor
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import utcnow
from vendorguard.ismap.matching import normalise_number
from vendorguard.ismap.models import IsmapKind, IsmapRegistration
from vendorguard.org.models import Department


@dataclass
class CloudServiceData:
    """What a person enters about a cloud service."""

    title: str
    department_id: int
    provider_name: str = ""
    provider_contractor_id: int | None = None
    responsible_officer_id: int | None = None
    service_url: str = ""
    purpose: str = ""
    using_department_ids: list[int] = field(default_factory=list)
    handles_high_confidentiality: bool = False
    terms_type: TermsType = TermsType.STANDARD_TERMS
    data_location: str = ""
    governing_law: str = ""
    jurisdiction: str = ""
    ismap_kind: IsmapKind | None = None
    ismap_registration_number: str = ""
    state: ArrangementState = ArrangementState.DRAFT
    next_review_on: date | None = None


def check_department(
    session: Session, department_id: int, current_id: int | None = None
) -> Department:
    """The owning department must exist and be in use (an archived one may stay where it is)."""
    department = session.get(Department, department_id)
    if department is None or (department.is_archived and department.id != current_id):
        raise DomainError(_("所管課を一覧から選んでください。"), field="department_id")
    return department


def check_staff(
    session: Session, user_id: int | None, field_name: str, current_id: int | None = None
) -> None:
    """A named person must be an active member of city staff (not a contractor's account)."""
    if user_id is None or user_id == current_id:
        return
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.role == Role.CONTRACTOR:
        raise DomainError(_("在職中の職員を一覧から選んでください。"), field=field_name)


def _using_departments(
    session: Session, ids: list[int], keep: list[Department]
) -> list[Department]:
    wanted = set(ids)
    found = (
        {d.id: d for d in session.scalars(select(Department).where(Department.id.in_(wanted)))}
        if wanted
        else {}
    )
    kept = {d.id for d in keep}
    if set(found) != wanted or any(found[i].is_archived and i not in kept for i in wanted):
        raise DomainError(_("利用する所属を一覧から選んでください。"), field="using_department_ids")
    return sorted(found.values(), key=lambda d: (d.name_kana, d.id))


def _department_snapshot(departments: list[Department]) -> dict:
    return {
        "using_department_ids": [d.id for d in departments],
        "using_departments": [d.name for d in departments],
    }


def _apply(session: Session, service: CloudService, data: CloudServiceData) -> CloudService:
    check_department(session, data.department_id, service.department_id)
    check_staff(
        session,
        data.responsible_officer_id,
        "responsible_officer_id",
        service.responsible_officer_id,
    )
    provider_name = clean(data.provider_name)
    if data.provider_contractor_id is not None:
        contractor = session.get(Contractor, data.provider_contractor_id)
        if contractor is None or (
            contractor.is_archived and contractor.id != service.provider_contractor_id
        ):
            raise DomainError(
                _("提供事業者を一覧から選んでください。"), field="provider_contractor_id"
            )
    elif not provider_name:
        raise DomainError(
            _("提供事業者を台帳から選ぶか、事業者名を入力してください。"), field="provider_name"
        )
    number = normalise_number(
        data.ismap_registration_number
    )  # matched against the ISMAP list as typed there
    if number and data.ismap_kind is None:
        raise DomainError(
            _("ISMAP登録番号を入力した場合は区分を選んでください。"), field="ismap_kind"
        )

    is_new = service.id is None
    before = [] if is_new else list(service.using_departments)
    after = _using_departments(session, data.using_department_ids, before)
    # An approval was given for a given sensitivity and terms (its checklist depends on them).
    basis_changed = not is_new and (
        service.handles_high_confidentiality != data.handles_high_confidentiality
        or service.terms_type != data.terms_type
    )
    if basis_changed and approvals.has_pending(session, service.id):
        raise DomainError(
            _(
                "利用申請の審査中は、機密性の区分と契約形態を変更できません。変更する場合は申請を取り下げてください。"
            ),
            field="handles_high_confidentiality",
        )
    if basis_changed and service.approval_state == ApprovalState.APPROVED:
        approvals.cancel(service)

    service.title = clean(data.title)
    service.department_id = data.department_id
    service.responsible_officer_id = data.responsible_officer_id
    service.provider_contractor_id = data.provider_contractor_id
    service.provider_name = "" if data.provider_contractor_id is not None else provider_name
    service.service_url = clean(data.service_url)
    service.purpose = (data.purpose or "").strip()
    service.handles_high_confidentiality = data.handles_high_confidentiality
    service.terms_type = data.terms_type
    service.data_location = clean(data.data_location)
    service.governing_law = clean(data.governing_law)
    service.jurisdiction = clean(data.jurisdiction)
    service.ismap_kind = data.ismap_kind if number else None
    service.ismap_registration_number = number or None
    service.state = data.state
    service.next_review_on = data.next_review_on
    if [d.id for d in before] != [d.id for d in after]:
        service.using_departments = after
    session.add(service)
    session.flush()
    if [d.id for d in before] != [d.id for d in after]:
        # The link table is no column of the service, so the automatic capture cannot see it.
        audit.record(
            session,
            "update",
            "cloud_service",
            service.id,
            service.title,
            before=_department_snapshot(before),
            after=_department_snapshot(after),
        )
    return service


def create_service(session: Session, data: CloudServiceData) -> CloudService:
    """Register a cloud service (not yet applied for)."""
    service = CloudService()
    service.using_departments = []
    return _apply(session, service, data)


def update_service(session: Session, service: CloudService, data: CloudServiceData) -> CloudService:
    """Change a service; an approved one whose sensitivity or terms change goes back to 申請中."""
    if service.is_archived:
        raise DomainError(_("アーカイブ済みの外部サービスは編集できません。"))
    return _apply(session, service, data)


def archive_service(session: Session, service: CloudService) -> None:
    """Archive a service no longer used; its history stays."""
    if service.is_archived:
        raise DomainError(_("この外部サービスは既にアーカイブされています。"))
    service.archived_at = utcnow()
    session.flush()


def restore_service(session: Session, service: CloudService) -> None:
    """Bring an archived service back into the register."""
    if not service.is_archived:
        raise DomainError(_("この外部サービスはアーカイブされていません。"))
    service.archived_at = None
    session.flush()


def link_ismap_registration(
    session: Session, service: CloudService, registration: IsmapRegistration
) -> CloudService:
    """Record on a cloud service which ISMAP registration it is (number and list)."""
    if service.is_archived:
        raise DomainError(_("アーカイブ済みの外部サービスは変更できません。"))
    service.ismap_registration_number = registration.registration_number
    service.ismap_kind = IsmapKind(registration.list_kind)
    session.flush()
    return service
