"""The facts each template's placeholders are filled with, read from the registers.

The texts here are printed in the document, not shown in the UI: they stay Japanese (the
contract's language) whatever language the person generating it reads, so no gettext.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask_babel import force_locale
from sqlalchemy.orm import Session

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import Arrangement, ArrangementKind
from vendorguard.auth.models import User
from vendorguard.city import services as city_services
from vendorguard.cloud.models import CloudService
from vendorguard.contractors.models import Contractor
from vendorguard.core.timeutil import TOKYO, today_tokyo
from vendorguard.documents.models import DocumentKind
from vendorguard.engagements.models import Engagement
from vendorguard.org.models import Department

if TYPE_CHECKING:  # social sits above documents (docs/architecture.md, "Layers")
    from vendorguard.social.models import SocialAccount

_Kind = TypeVar("_Kind", bound=Arrangement)

# Printed where a register field is still empty, so the gap is visible on paper.
UNSET = "（未設定）"
# Signature-block cells the register cannot fill: labelled, so nobody mistakes them for a gap.
SIGNATORY_BLANK = "（代表者の職・氏名を記入し、押印）"
ADDRESS_BLANK = "（所在地を記入）"


def _or_unset(value: Any) -> Any:
    return value if value not in (None, "", []) else UNSET


def _as_kind(arrangement: Arrangement, expected: type[_Kind], kind: DocumentKind) -> _Kind:
    """``arrangement`` as the subclass ``kind`` is written for (each document kind has one)."""
    if not isinstance(arrangement, expected):
        raise TypeError(f"{kind.value} is not generated for a {arrangement.kind} arrangement")
    return arrangement


def _social_account(arrangement: Arrangement, kind: DocumentKind) -> SocialAccount:
    """``arrangement`` as an SNS account, checked by its kind (social's model is not imported here)."""
    if arrangement.kind != ArrangementKind.SOCIAL_ACCOUNT:
        raise TypeError(f"{kind.value} is not generated for a {arrangement.kind} arrangement")
    return cast("SocialAccount", arrangement)


def _department_name(session: Session, arrangement: Arrangement) -> str:
    department = session.get(Department, arrangement.department_id)
    return department.name if department else ""


def facts_for(session: Session, arrangement: Arrangement, kind: DocumentKind) -> dict[str, Any]:
    """Placeholder values for ``kind``'s template (dates stay dates: the writer formats them)."""
    # Relationships are lazy="raise": related rows are fetched by id here, explicitly.
    city = city_services.load(session)
    facts: dict[str, Any] = {
        "document_title": kind.printed_title,
        "department_name": _department_name(session, arrangement),
        "city_name": city.name,
        "city_address": city.address or ADDRESS_BLANK,
        "city_representative": city.representative or SIGNATORY_BLANK,
        "contractor_signatory": SIGNATORY_BLANK,
    }
    if kind == DocumentKind.APPENDIX:
        facts.update(_appendix(session, _as_kind(arrangement, Engagement, kind)))
    elif kind == DocumentKind.CLOUD_USE_RECORD:
        with force_locale("ja"):  # labels printed in the record are the contract's language
            facts.update(_cloud_use_record(session, _as_kind(arrangement, CloudService, kind)))
    elif kind == DocumentKind.CLOUD_REQUIREMENTS:
        facts.update(_cloud_requirements(session, _as_kind(arrangement, CloudService, kind)))
    else:
        facts.update(_sns_procedure(session, _social_account(arrangement, kind)))
    return facts


def _appendix(session: Session, engagement: Engagement) -> dict[str, Any]:
    """The contract appendix: the engagement's contract and its contractor."""
    contractor = session.get_one(Contractor, engagement.contractor_id)
    return {
        "contract_title": engagement.title,
        "contract_number": engagement.contract_number or UNSET,
        "contractor_name": contractor.name,
        "contractor_address": contractor.address or ADDRESS_BLANK,
        "starts_on": engagement.starts_on,
        "ends_on": engagement.ends_on,
    }


def _cloud_requirements(session: Session, service: CloudService) -> dict[str, Any]:
    """What the provider of a cloud service signs."""
    contractor = (
        session.get(Contractor, service.provider_contractor_id)
        if service.provider_contractor_id
        else None
    )
    ismap = (
        f"{service.ismap_kind.label} 登録番号 {service.ismap_registration_number}"
        if service.ismap_registration_number and service.ismap_kind
        else service.ismap_registration_number or "登録なし"
    )
    return {
        "contract_title": service.title,
        "service_name": service.title,
        "contractor_name": (contractor.name if contractor else service.provider_name) or UNSET,
        "contractor_address": (contractor.address if contractor else "") or ADDRESS_BLANK,
        "purpose": _or_unset(service.purpose),
        "confidentiality_text": (
            "機密性2以上の情報を取り扱う"
            if service.handles_high_confidentiality
            else "機密性2以上の情報は取り扱わない"
        ),
        # What the provider signs: where the register is silent, the same defaults the
        # article on data location and governing law states (CLP-02), never a gap.
        "data_location": service.data_location or "日本国内",
        "governing_law": service.governing_law or "日本法",
        "jurisdiction": service.jurisdiction or "発注者の所在地を管轄する地方裁判所",
        "ismap_text": ismap,
    }


def _sns_procedure(session: Session, account: SocialAccount) -> dict[str, Any]:
    """The operating procedure of one official SNS account."""
    responsible = (
        session.get(User, account.responsible_officer_id)
        if account.responsible_officer_id
        else None
    )
    return {
        "account_title": account.title,
        "platform": account.platform_label,
        "handle": account.handle,
        "account_url": _or_unset(account.account_url),
        "responsible_name": responsible.name if responsible else UNSET,
        "operators": account.operator_list or UNSET,
        "purpose": _or_unset(account.purpose),
        "posting_rules": _or_unset(account.posting_rules),
        "operating_procedure": _or_unset(account.operating_procedure),
        "official_list_url": _or_unset(account.official_list_url),
        "credential_custodian": _or_unset(account.credential_custodian),
        "mfa_text": "有効" if account.mfa_enabled else "未設定（直ちに設定すること）",
        "recovery_contact": _or_unset(account.recovery_contact),
        "verified_text": (
            "認証バッジを取得している。"
            if account.verified_badge
            else "サービスが認証バッジを提供する場合は、これを取得する。"
        ),
        "verified_label": "取得済み"
        if account.verified_badge
        else "未取得（サービスが提供する場合は取得する）",
        "issued_on": today_tokyo(),
    }


def _cloud_use_record(session: Session, service: CloudService) -> dict[str, Any]:
    """The city's record of one cloud service: who manages it, what for, and its approval."""
    manager = (
        session.get(User, service.responsible_officer_id)
        if service.responsible_officer_id
        else None
    )
    approver = session.get(User, service.approved_by_id) if service.approved_by_id else None
    approved = service.approval_state == ApprovalState.APPROVED
    provider = (
        session.get(Contractor, service.provider_contractor_id)
        if service.provider_contractor_id
        else None
    )
    return {
        "service_name": service.title,
        "contractor_name": (provider.name if provider else service.provider_name) or UNSET,
        "terms_text": service.terms_type.label if service.terms_type else UNSET,
        "manager_name": manager.name if manager else UNSET,
        "purpose": _or_unset(service.purpose),
        "confidentiality_text": (
            "機密性2以上の情報を取り扱う"
            if service.handles_high_confidentiality
            else "機密性2以上の情報は取り扱わない"
        ),
        "data_location": _or_unset(service.data_location),
        "ismap_text": service.ismap_registration_number or "登録なし",
        "approval_text": str(ApprovalState(service.approval_state).label),
        "approver_name": approver.name if approved and approver else "（承認者の職・氏名を記入）",
        "approved_on": (
            service.approved_at.astimezone(TOKYO).date()
            if approved and service.approved_at
            else "（承認日を記入）"
        ),
        "approval_valid_until": service.approval_valid_until or "（定めなし）",
    }
