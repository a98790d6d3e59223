"""Registering and changing engagements and the information they handle.

Subcontractors (再委託先) and their approval live in ``engagements.subcontracting``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.classification.models import Axis, ClassificationLevel
from vendorguard.contractors.models import Contractor
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import utcnow
from vendorguard.engagements import queries
from vendorguard.engagements.models import (
    Engagement,
    InformationItem,
    PersonalInfoVolume,
    ReportingCycle,
)
from vendorguard.org.models import Department


@dataclass
class EngagementData:
    """What a person enters about an engagement (names are the model's columns)."""

    title: str
    department_id: int
    contractor_id: int
    starts_on: date
    ends_on: date
    contract_number: str = ""
    responsible_officer_id: int | None = None
    contractor_representative: str = ""
    work_locations: str = ""
    description: str = ""
    handles_personal_info: bool = False
    handles_my_number: bool = False
    personal_info_volume: PersonalInfoVolume | None = None
    remote_access: bool = False
    segment_my_number: bool = False
    segment_lgwan: bool = False
    segment_internet: bool = False
    access_scope: str = ""
    access_method: str = ""
    subcontracting_allowed: bool = False
    reporting_cycle: ReportingCycle = ReportingCycle.MONTHLY
    state: ArrangementState = ArrangementState.DRAFT
    next_review_on: date | None = None


ENGAGEMENT_FIELDS = tuple(field.name for field in fields(EngagementData))
TEXT_FIELDS = (
    "contractor_representative",
    "work_locations",
    "description",
    "access_scope",
    "access_method",
)
FLAG_FIELDS = (
    "handles_my_number",
    "segment_my_number",
    "segment_lgwan",
    "segment_internet",
    "subcontracting_allowed",
    "remote_access",
)


def tidy(text: str | None) -> str:
    """Trim and collapse runs of spaces, keeping the characters as typed.

    Titles and names are printed in contract documents, so unlike ``clean`` this keeps full-width
    brackets and digits (（令和8年度） must not become (令和8年度)).
    """
    return " ".join((text or "").split())


def ensure_not_archived(engagement: Engagement) -> None:
    """Refuse changes to an archived engagement (restore it first)."""
    if engagement.is_archived:
        raise DomainError(
            _("アーカイブ済みの業務委託は変更できません。変更する場合は先に元に戻してください。")
        )


def _check_department(session: Session, engagement: Engagement, department_id: int) -> None:
    department = session.get(Department, department_id)
    if department is None:
        raise DomainError(_("所管課が見つかりません。"), field="department_id")
    if department.is_archived and department_id != engagement.department_id:
        raise DomainError(_("アーカイブ済みの所属は選べません。"), field="department_id")


def _check_contractor(session: Session, engagement: Engagement, contractor_id: int) -> None:
    contractor = session.get(Contractor, contractor_id)
    if contractor is None:
        raise DomainError(_("委託事業者が見つかりません。"), field="contractor_id")
    if contractor.is_archived and contractor_id != engagement.contractor_id:
        raise DomainError(_("アーカイブ済みの委託事業者は選べません。"), field="contractor_id")


def _check_officer(session: Session, engagement: Engagement, user_id: int | None) -> None:
    if user_id is None or user_id == engagement.responsible_officer_id:
        return
    user = session.get(User, user_id)
    if user is None or user.role == Role.CONTRACTOR or not user.is_active:
        raise DomainError(
            _("市の責任者には、利用中の市職員の利用者を選んでください。"),
            field="responsible_officer_id",
        )


def _check_contract_number(session: Session, engagement: Engagement, number: str | None) -> None:
    if number is None:
        return
    clash = session.scalars(
        select(Engagement.id).where(
            Engagement.contract_number == number, Engagement.id != engagement.id
        )
    ).first()
    if clash is not None:
        raise DomainError(_("この契約番号は既に登録されています。"), field="contract_number")


def _check_subcontractor_rules(
    session: Session, engagement: Engagement, data: EngagementData
) -> None:
    if engagement.id is None:
        return  # a new engagement has no subcontractors yet
    if (
        data.handles_my_number
        and session.scalars(queries.unapproved_subcontractors(engagement.id)).first()
    ):
        raise DomainError(
            _(
                "市の許諾のない再委託先があるため、マイナンバー（特定個人情報）を取り扱う業務にできません。"
                "先に再委託先の許諾を記録するか、再委託先をアーカイブしてください。"
            ),
            field="handles_my_number",
        )
    if (
        not data.subcontracting_allowed
        and session.scalars(queries.active_subcontractors(engagement.id)).first()
    ):
        raise DomainError(
            _(
                "再委託先が登録されているため、「再委託を認める」を外せません。"
                "先に再委託先をアーカイブしてください。"
            ),
            field="subcontracting_allowed",
        )


def _apply(session: Session, engagement: Engagement, data: EngagementData) -> Engagement:
    title = tidy(data.title)
    if not title:
        raise DomainError(_("業務名を入力してください。"), field="title")
    if data.ends_on < data.starts_on:
        raise DomainError(
            _("終了日は開始日と同じ日かそれより後の日付にしてください。"), field="ends_on"
        )
    number = clean(data.contract_number) or None
    _check_contract_number(session, engagement, number)
    _check_department(session, engagement, data.department_id)
    _check_contractor(session, engagement, data.contractor_id)
    _check_officer(session, engagement, data.responsible_officer_id)
    _check_subcontractor_rules(session, engagement, data)

    engagement.title = title
    engagement.contract_number = number
    engagement.department_id = data.department_id
    engagement.contractor_id = data.contractor_id
    engagement.responsible_officer_id = data.responsible_officer_id
    engagement.starts_on, engagement.ends_on = data.starts_on, data.ends_on
    for name in TEXT_FIELDS:
        setattr(engagement, name, (getattr(data, name) or "").strip())
    for name in FLAG_FIELDS:
        setattr(engagement, name, bool(getattr(data, name)))
    # 特定個人情報 is personal information by definition (My Number Act §2(8)), so the flag follows.
    engagement.handles_personal_info = bool(data.handles_personal_info or data.handles_my_number)
    # A volume only means something for work that handles personal information.
    engagement.personal_info_volume = (
        PersonalInfoVolume(data.personal_info_volume)
        if data.personal_info_volume and engagement.handles_personal_info
        else None
    )
    engagement.reporting_cycle = ReportingCycle(data.reporting_cycle)
    engagement.state = ArrangementState(data.state)
    engagement.next_review_on = data.next_review_on
    session.add(engagement)
    session.flush()
    return engagement


def create_engagement(session: Session, data: EngagementData) -> Engagement:
    """Register a new engagement."""
    return _apply(session, Engagement(), data)


def update_engagement(session: Session, engagement: Engagement, data: EngagementData) -> Engagement:
    """Change an engagement's details, keeping the My Number and subcontracting rules."""
    ensure_not_archived(engagement)
    return _apply(session, engagement, data)


def archive_engagement(session: Session, engagement: Engagement) -> None:
    """Archive an engagement: it keeps its history but leaves the working list."""
    if engagement.is_archived:
        raise DomainError(_("この業務委託は既にアーカイブされています。"))
    engagement.archived_at = utcnow()
    session.flush()


def restore_engagement(session: Session, engagement: Engagement) -> None:
    """Bring an archived engagement back into the working list."""
    if not engagement.is_archived:
        raise DomainError(_("この業務委託はアーカイブされていません。"))
    engagement.archived_at = None
    session.flush()


@dataclass
class InformationData:
    """An item of information the work handles, with a level on each axis (any may be unset)."""

    name: str
    description: str = ""
    confidentiality_level_id: int | None = None
    integrity_level_id: int | None = None
    availability_level_id: int | None = None


LEVEL_FIELDS = {
    "confidentiality_level_id": Axis.CONFIDENTIALITY,
    "integrity_level_id": Axis.INTEGRITY,
    "availability_level_id": Axis.AVAILABILITY,
}


def _check_level(session: Session, item: InformationItem, name: str, level_id: int | None) -> None:
    if level_id is None or level_id == getattr(item, name):
        return  # keeping a level from an earlier scheme is allowed; choosing one is not
    level = session.get(ClassificationLevel, level_id)
    if level is None or level.axis != LEVEL_FIELDS[name] or not level.scheme.active:
        raise DomainError(_("現在の重要性分類にある区分から選んでください。"), field=name)


def _apply_item(session: Session, item: InformationItem, data: InformationData) -> InformationItem:
    name = tidy(data.name)
    if not name:
        raise DomainError(_("情報の名称を入力してください。"), field="name")
    for field_name in LEVEL_FIELDS:
        _check_level(session, item, field_name, getattr(data, field_name))
    item.name = name
    item.description = (data.description or "").strip()
    for field_name in LEVEL_FIELDS:
        setattr(item, field_name, getattr(data, field_name))
    session.add(item)
    session.flush()
    return item


def add_information_item(
    session: Session, engagement: Engagement, data: InformationData
) -> InformationItem:
    """Record an item of information the engagement handles."""
    ensure_not_archived(engagement)
    return _apply_item(session, InformationItem(engagement_id=engagement.id), data)


def update_information_item(
    session: Session, engagement: Engagement, item: InformationItem, data: InformationData
) -> InformationItem:
    """Change an information item's name, description or classification."""
    ensure_not_archived(engagement)
    return _apply_item(session, item, data)


def delete_information_item(
    session: Session, engagement: Engagement, item: InformationItem
) -> None:
    """Remove an information item (the audit trail keeps what it was)."""
    ensure_not_archived(engagement)
    session.delete(item)
    session.flush()
