"""What a home section's table shows, read as flat rows: the columns its macro prints, no entities.

A section's rows are five lines of a table. Read as ORM entities they cost more than their SQL:
the officer's pending reviews loaded a submission, its request, requirement, arrangement,
department and submitter (83 columns) to print four cells. Each function here keeps the section's
own statement (its joins, conditions and order, shared with the list it links to) and replaces
its columns with the few the table prints. Names of related rows are read by key in correlated
subqueries of their own aliases, so they never depend on what the section's statement joins.
"""

from __future__ import annotations

from sqlalchemy import Label, Select, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from vendorguard.arrangements.models import Arrangement
from vendorguard.assessments.models import Action
from vendorguard.contractors.models import Contractor
from vendorguard.engagements.models import Engagement
from vendorguard.evidence.models import EvidenceRequest, EvidenceRequirement, EvidenceSubmission
from vendorguard.org.models import Department
from vendorguard.questionnaires.models import QuestionnaireRequest


def _by_key(
    column: InstrumentedAttribute[str], key: InstrumentedAttribute[int], label: str
) -> Label[str]:
    """``column`` of the row whose id is ``key``, read in a correlated subquery of its own alias."""
    target = aliased(column.class_)
    return (
        select(getattr(target, column.key)).where(target.id == key).scalar_subquery().label(label)
    )


def _department_name(department_id: InstrumentedAttribute[int]) -> Label[str]:
    return _by_key(Department.name, department_id, "department_name")


def _arrangement_title(arrangement_id: InstrumentedAttribute[int]) -> Label[str]:
    return _by_key(Arrangement.title, arrangement_id, "arrangement_title")


def _arrangement_department_name(arrangement_id: InstrumentedAttribute[int]) -> Label[str]:
    arrangement, department = aliased(Arrangement), aliased(Department)
    return (
        select(department.name)
        .join(arrangement, arrangement.department_id == department.id)
        .where(arrangement.id == arrangement_id)
        .scalar_subquery()
        .label("department_name")
    )


def requests(stmt: Select) -> Select:
    """Evidence requests: requirement, status, arrangement, department, due date."""
    return stmt.with_only_columns(
        EvidenceRequest.id,
        EvidenceRequest.status,
        EvidenceRequest.due_on,
        _by_key(
            EvidenceRequirement.title, EvidenceRequest.evidence_requirement_id, "requirement_title"
        ),
        _arrangement_title(EvidenceRequest.arrangement_id),
        _arrangement_department_name(EvidenceRequest.arrangement_id),
    )


def submissions(stmt: Select) -> Select:
    """Submissions awaiting review: requirement, arrangement, department, when, version."""
    request, requirement = aliased(EvidenceRequest), aliased(EvidenceRequirement)
    arrangement, department = aliased(Arrangement), aliased(Department)
    of_this_submission = request.id == EvidenceSubmission.request_id
    return stmt.with_only_columns(
        EvidenceSubmission.id,
        EvidenceSubmission.request_id,
        EvidenceSubmission.submitted_at,
        EvidenceSubmission.version,
        select(requirement.title)
        .join(request, request.evidence_requirement_id == requirement.id)
        .where(of_this_submission)
        .scalar_subquery()
        .label("requirement_title"),
        select(arrangement.title)
        .join(request, request.arrangement_id == arrangement.id)
        .where(of_this_submission)
        .scalar_subquery()
        .label("arrangement_title"),
        select(department.name)
        .join(arrangement, arrangement.department_id == department.id)
        .join(request, request.arrangement_id == arrangement.id)
        .where(of_this_submission)
        .scalar_subquery()
        .label("department_name"),
    )


def arrangements(stmt: Select) -> Select:
    """Arrangements: title, kind, department, next review date."""
    return stmt.with_only_columns(
        Arrangement.id,
        Arrangement.title,
        Arrangement.kind,
        Arrangement.next_review_on,
        _department_name(Arrangement.department_id),
    )


def engagements(stmt: Select) -> Select:
    """Engagements: title, department, contractor, contract period."""
    return stmt.with_only_columns(
        Engagement.id,
        Engagement.title,
        Engagement.starts_on,
        Engagement.ends_on,
        _department_name(Engagement.department_id),
        _by_key(Contractor.name, Engagement.contractor_id, "contractor_name"),
    )


def self_checks(stmt: Select) -> Select:
    """Self-check requests: arrangement, department, due date."""
    return stmt.with_only_columns(
        QuestionnaireRequest.id,
        QuestionnaireRequest.due_on,
        _arrangement_title(QuestionnaireRequest.arrangement_id),
        _arrangement_department_name(QuestionnaireRequest.arrangement_id),
    )


def actions(stmt: Select) -> Select:
    """Corrective actions: finding, its assessment, arrangement, due date."""
    return stmt.with_only_columns(
        Action.id,
        Action.assessment_id,
        Action.finding,
        Action.due_on,
        _arrangement_title(Action.arrangement_id),
    )
