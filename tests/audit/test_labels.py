"""People read names, not codes, in the audit trail: every audited table has a name, and an
evidence request is labelled by its period in words."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from vendorguard.audit.labels import OBJECT_TYPE_LABELS
from vendorguard.audit.mixins import Audited
from vendorguard.audit.models import AuditEvent
from vendorguard.evidence.models import (
    Cadence,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
)
from vendorguard.extensions import db


def _audited_models(base=Audited):
    for subclass in base.__subclasses__():
        yield subclass
        yield from _audited_models(subclass)


def test_every_audited_table_has_a_name_for_people(app):
    tables = {
        model.__tablename__
        for model in _audited_models()
        if getattr(model, "__tablename__", None) and model.__module__.startswith("vendorguard.")
    }
    assert sorted(tables - OBJECT_TYPE_LABELS.keys()) == []


def test_an_evidence_request_is_labelled_by_its_period_in_words(make):
    engagement = make.engagement()
    requirement = EvidenceRequirement(
        arrangement_id=engagement.id,
        title="定期報告",
        cadence=Cadence.HALF_YEARLY,
        provider=EvidenceProvider.CONTRACTOR,
    )
    db.session.add(requirement)
    db.session.flush()
    request = EvidenceRequest(
        evidence_requirement_id=requirement.id,
        arrangement_id=engagement.id,
        occurrence="FY2026-H1",
        scheduled_due_on=date(2026, 10, 30),
        due_on=date(2026, 10, 30),
    )
    db.session.add(request)
    db.session.commit()
    labels = db.session.scalars(
        select(AuditEvent.object_label).where(
            AuditEvent.object_type == "evidence_request",
            AuditEvent.object_id == str(request.id),
        )
    ).all()
    assert labels == ["2026年度 上期"]
