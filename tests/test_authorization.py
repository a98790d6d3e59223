"""Walks every route of the URL map for every role and checks it gets exactly what DESIGN.md grants.

The expectations below are written from DESIGN.md's role table, not read from
vendorguard/auth/roles.py, so a wrong entry there fails here. A new route without an entry in
EXPECTED fails the test too: every page needs a decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from werkzeug.routing import Rule

from tests.api.walk_table import API_ENDPOINTS
from tests.walk import Browser, changed_tables, database_state, methods_of
from vendorguard.auth.roles import Role

A, P, O, S, U, C = "admin", "procurement", "officer", "sns_owner", "auditor", "contractor"
ROLES = (A, P, O, S, U, C)
INTERNAL = {A, P, O, S, U}
EVERYONE = set(ROLES)
REGISTER_READERS = {A, P, O, U}  # contractors, engagements, cloud services
SOCIAL_READERS = {A, O, S, U}
PUBLIC = "public"
# The REST API answers bearer tokens only: a signed-in browser's cookie gets 401 on every route.
# What each role's token may do there is tests/api/test_api_walk.py's table.
BEARER = "bearer"
TOKEN = (
    "token"  # reachable without login, but only with a genuine secret token (a forged one: 404/410)
)


@dataclass(frozen=True)
class Access:
    """Who may use a route. ``own_only`` roles may use it only on their own department's record."""

    allowed: frozenset | str
    own_only: frozenset = field(default_factory=frozenset)


def grant(roles, own_only=()) -> Access:
    return Access(frozenset(roles), frozenset(own_only))


READ_REGISTERS = grant(REGISTER_READERS)
ADMIN_ONLY = grant({A})
ENGAGEMENT_CHANGE = grant({A, P, O}, own_only={O})
CLOUD_CHANGE = grant({A, O}, own_only={O})
SOCIAL_CHANGE = grant({A, O, S}, own_only={O, S})

EXPECTED: dict[str, Access] = {
    "static": Access(PUBLIC),
    "auth.login": Access(PUBLIC),
    "auth.language": Access(PUBLIC),
    "auth.logout": grant(EVERYONE),
    "auth.change_password": grant(EVERYONE),
    # The second sign-in step needs a password step first (none: back to the login page).
    "mfa.verify": Access(PUBLIC),
    "mfa.index": grant(EVERYONE),
    "mfa.enrol": grant(EVERYONE),
    "mfa.enrol_start": grant(EVERYONE),
    "mfa.recovery_codes": grant(EVERYONE),
    "mfa.disable": grant(EVERYONE),
    "mfa.reauth": grant(EVERYONE),
    "mfa.admin_reset": ADMIN_ONLY,
    "dashboard.index": grant(INTERNAL),
    # the yearly oversight report: every department's figures, for the security office and the auditor
    **{f"oversight.{name}": grant({A, U}) for name in ("index", "report_docx", "report_xlsx")},
    # departments: everyone inside reads; the security office maintains them
    "org.departments": grant(INTERNAL),
    "org.department_detail": grant(INTERNAL),
    "org.department_new": ADMIN_ONLY,
    "org.department_edit": ADMIN_ONLY,
    "org.department_archive": ADMIN_ONLY,
    "org.department_restore": ADMIN_ONLY,
    # users and classification: admin
    "org.users": ADMIN_ONLY,
    "org.user_detail": ADMIN_ONLY,
    "org.user_new": ADMIN_ONLY,
    "org.user_edit": ADMIN_ONLY,
    "org.user_password": ADMIN_ONLY,
    "org.user_archive": ADMIN_ONLY,
    "org.user_sign_out": ADMIN_ONLY,
    "org.user_restore": ADMIN_ONLY,
    "classification.index": ADMIN_ONLY,
    "classification.activate": ADMIN_ONLY,
    "classification.level_edit": ADMIN_ONLY,
    "classification.seed": ADMIN_ONLY,
    # audit log: admin and auditor (verifying changes nothing)
    "audit.index": grant({A, U}),
    "audit.detail": grant({A, U}),
    "audit.export": grant({A, U}),
    "audit.export_xlsx": grant({A, U}),
    "audit.verify": grant({A, U}),
    # contractors: procurement registers them
    "contractors.index": READ_REGISTERS,
    "contractors.detail": READ_REGISTERS,
    **{
        f"contractors.{name}": grant({A, P})
        for name in (
            "new",
            "edit",
            "archive",
            "restore",
            "certification_new",
            "certification_edit",
            "certification_archive",
            "certification_restore",
        )
    },
    # engagements: procurement and admin for every department, officers for their own
    "engagements.index": READ_REGISTERS,
    "engagements.contractor_options": READ_REGISTERS,
    "engagements.detail": READ_REGISTERS,
    "engagements.new": grant({A, P, O}),
    **{
        f"engagements.{name}": ENGAGEMENT_CHANGE
        for name in (
            "edit",
            "archive",
            "restore",
            "information_new",
            "information_edit",
            "information_delete",
            "subcontractor_new",
            "subcontractor_edit",
            "subcontractor_approve",
            "subcontractor_archive",
            "subcontractor_restore",
            "subcontractor_reject",
        )
    },
    "engagements.chain_svg": READ_REGISTERS,
    # staff roster and exit (issue 11): the register's readers read; officers change their own
    **{
        f"supervision.{name}": READ_REGISTERS
        for name in ("roster", "roster_export", "pledge_download", "leavers", "exit_checklist")
    },
    **{
        f"supervision.{name}": ENGAGEMENT_CHANGE
        for name in ("exit_open", "exit_item", "exit_item_waive", "exit_close")
    },
    # the contractor keeps the roster and proposes subcontractors in the portal (own engagements only)
    **{
        f"supervision.portal.{name}": grant({C}, own_only={C})
        for name in ("engagement", "staff_new", "staff_edit", "training_add", "propose")
    },
    "supervision.portal.engagements": grant({C}),
    # cloud services: officers of the owning department; the security office approves
    "cloud.index": READ_REGISTERS,
    "cloud.detail": READ_REGISTERS,
    "cloud.new": grant({A, O}),
    **{f"cloud.{name}": CLOUD_CHANGE for name in ("edit", "archive", "restore", "apply")},
    "cloud.approve": ADMIN_ONLY,
    "cloud.reject": ADMIN_ONLY,
    # social-media accounts: SNS owners and officers of the department; the security office approves
    "social.index": grant(SOCIAL_READERS),
    "social.detail": grant(SOCIAL_READERS),
    "social.new": grant({A, O, S}),
    **{f"social.{name}": SOCIAL_CHANGE for name in ("edit", "archive", "restore", "apply")},
    "social.approve": ADMIN_ONLY,
    "social.reject": ADMIN_ONLY,
    # ISMAP list: read by those who read cloud services; imported and linked by the security office
    "ismap.index": READ_REGISTERS,
    "ismap.imports": READ_REGISTERS,
    "ismap.import_detail": READ_REGISTERS,
    "ismap.registration_detail": READ_REGISTERS,
    "ismap.import_list": ADMIN_ONLY,
    "ismap.fetch": ADMIN_ONLY,
    "ismap.import_mapped": ADMIN_ONLY,
    "city.profile": ADMIN_ONLY,  # the city profile every output prints
    # single sign-on: the way to the provider and back is public; its settings are the admin's
    "sso.login": Access(PUBLIC),
    "sso.callback": Access(PUBLIC),
    **{
        f"sso.admin.{name}": ADMIN_ONLY
        for name in ("providers", "provider_new", "provider_edit", "mapping_new", "mapping_delete")
    },
    # risk tiers: everyone inside reads the rules; the security office edits them and overrides a
    # tier; those who change an engagement record its cloud use; register readers see concentration
    "tiers.rules": grant(INTERNAL),
    **{
        f"tiers.{name}": ADMIN_ONLY
        for name in ("adopt", "rule_new", "rule_edit", "policy", "override")
    },
    "tiers.cloud_use": ENGAGEMENT_CHANGE,
    "tiers.concentration": READ_REGISTERS,
    "ismap.service_match": ADMIN_ONLY,
    "ismap.service_link": ADMIN_ONLY,
    # requirement catalog and clause library: read inside, kept by the security office
    **{
        f"catalog.{name}": grant(INTERNAL)
        for name in ("requirements", "requirement_detail", "clauses", "clause_detail")
    },
    **{
        f"catalog.{name}": ADMIN_ONLY
        for name in (
            "requirement_new",
            "requirement_edit",
            "clause_new",
            "clause_edit",
            "clause_archive",
            "clause_restore",
            "clause_preview",
            "version_approve",
            "waiver_new",
            "waiver_withdraw",
        )
    },
    "catalog.coverage": READ_REGISTERS,  # the URLs use an engagement
    # generated contract documents follow the engagement they belong to
    "documents.versions": READ_REGISTERS,
    "documents.download": READ_REGISTERS,
    "documents.diff": READ_REGISTERS,
    "documents.generate": ENGAGEMENT_CHANGE,
    "documents.bulk_new": grant({A, P, O}),
    **{
        f"documents.{name}": ENGAGEMENT_CHANGE
        for name in ("bulk_status", "bulk_progress", "bulk_download")
    },
    # cloud use applications
    "cloud.withdraw": CLOUD_CHANGE,
    "cloud.applications": READ_REGISTERS,
    # SNS attestations, incidents and procedure files follow the account's department
    **{
        f"social.{name}": grant(SOCIAL_READERS)
        for name in ("attestations", "incidents", "incident_detail", "procedure_download")
    },
    **{
        f"social.{name}": SOCIAL_CHANGE
        for name in (
            "attestation_new",
            "incident_new",
            "incident_step",
            "incident_close",
            "procedure_upload",
            "procedure_archive",
        )
    },
    # the public list of official accounts: no login at all
    "public.official_accounts": Access(PUBLIC),
    "public.official_accounts_json": Access(PUBLIC),
    # assessments and actions follow the arrangement (an engagement in these URLs)
    "assessments.history": READ_REGISTERS,
    "assessments.detail": READ_REGISTERS,
    "assessments.actions": grant(INTERNAL),
    **{
        f"assessments.{name}": ENGAGEMENT_CHANGE
        for name in (
            "record",
            "archive",
            "restore",
            "action_new",
            "action_edit",
            "action_close",
            "action_reopen",
        )
    },
    # evidence: read with the arrangement, changed by its department (and the whole-city roles)
    "evidence.requests": grant(INTERNAL),
    **{
        f"evidence.{name}": READ_REGISTERS for name in ("arrangement", "request_detail", "download")
    },
    **{
        f"evidence.{name}": ENGAGEMENT_CHANGE
        for name in (
            "generate",
            "requirement_new",
            "requirement_edit",
            "requirement_archive",
            "requirement_restore",
            "request_new",
            "upload",
            "review",
            "request_close",
        )
    },
    # the contractor portal: contractor users only, and only their own company's requests
    **{
        f"portal.{name}": grant({C}, own_only={C})
        for name in ("index", "request_detail", "submit", "download")
    },
    "portal.accept_invitation": Access(TOKEN),
    "portal.upload_link": Access(TOKEN),
    "portal.upload_link_submit": Access(TOKEN),
    **{
        f"portal.admin.{name}": grant({A, P})
        for name in ("contractor_users", "reinvite", "user_archive", "user_restore")
    },
    "portal.admin.links": READ_REGISTERS,
    "portal.admin.link_new": ENGAGEMENT_CHANGE,
    "portal.admin.link_revoke": ENGAGEMENT_CHANGE,
    "reminders.remind_now": ENGAGEMENT_CHANGE,  # 督促: whoever may change the engagement
    # reminders: everyone inside has notifications and a calendar feed; the outbox is the security office's
    **{
        f"reminders.{name}": grant(INTERNAL)
        for name in ("notifications", "mark_read", "settings", "feed_issue", "feed_revoke")
    },
    **{
        f"reminders.{name}": ADMIN_ONLY
        for name in (
            "admin_upcoming",
            "admin_sent",
            "admin_failed",
            "admin_retry",
            "admin_retry_all",
            "admin_settings",
            "admin_recompute",
        )
    },
    "reminders.calendar.feed": Access(TOKEN),
    # inspections (実地検査) follow the engagement: read with it, changed by its department (and
    # the whole-city roles); the contractor sees none of it (the fence), the auditor changes nothing
    **{
        f"inspections.{name}": READ_REGISTERS
        for name in ("index", "detail", "photo", "report_docx")
    },
    "inspections.plan": grant({A, P, O}),  # limited to the departments the user may change
    **{
        f"inspections.{name}": ENGAGEMENT_CHANGE
        for name in ("plan_engagement", "record", "complete", "photo_upload", "photo_delete")
    },
    # self-check questionnaires: read with the arrangement, sent and reviewed by its department
    "questionnaires.index": grant(INTERNAL),
    "questionnaires.bulk": grant({A, P, O}),
    "questionnaires.detail": READ_REGISTERS,
    "questionnaires.download": READ_REGISTERS,
    **{
        f"questionnaires.{name}": ENGAGEMENT_CHANGE
        for name in (
            "send",
            "accept",
            "finding",
            "close_action",
            "return_",
            "close",
            "cancel",
            "link",
        )
    },
    "questionnaires.templates": grant(INTERNAL),
    "questionnaires.version": grant(INTERNAL),
    **{
        f"questionnaires.{name}": ADMIN_ONLY
        for name in (
            "template_new",
            "template_draft",
            "version_edit",
            "version_approve",
            "section_new",
            "question_edit",
            "question_delete",
        )
    },
    **{
        f"questionnaires.portal.{name}": grant({C}, own_only={C})
        for name in (
            "detail",
            "save",
            "upload",
            "respond",
            "file_delete",
            "download",
            "workbook",
            "workbook_upload",
        )
    },
    "questionnaires.portal.index": grant({C}),
    **{
        f"questionnaires.portal.link_{name}": Access(TOKEN)
        for name in (
            "detail",
            "save",
            "upload",
            "respond",
            "file_delete",
            "download",
            "workbook",
            "workbook_upload",
        )
    },
    # personal API tokens: everyone who signs in manages their own (contractors submit evidence with one)
    "apitokens.index": grant(EVERYONE),
    "apitokens.create": grant(EVERYONE),
    "apitokens.revoke": grant(EVERYONE),
    # the API's OpenAPI document and its Swagger UI describe the API; they hold no data
    "api-docs.openapi_json": Access(PUBLIC),
    "api-docs.openapi_swagger_ui": Access(PUBLIC),
    **{endpoint: Access(BEARER) for endpoint in API_ENDPOINTS},
    # register imports: whoever may change the register (walked on the engagement register; an
    # officer's rows outside their department are refused row by row, tests/imports)
    "imports.index": grant({A, P, O, S}),
    **{
        f"imports.{name}": grant({A, P, O})
        for name in ("upload", "template_download", "mapping", "preview", "apply", "discard")
    },
}

# Where a URL argument means something else on some routes, the world key to use instead.
ARGUMENT_KEYS: dict[str, dict[str, str]] = {
    "social.procedure_download": {"file_id": "procedure_file_id"},
    "social.procedure_archive": {"file_id": "procedure_file_id"},
    "portal.admin.reinvite": {"user_id": "contractor_user_id"},
    "portal.admin.user_archive": {"user_id": "contractor_user_id"},
    "portal.admin.user_restore": {"user_id": "contractor_user_id"},
    **{
        rule: {
            "request_id": "questionnaire_request_id",
            "file_id": "questionnaire_file_id",
            "version_id": "questionnaire_version_id",
        }
        for rule in (
            "questionnaires.detail",
            "questionnaires.download",
            "questionnaires.accept",
            "questionnaires.finding",
            "questionnaires.close_action",
            "questionnaires.return_",
            "questionnaires.close",
            "questionnaires.cancel",
            "questionnaires.link",
            "questionnaires.version",
            "questionnaires.version_edit",
            "questionnaires.version_approve",
            "questionnaires.section_new",
            "questionnaires.question_edit",
            "questionnaires.question_delete",
            *(
                f"questionnaires.portal.{prefix}{name}"
                for prefix in ("", "link_")
                for name in (
                    "detail",
                    "save",
                    "upload",
                    "respond",
                    "file_delete",
                    "download",
                    "workbook",
                    "workbook_upload",
                )
            ),
        )
    },
}


@dataclass
class World:
    """Records in the officer's own department and in another one, and ids to put into URLs."""

    own: dict[str, int]
    other: dict[str, int]


def build_world(make) -> World:
    from sqlalchemy import select

    from vendorguard.approvals.models import ApprovalState
    from vendorguard.audit.models import AuditEvent
    from vendorguard.engagements.models import InformationItem
    from vendorguard.extensions import db

    scheme = make.schemes()
    level = scheme.levels[0]
    own_dept, other_dept = make.department(name="自課"), make.department(name="他課")
    ids: dict[str, dict[str, int]] = {"own": {}, "other": {}}
    for side, dept in (("own", own_dept), ("other", other_dept)):
        contractor = make.contractor()
        certification = make.certification(contractor, valid_until=date(2030, 1, 1))
        engagement = make.engagement(
            department=dept, contractor=contractor, subcontracting_allowed=True
        )
        sub = make.subcontractor(engagement)
        item = InformationItem(
            engagement_id=engagement.id, name="住民情報", confidentiality_level_id=level.id
        )
        db.session.add(item)
        db.session.commit()
        cloud = make.cloud_service(department=dept)
        social = make.social_account(department=dept, approval_state=ApprovalState.APPROVED)
        victim = make.user(Role.AUDITOR)
        ids[side] = {
            "department_id": dept.id,
            "contractor_id": contractor.id,
            "certification_id": certification.id,
            "engagement_id": engagement.id,
            "sub_id": sub.id,
            "item_id": item.id,
            "service_id": cloud.id,
            "account_id": social.id,
            "user_id": victim.id,
            "scheme_id": scheme.id,
            "level_id": level.id,
            "arrangement_id": engagement.id,
        }
    event_id = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).first()
    for side in ids.values():
        side["event_id"] = event_id
        side["filename"] = "css/app.css"
        side["token_id"] = 1  # nobody's token here: revoking it is refused, and changes nothing
        side["register_key"] = "engagements"  # type: ignore[assignment]
    ids["own"].update(_optional_ids(make, own_dept, ids["own"]["engagement_id"]))
    ids["other"].update(_optional_ids(make, other_dept, ids["other"]["engagement_id"]))
    return World(ids["own"], ids["other"]), own_dept


def _optional_ids(make, dept, engagement_id: int) -> dict[str, int]:
    """Ids for features that add their own records (ISMAP list, catalog, documents)."""
    from flask import current_app
    from sqlalchemy import select

    from vendorguard.catalog.models import ClauseVersion, Requirement, Waiver
    from vendorguard.catalog.services import ensure_catalog
    from vendorguard.core.timeutil import utcnow
    from vendorguard.documents.services import generate_appendix
    from vendorguard.engagements.models import Engagement
    from vendorguard.extensions import db
    from vendorguard.ismap.models import IsmapImport, IsmapKind, IsmapRegistration
    from vendorguard.storage.factory import get_storage

    run = IsmapImport(
        list_kind=IsmapKind.ISMAP,
        source="test.csv",
        sha256="0" * 64,
        started_at=utcnow(),
        status="ok",
    )
    db.session.add(run)
    db.session.flush()
    registration = IsmapRegistration(
        registration_number=f"C{run.id:05d}",
        list_kind=IsmapKind.ISMAP,
        service_name="テストクラウド",
        provider_name="テスト事業者",
    )
    db.session.add(registration)
    ensure_catalog(db.session)
    db.session.commit()
    requirement = db.session.scalars(select(Requirement).order_by(Requirement.id)).first()
    version = db.session.scalars(select(ClauseVersion).order_by(ClauseVersion.id)).first()
    waiver = Waiver(arrangement_id=engagement_id, requirement_id=requirement.id, reason="テスト")
    db.session.add(waiver)
    engagement = db.session.get(Engagement, engagement_id)
    document = generate_appendix(db.session, get_storage(current_app), engagement, None)
    db.session.commit()
    ids = {
        "import_id": run.id,
        "registration_id": registration.id,
        "requirement_id": requirement.id,
        "clause_id": version.clause_id,
        "version_id": version.id,
        "waiver_id": waiver.id,
        "doc_id": document.id,
    }
    ids.update(_evidence_ids(make, dept, engagement))
    ids.update(_inspection_ids(engagement))
    ids.update(_questionnaire_ids(engagement))
    ids.update(_supervision_ids(engagement))
    from vendorguard.tiers.rule_services import adopt_defaults

    ids["tier_rule_id"] = adopt_defaults(db.session)[0].id
    db.session.commit()
    from vendorguard.documents.models import BulkJob

    job = BulkJob(
        department_id=dept.id, filter={}, arrangement_ids=[engagement_id], total=1, filename="x.zip"
    )
    db.session.add(job)
    db.session.commit()
    ids["job_id"] = job.id
    ids.update(_sso_ids(dept))
    return ids


def _sso_ids(dept) -> dict[str, int]:
    """A switched-off OpenID provider (its sign-in route answers without asking anyone) and a
    mapping row on each side."""
    from vendorguard.extensions import db
    from vendorguard.sso.models import SsoProvider, SsoRoleMapping

    provider = SsoProvider(
        name=f"IdP {dept.id}",
        discovery_url="https://idp.invalid/.well-known/openid-configuration",
        client_id="walk",
        client_secret="walk-secret",
        enabled=False,
    )
    db.session.add(provider)
    db.session.flush()
    mapping = SsoRoleMapping(
        provider_id=provider.id,
        claim="groups",
        value="walk",
        role=Role.OFFICER,
        department_id=dept.id,
    )
    db.session.add(mapping)
    db.session.commit()
    return {"provider_id": provider.id, "mapping_id": mapping.id}


def _supervision_ids(engagement) -> dict[str, int]:
    """A staff member with a pledge and an opened exit checklist on one side."""
    from vendorguard.arrangements.models import ArrangementState
    from vendorguard.auth.models import User
    from vendorguard.core.timeutil import today_tokyo
    from vendorguard.extensions import db
    from vendorguard.supervision import exits
    from vendorguard.supervision.models import ExitItem, StaffMember

    key, digest, size = _stored(b"%PDF-1.4 pledge " + str(engagement.id).encode())
    staff = StaffMember(
        engagement_id=engagement.id,
        name="従事者",
        starts_on=date(2026, 4, 1),
        pledge_filename="誓約書.pdf",
        pledge_storage_key=key,
        pledge_sha256=digest,
        pledge_size=size,
    )
    db.session.add(staff)
    engagement.state = ArrangementState.ENDED
    opener = db.session.scalars(db.select(User).order_by(User.id)).first()
    checklist = exits.open_exit(db.session, engagement, opener, today_tokyo(), sns_work=False)
    db.session.commit()
    item_id = db.session.scalars(
        db.select(ExitItem.id).where(ExitItem.checklist_id == checklist.id).order_by(ExitItem.id)
    ).first()
    return {"staff_id": staff.id, "exit_item_id": item_id}


def _stored(content: bytes) -> tuple[str, str, int]:
    import hashlib
    import io

    from flask import current_app

    from vendorguard.storage.factory import get_storage

    key = f"test/{hashlib.sha256(content).hexdigest()[:16]}-{id(content)}"
    get_storage(current_app).put(key, io.BytesIO(content))
    return key, hashlib.sha256(content).hexdigest(), len(content)


def _evidence_ids(make, dept, engagement) -> dict[str, int]:
    """Evidence, an assessment with an action, SNS records and portal records on one side."""
    from datetime import timedelta

    from sqlalchemy import select

    from vendorguard.assessments.models import (
        Action,
        Assessment,
        AssessmentMethod,
        AssessmentResult,
    )
    from vendorguard.core.timeutil import today_tokyo, utcnow
    from vendorguard.evidence.models import (
        Cadence,
        EvidenceFile,
        EvidenceProvider,
        EvidenceRequest,
        EvidenceRequirement,
        EvidenceSubmission,
        UploadLink,
    )
    from vendorguard.extensions import db
    from vendorguard.social.models import (
        IncidentKind,
        SocialAccount,
        SocialIncident,
        SocialProcedureFile,
    )

    today = today_tokyo()
    requirement = EvidenceRequirement(
        arrangement_id=engagement.id,
        title="年次報告",
        cadence=Cadence.AD_HOC,
        provider=EvidenceProvider.CONTRACTOR,
    )
    db.session.add(requirement)
    db.session.flush()
    request = EvidenceRequest(
        evidence_requirement_id=requirement.id,
        arrangement_id=engagement.id,
        occurrence="adhoc-1",
        scheduled_due_on=today,
        due_on=today,
    )
    db.session.add(request)
    db.session.flush()
    submission = EvidenceSubmission(request_id=request.id, version=1, submitted_via="portal")
    db.session.add(submission)
    db.session.flush()
    key, digest, size = _stored(b"%PDF-1.4 walk " + str(request.id).encode())
    evidence_file = EvidenceFile(
        submission_id=submission.id,
        original_filename="報告.pdf",
        storage_key=key,
        sha256=digest,
        size=size,
        content_type="application/pdf",
    )
    link = UploadLink(
        request_id=request.id, nonce=f"nonce-{request.id}", expires_at=utcnow() + timedelta(days=7)
    )
    db.session.add_all([evidence_file, link])
    owner = make.user(Role.OFFICER, department=dept)
    assessment = Assessment(
        arrangement_id=engagement.id,
        assessed_on=today,
        result=AssessmentResult.PARTIALLY_CONFORMING,
        method=AssessmentMethod.DOCUMENT,
        valid_until=today + timedelta(days=365),
    )
    db.session.add(assessment)
    db.session.flush()
    action = Action(
        assessment_id=assessment.id,
        arrangement_id=engagement.id,
        finding="是正",
        owner_id=owner.id,
        due_on=today + timedelta(days=30),
    )
    account = db.session.scalars(
        select(SocialAccount).where(SocialAccount.department_id == dept.id)
    ).one()
    incident = SocialIncident(
        account_id=account.id, kind=list(IncidentKind)[0], detected_at=utcnow()
    )
    key, digest, size = _stored(b"%PDF-1.4 procedure " + str(account.id).encode())
    procedure = SocialProcedureFile(
        account_id=account.id, filename="運用手順.pdf", storage_key=key, sha256=digest, size=size
    )
    contractor_user = make.user(Role.CONTRACTOR, contractor_id=engagement.contractor_id)
    from vendorguard.reminders.models import Channel, DeliveryStatus, Notification

    notification = Notification(
        dedup_key=f"walk:{request.id}",
        topic=f"walk:{request.id}",
        channel=Channel.EMAIL,
        kind="evidence_due",
        sweep_on=today,
        status=DeliveryStatus.FAILED,
        user_id=owner.id,
        email=owner.email,
    )
    db.session.add_all([action, incident, procedure, notification])
    db.session.commit()
    return {
        "evidence_requirement_id": requirement.id,
        "request_id": request.id,
        "submission_id": submission.id,
        "file_id": evidence_file.id,
        "link_id": link.id,
        "assessment_id": assessment.id,
        "action_id": action.id,
        "incident_id": incident.id,
        "procedure_file_id": procedure.id,
        "contractor_user_id": contractor_user.id,
        "contractor_id_of_user": engagement.contractor_id,
        "notification_id": notification.id,
        "token": "forged-token",
    }


def _inspection_ids(engagement) -> dict[str, int]:
    """A planned inspection with a checklist item and a photo (a real PNG: the report embeds it)."""
    from tests.inspections.conftest import photo_bytes
    from vendorguard.extensions import db
    from vendorguard.inspections.models import Inspection, InspectionItem, InspectionPhoto

    inspection = Inspection(
        arrangement_id=engagement.id, fiscal_year=2026, planned_on=date(2026, 6, 1)
    )
    db.session.add(inspection)
    db.session.flush()
    key, digest, size = _stored(photo_bytes("PNG", (40, 30)))
    photo = InspectionPhoto(
        inspection_id=inspection.id,
        filename="写真.png",
        storage_key=key,
        sha256=digest,
        size=size,
        content_type="image/png",
    )
    item = InspectionItem(inspection_id=inspection.id, requirement_code="OUT-07", title="守秘義務")
    db.session.add_all([photo, item])
    db.session.commit()
    return {"inspection_id": inspection.id, "photo_id": photo.id}


def _questionnaire_ids(engagement) -> dict[str, int]:
    """A self-check sent for the engagement, with one answer and one attached file."""
    from datetime import timedelta

    from sqlalchemy import select

    from vendorguard.core.timeutil import fiscal_year, today_tokyo
    from vendorguard.extensions import db
    from vendorguard.questionnaires import sending
    from vendorguard.questionnaires.models import (
        Answer,
        AnswerFile,
        Question,
        QuestionnaireTemplate,
    )
    from vendorguard.questionnaires.seed import ensure_templates

    ensure_templates(db.session)
    template = db.session.scalars(
        select(QuestionnaireTemplate).where(QuestionnaireTemplate.code == "SC-OUT")
    ).one()
    today = today_tokyo()
    request = sending.send(
        db.session,
        engagement,
        sending.SendData(template.id, fiscal_year(today), today + timedelta(days=30)),
        None,
    )
    question = db.session.scalars(
        select(Question).where(Question.version_id == request.version_id).order_by(Question.id)
    ).first()
    answer = Answer(request_id=request.id, question_id=question.id, value="yes")
    db.session.add(answer)
    db.session.flush()
    key, digest, size = _stored(b"%PDF-1.4 self-check " + str(request.id).encode())
    stored = AnswerFile(
        answer_id=answer.id, original_filename="a.pdf", storage_key=key, sha256=digest, size=size
    )
    db.session.add(stored)
    db.session.commit()
    return {
        "questionnaire_request_id": request.id,
        "questionnaire_file_id": stored.id,
        "questionnaire_version_id": request.version_id,
        "template_id": template.id,
        "question_id": question.id,
        "answer_id": answer.id,
    }


def _users(make, own_dept, own_contractor_id: int):
    return {
        A: make.user(Role.ADMIN),
        P: make.user(Role.PROCUREMENT),
        O: make.user(Role.OFFICER, department=own_dept),
        S: make.user(Role.SNS_OWNER, department=own_dept),
        U: make.user(Role.AUDITOR),
        C: make.user(Role.CONTRACTOR, contractor_id=own_contractor_id),
    }


def _url(app, rule: Rule, values: dict[str, int]) -> str:
    keys = ARGUMENT_KEYS.get(rule.endpoint, {})
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{arg: values[keys.get(arg, arg)] for arg in rule.arguments})


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not endpoints - EXPECTED.keys(), (
        f"routes without an access decision: {sorted(endpoints - EXPECTED.keys())}"
    )
    assert not EXPECTED.keys() - endpoints, (
        f"expectations for missing routes: {sorted(EXPECTED.keys() - endpoints)}"
    )


def _outcome(access: Access, role, side: str, rule: Rule, response) -> tuple[bool, bool, str]:
    """(as expected, refused, what was wanted) for one response."""
    status = response.status_code
    if access.allowed == PUBLIC:
        return status < 400 or status == 405, False, "reachable"
    if access.allowed == BEARER:
        return status == 401 and response.is_json, True, "401 JSON (no bearer token)"
    if access.allowed == TOKEN:
        return status in (404, 410), True, "404/410 for a forged token"
    if role is None:
        return _is_login_redirect(response), True, "redirect to login"
    if role in access.allowed and not (side == "other" and role in access.own_only):
        signed_out = rule.endpoint == "auth.logout"  # its success is the way back to the login page
        ok = (
            status not in (401, 403, 404, 405)
            and status < 500
            and (signed_out or not _is_login_redirect(response))
        )
        return ok, False, "allowed"
    if role in access.own_only:  # someone else's record: refused or not even shown
        return status in (403, 404), True, "403 or 404"
    return status == 403, True, "403"


def expected_trials(app) -> int:
    """How many (rule, method, side) requests the walk must send for each role."""
    return sum(
        len(methods_of(rule)) * (2 if rule.arguments - {"filename"} else 1)
        for rule in app.url_map.iter_rules()
    )


@pytest.mark.walk
@pytest.mark.parametrize("role", (None,) + ROLES, ids=lambda r: r or "anonymous")
def test_each_role_gets_exactly_what_design_grants(app, make, role):
    """Every method of every rule, on the own and another department's records: the status is
    what DESIGN.md grants, and a refused request leaves every table as it was."""
    app.config["WTF_CSRF_ENABLED"] = True  # POSTs carry a real token, as from a browser
    # Jobs a request queues (the reminder plan's recompute) finish before it returns: a job thread
    # still writing would show up as a change made by the next, refused, request.
    app.config["JOB_ENGINE"] = "inline"
    world, own_dept = build_world(make)
    users = _users(make, own_dept, world.own["contractor_id_of_user"])
    browser = Browser(app, users[role] if role else None)
    failures, trials = [], 0
    state = database_state()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        access = EXPECTED.get(rule.endpoint)
        if access is None:  # test_every_route_has_an_expectation reports it
            continue
        sides = ("own", "other") if rule.arguments - {"filename"} else ("own",)
        for method in methods_of(rule):
            for side in sides:
                url = _url(app, rule, world.own if side == "own" else world.other)
                response = browser.send(url, method)
                trials += 1
                ok, refused, want = _outcome(access, role, side, rule, response)
                label = f"{role or 'anonymous'} {method} {url} ({rule.endpoint}, {side})"
                if not ok:
                    failures.append(f"{label}: {response.status_code}, want {want}")
                after = database_state()
                if refused and after != state:
                    failures.append(f"{label}: refused but changed {changed_tables(state, after)}")
                state = after
                if rule.endpoint == "auth.logout" and role is not None:
                    browser.sign_in()
                    state = database_state()
    print(f"route × role walk, {role or 'anonymous'}: {trials} (rule, method, side) trials")
    assert trials == expected_trials(app)
    assert not failures, "\n".join(failures)
