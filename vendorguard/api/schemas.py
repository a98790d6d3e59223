"""What the API sends: one marshmallow schema per resource (the OpenAPI document is built from them)."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementState
from vendorguard.catalog.models import RequirementKind
from vendorguard.cloud.models import TermsType
from vendorguard.documents.models import DocumentKind
from vendorguard.engagements.models import ReportingCycle
from vendorguard.evidence.models import RequestStatus, ReviewDecision
from vendorguard.reminders import messages as reminder_messages
from vendorguard.social.models import Platform


class _Archived(Schema):
    archived = fields.Method("_archived", metadata={"type": "boolean"})

    def _archived(self, obj) -> bool:
        return obj.archived_at is not None


class DepartmentSchema(_Archived):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_kana = fields.String()
    parent_name = fields.String()
    email = fields.String()
    phone = fields.String()


class ContractorSchema(_Archived):
    id = fields.Integer()
    name = fields.String()
    name_kana = fields.String()
    corporate_number = fields.String(allow_none=True, metadata={"description": "法人番号"})
    address = fields.String()
    contact_name = fields.String()
    contact_email = fields.String()
    contact_phone = fields.String()
    updated_at = fields.DateTime()


class _Arrangement(_Archived):
    id = fields.Integer()
    title = fields.String()
    department_id = fields.Integer()
    responsible_officer_id = fields.Integer(allow_none=True)
    state = fields.Enum(ArrangementState, by_value=True)
    next_review_on = fields.Date(allow_none=True)
    updated_at = fields.DateTime()


class EngagementSchema(_Arrangement):
    contract_number = fields.String(allow_none=True, metadata={"description": "契約番号"})
    contractor_id = fields.Integer()
    contractor_representative = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    work_locations = fields.String()
    description = fields.String()
    handles_personal_info = fields.Boolean()
    handles_my_number = fields.Boolean()
    segment_my_number = fields.Boolean()
    segment_lgwan = fields.Boolean()
    segment_internet = fields.Boolean()
    access_scope = fields.String()
    access_method = fields.String()
    subcontracting_allowed = fields.Boolean()
    reporting_cycle = fields.Enum(ReportingCycle, by_value=True)


class CloudServiceSchema(_Arrangement):
    provider_contractor_id = fields.Integer(allow_none=True)
    provider_name = fields.String()
    service_url = fields.String()
    purpose = fields.String()
    handles_high_confidentiality = fields.Boolean()
    terms_type = fields.Enum(TermsType, by_value=True)
    data_location = fields.String()
    ismap_registration_number = fields.String(allow_none=True)
    approval_state = fields.Enum(ApprovalState, by_value=True)
    approval_valid_until = fields.Date(allow_none=True)


class SocialAccountSchema(_Arrangement):
    platform = fields.Enum(Platform, by_value=True)
    handle = fields.String()
    account_url = fields.String()
    purpose = fields.String()
    mfa_enabled = fields.Boolean(allow_none=True)
    verified_badge = fields.Boolean()
    approval_state = fields.Enum(ApprovalState, by_value=True)
    approval_valid_until = fields.Date(allow_none=True)


class EvidenceRequestSchema(Schema):
    id = fields.Integer()
    arrangement_id = fields.Integer()
    arrangement_title = fields.Function(lambda r: r.arrangement.title)
    requirement_title = fields.Function(lambda r: r.evidence_requirement.title)
    occurrence = fields.String()
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)
    due_on = fields.Date()
    status = fields.Enum(RequestStatus, by_value=True)
    version = fields.Integer(metadata={"description": "optimistic lock: changes with every update"})
    updated_at = fields.DateTime()


class EvidenceFileSchema(Schema):
    id = fields.Integer()
    filename = fields.String(attribute="original_filename")
    size = fields.Integer()
    sha256 = fields.String()


class SubmissionSchema(Schema):
    id = fields.Integer()
    request_id = fields.Integer()
    version = fields.Integer()
    comment = fields.String()
    submitted_via = fields.String()
    submitted_at = fields.DateTime()
    decision = fields.Enum(ReviewDecision, by_value=True)
    files = fields.List(fields.Nested(EvidenceFileSchema))


class RequirementSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    title_ja = fields.String()
    title_en = fields.String()
    explanation = fields.String()
    source = fields.String()
    kind = fields.Enum(RequirementKind, by_value=True)
    applies_to = fields.String()
    active = fields.Boolean()
    clause_count = fields.Integer(metadata={"description": "approved clauses covering it"})


class DocumentSchema(Schema):
    id = fields.Integer()
    arrangement_id = fields.Integer()
    kind = fields.Enum(DocumentKind, by_value=True)
    version = fields.Integer()
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    created_at = fields.DateTime()
    download_url = fields.Function(
        lambda d: url_for("api.document_content", doc_id=d.id, _external=True)
    )


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    subject = fields.Function(lambda n: reminder_messages.build(n.kind, n.data or {}).subject)
    arrangement_id = fields.Integer(allow_none=True)
    target_on = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class MeSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()
    role = fields.String()
    department_id = fields.Integer(allow_none=True)
    contractor_id = fields.Integer(allow_none=True)
    token_scope = fields.String()
    token_expires_at = fields.DateTime()
