"""Helpers shared by the engagement tests."""

from __future__ import annotations

from sqlalchemy import select

from vendorguard.audit.models import AuditEvent
from vendorguard.extensions import db


def engagement_form(department, contractor, **changes) -> dict[str, str]:
    """A valid engagement form post; ``name=None`` leaves a field out (an unchecked box)."""
    data = {
        "title": "住民基本台帳システム運用保守業務",
        "contract_number": "R8-0001",
        "department_id": str(department.id),
        "contractor_id": str(contractor.id),
        "starts_on": "2026-04-01",
        "ends_on": "2027-03-31",
        "state": "active",
        "reporting_cycle": "monthly",
        "contractor_representative": "保守課長 但馬一郎",
        "work_locations": "豊岡市役所本庁舎\n受託者の開発拠点",
    }
    data.update({key: value for key, value in changes.items() if value is not None})
    for key in [key for key, value in changes.items() if value is None]:
        data.pop(key, None)
    return data


def audit_actions(object_type: str, object_id: int) -> list[str]:
    """The audit trail's actions for one object, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
            .order_by(AuditEvent.seq)
        )
    )
