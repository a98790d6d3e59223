"""The plain values a clause may insert, taken from one arrangement (never the objects themselves)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import force_locale

from vendorguard.arrangements.kinds import kind_of
from vendorguard.arrangements.models import Arrangement
from vendorguard.core.timeutil import wareki


def format_date(day: date | None, style: str = "wareki") -> str:
    """A contract date: 令和8年4月1日 (``wareki``) or 2026年4月1日 (``western``)."""
    if day is None:
        return ""
    if style == "wareki":
        return wareki(day)
    return f"{day.year}年{day.month}月{day.day}日"


def city_name() -> str:
    """The municipality's name as contracts print it (the city profile's)."""
    from vendorguard.city.services import city_name as profile_name

    return profile_name()


def _security_department() -> str:
    from vendorguard.city.services import current

    return current().security_department


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _items(text: str | None) -> list[str]:
    """Register text as numbered-item texts: one per line, a typed marker (「1.」「・」「（1）」) dropped."""
    marker = re.compile(r"^(?:[（(]?[0-9０-９]+[)）.．、]|[・･●○\-－])\s*")
    return [marker.sub("", line) for line in _lines(text) if marker.sub("", line)]


def placeholder_values(arrangement: Arrangement, date_style: str = "wareki") -> dict[str, Any]:
    """Every placeholder of the arrangement's kind, as str / list / dict only; labels in Japanese.

    Needs the relationships ``queries.arrangement_for_catalog`` loads.
    """
    # Contracts are Japanese documents whatever language the person generating them reads.
    with force_locale("ja"):
        values: dict[str, Any] = {
            "city_name": city_name(),
            "security_department": _security_department(),
            "department_name": arrangement.department.name if arrangement.department else "",
            "responsible_officer": arrangement.responsible_officer.name
            if arrangement.responsible_officer
            else "",
            "arrangement_title": arrangement.title or "",
        }
        own = kind_of(arrangement.kind).placeholder_values  # the kind's own placeholders
        if own is not None:
            values.update(own(arrangement, date_style))
    return values


def engagement_values(engagement, date_style: str) -> dict[str, Any]:
    """An engagement's own placeholders (its registration's ``placeholder_values``)."""
    items = []
    for item in engagement.information_items:
        level = item.confidentiality_level
        items.append(f"{item.name}（{level.label}）" if level is not None else item.name)
    subcontractors = [
        {
            "name": s.name,
            "scope": s.work_scope or "",
            "approved_by": s.approved_by or "",
            "approved_on": format_date(s.approved_on, date_style),
            "tier": str(s.tier),
        }
        for s in engagement.subcontractors
        if s.archived_at is None and s.is_approved
    ]
    return {
        "contract_title": engagement.title or "",
        "contract_number": engagement.contract_number or "",
        "contractor_name": engagement.contractor.name,
        "contractor_representative": engagement.contractor_representative or "",
        "period_start": format_date(engagement.starts_on, date_style),
        "period_end": format_date(engagement.ends_on, date_style),
        "work_locations": _lines(engagement.work_locations),
        "information_handled": items,
        "subcontractors": subcontractors,
        # A string, as every placeholder value is: "1" when the register allows subcontracting.
        "subcontracting_allowed": "1" if engagement.subcontracting_allowed else "",
        "reporting_cycle": engagement.reporting_cycle.label if engagement.reporting_cycle else "",
        "access_scope": engagement.access_scope or "",
        "access_method": engagement.access_method or "",
        "work_description": engagement.description or "",
    }


def cloud_values(service, date_style: str) -> dict[str, Any]:
    """A cloud service's own placeholders (its registration's ``placeholder_values``)."""
    provider = (
        service.provider_contractor.name
        if service.provider_contractor is not None
        else service.provider_name
    )
    return {
        "provider_name": provider or "",
        "service_name": service.title or "",
        "service_url": service.service_url or "",
        "purpose": service.purpose or "",
        "terms_type": service.terms_type.label if service.terms_type else "",
        "data_location": service.data_location or "",
        "governing_law": service.governing_law or "",
        "jurisdiction": service.jurisdiction or "",
        "ismap_registration": service.ismap_registration_number or "",
    }


def social_values(account, date_style: str) -> dict[str, Any]:
    """An SNS account's own placeholders (its registration's ``placeholder_values``)."""
    return {
        "platform": account.platform_label,
        "account_handle": account.handle or "",
        "account_url": account.account_url or "",
        "purpose": account.purpose or "",
        "posting_rules": account.posting_rules or "",
        "operating_procedure": account.operating_procedure or "",
        "operators": account.operator_list,
        "operating_steps": _items(account.operating_procedure),
        "posting_rule_items": _items(account.posting_rules),
        "official_list_url": account.official_list_url or "",
        "credential_custodian": account.credential_custodian or "",
        "recovery_contact": account.recovery_contact or "",
    }
