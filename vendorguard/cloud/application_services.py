"""Use applications (利用申請) of cloud services: filing with a checklist, approval, rejection, renewal.

The service's ``approval_state`` / ``approval_valid_until`` / ``approved_*`` columns always describe
the approval in force, so lists and the home page need not read applications: ``APPLIED`` means an
application is under review (and, during a renewal, ``approval_valid_until`` still names the
current approval's last day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import ArrangementKind
from vendorguard.audit import services as audit
from vendorguard.auth.models import User
from vendorguard.catalog import queries as catalog_queries
from vendorguard.catalog import rules
from vendorguard.catalog import services as catalog
from vendorguard.catalog.models import Requirement
from vendorguard.classification.models import Axis, ClassificationLevel
from vendorguard.cloud.models import (
    ApplicationStatus,
    ApprovalState,
    ChecklistAnswer,
    CloudService,
    CloudUseApplication,
    TermsType,
)
from vendorguard.cloud.services import has_pending_application
from vendorguard.core.dates import add_months
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import today_tokyo, utcnow

MAX_NOTE = 1000
RENEWAL_NOTICE_DAYS = 60  # the detail page reminds the department this long before an approval ends


def checklist_key(code: str) -> str:
    """A requirement code as a form-field suffix (CL-02 → CL_02)."""
    return re.sub(r"\W", "_", code)


def default_valid_until(months: int, today: date | None = None) -> date:
    """The default last day of an approval given today: ``months`` later, the day before."""
    return add_months(today or today_tokyo(), months) - timedelta(days=1)


def checklist_requirements(
    session: Session,
    service: CloudService,
    high: bool | None = None,
    terms_type: TermsType | None = None,
) -> list[Requirement]:
    """The catalog's requirements for the service, as if it handled ``high`` data under ``terms_type``.

    With no overrides this is ``catalog.services.applicable_requirements``; the overrides let the
    application form show the checklist for what is being applied for before anything is saved.
    """
    if high is None and terms_type is None:
        return catalog.applicable_requirements(session, service)
    facts = rules.facts_for(service)
    if high is not None:
        facts["handles_high_confidentiality"] = high
    if terms_type is not None:
        facts["terms_type"] = TermsType(terms_type).value
    candidates = session.scalars(catalog_queries.active_requirements(ArrangementKind.CLOUD_SERVICE))
    return [requirement for requirement in candidates if rules.evaluate(requirement.rule, facts)]


@dataclass
class ApplicationData:
    """What a department enters on a use application; ``answers`` maps code → (answer or "", note)."""

    purpose: str
    data_description: str
    confidentiality_level_id: int | None
    users_description: str
    data_location: str
    terms_type: TermsType
    answers: dict[str, tuple[str, str]] = field(default_factory=dict)


class ChecklistChanged(DomainError):
    """The requirements that apply differ from the ones the form asked (catalog or facts changed)."""

    def __init__(self):
        super().__init__(
            _("確認項目が変わりました。表示し直した項目に回答してから、もう一度申請してください。")
        )


def _level(session: Session, level_id: int | None) -> ClassificationLevel:
    level = session.get(ClassificationLevel, level_id) if level_id else None
    if level is None or level.axis != Axis.CONFIDENTIALITY or not level.scheme.active:
        raise DomainError(
            _("取り扱う情報の機密性を、現在の重要性分類の区分から選んでください。"),
            field="confidentiality_level_id",
        )
    return level


def _required(value: str, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field=field_name)
    return value


def _checklist(requirements: list[Requirement], answers: dict[str, tuple[str, str]]) -> dict:
    if set(answers) != {r.code for r in requirements}:
        raise ChecklistChanged()
    checklist = {}
    for order, requirement in enumerate(requirements, start=1):
        answer, note = answers[requirement.code]
        note = (note or "").strip()
        if answer and answer not in set(ChecklistAnswer):
            raise DomainError(
                _("回答を選択肢から選んでください。"),
                field=f"answer_{checklist_key(requirement.code)}",
            )
        if len(note) > MAX_NOTE:
            raise DomainError(
                _("%(max)d文字以内で入力してください。", max=MAX_NOTE),
                field=f"note_{checklist_key(requirement.code)}",
            )
        if answer == ChecklistAnswer.NOT_APPLICABLE and not note:
            raise DomainError(
                _("該当しない理由を記入してください。"),
                field=f"note_{checklist_key(requirement.code)}",
            )
        checklist[requirement.code] = {
            "title": requirement.title_ja,
            "answer": answer or "",
            "note": note,
            "order": order,
        }
    return checklist


def submit(
    session: Session, service: CloudService, applicant: User, data: ApplicationData
) -> CloudUseApplication:
    """File a use application; the service takes on the sensitivity, terms and location applied for."""
    if service.is_archived:
        raise DomainError(_("アーカイブ済みの外部サービスは申請できません。"))
    if has_pending_application(session, service):
        raise DomainError(_("この外部サービスは既に申請中です。"))
    if service.responsible_officer_id is None:
        raise DomainError(_("利用申請の前に外部サービス管理者を指定してください。"))
    purpose = _required(data.purpose, "purpose", _("利用目的を入力してください。"))
    description = _required(
        data.data_description, "data_description", _("取り扱う情報を入力してください。")
    )
    level = _level(session, data.confidentiality_level_id)
    users = _required(
        data.users_description,
        "users_description",
        _("利用者（所属・人数など）を入力してください。"),
    )
    location = _required(
        clean(data.data_location), "data_location", _("データの保存場所を入力してください。")
    )
    terms_type = TermsType(data.terms_type)

    # The register follows what is applied for, so the catalog's rules read the same facts.
    service.handles_high_confidentiality = level.is_high_confidentiality
    service.terms_type = terms_type
    service.data_location = location
    if not service.purpose:
        service.purpose = purpose
    session.flush()
    checklist = _checklist(checklist_requirements(session, service), data.answers)

    application = CloudUseApplication(
        service_id=service.id,
        department_id=service.department_id,
        applicant_id=applicant.id,
        submitted_at=utcnow(),
        purpose=purpose,
        data_description=description,
        confidentiality_level_id=level.id,
        users_description=users,
        data_location=location,
        terms_type=terms_type,
        checklist=checklist,
        status=ApplicationStatus.SUBMITTED,
    )
    session.add(application)
    service.approval_state = ApprovalState.APPLIED
    audit.tag(session, service, "apply")
    session.flush()
    return application


def _pending(application: CloudUseApplication | None, message: str) -> CloudUseApplication:
    if application is None or application.status != ApplicationStatus.SUBMITTED:
        raise DomainError(message)
    return application


def approve(
    session: Session,
    service: CloudService,
    application: CloudUseApplication | None,
    approver: User,
    valid_until: date | None,
    comment: str = "",
) -> CloudUseApplication:
    """Approve the application until ``valid_until``; open checklist items need a comment saying why."""
    application = _pending(application, _("審査中の利用申請がありません。"))
    if service.is_archived:
        raise DomainError(_("アーカイブ済みの外部サービスは承認できません。"))
    if valid_until is None:
        raise DomainError(_("承認の有効期限を入力してください。"), field="approval_valid_until")
    if valid_until < today_tokyo():
        raise DomainError(
            _("承認の有効期限には今日以降の日付を入力してください。"), field="approval_valid_until"
        )
    comment = (comment or "").strip()
    open_items = application.open_items
    if open_items and not comment:
        raise DomainError(
            _(
                "未対応または未回答の確認項目が%(count)d件あります。承認する場合は、その理由や条件をコメントに記入してください。",
                count=len(open_items),
            ),
            field="approval_comment",
        )
    now = utcnow()
    application.status = ApplicationStatus.APPROVED
    application.decided_by_id, application.decided_at = approver.id, now
    application.decision_comment, application.valid_until = comment, valid_until
    service.approval_state = ApprovalState.APPROVED
    service.approval_valid_until = valid_until
    service.approved_at, service.approved_by_id = now, approver.id
    service.approval_comment = comment
    audit.tag(session, application, "approve")
    audit.tag(session, service, "approve")
    session.flush()
    return application


def _back_to_previous(service: CloudService, otherwise: ApprovalState) -> None:
    # A renewal that is not granted leaves the earlier approval to run out on its own date.
    if service.approval_valid_until is not None and service.approved_at is not None:
        service.approval_state = ApprovalState.APPROVED
    else:
        service.approval_state = otherwise


def reject(
    session: Session,
    service: CloudService,
    application: CloudUseApplication | None,
    approver: User,
    comment: str,
) -> CloudUseApplication:
    """Turn the application down, saying why; an approval still in force runs to its own date."""
    application = _pending(application, _("審査中の利用申請がありません。"))
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(_("却下の理由を入力してください。"), field="reject_comment")
    now = utcnow()
    application.status = ApplicationStatus.REJECTED
    application.decided_by_id, application.decided_at, application.decision_comment = (
        approver.id,
        now,
        comment,
    )
    if service.has_current_approval:
        _back_to_previous(service, ApprovalState.REJECTED)
    else:
        service.approval_state = ApprovalState.REJECTED
        service.approval_valid_until = None
        service.approved_at, service.approved_by_id = now, approver.id
        service.approval_comment = comment
    audit.tag(session, application, "reject")
    audit.tag(session, service, "reject")
    session.flush()
    return application


def withdraw(
    session: Session, service: CloudService, application: CloudUseApplication | None, user: User
) -> CloudUseApplication:
    """The department takes its application back before a decision."""
    application = _pending(application, _("取り下げられる審査中の利用申請がありません。"))
    application.status = ApplicationStatus.WITHDRAWN
    application.decided_by_id, application.decided_at = user.id, utcnow()
    _back_to_previous(service, ApprovalState.NOT_APPLIED)
    audit.tag(session, application, "withdraw")
    session.flush()
    return application


def prefill(service: CloudService, last: CloudUseApplication | None, level_ids: set[int]) -> dict:
    """Form data for a new application: the last one's answers (a renewal), else the register's."""
    if last is None:
        return {
            "purpose": service.purpose,
            "data_location": service.data_location,
            "terms_type": service.terms_type.value,
            "confidentiality_level_id": None,
        }
    data = {
        "purpose": last.purpose,
        "data_description": last.data_description,
        "users_description": last.users_description,
        "data_location": last.data_location,
        "terms_type": last.terms_type.value,
        "confidentiality_level_id": last.confidentiality_level_id
        if last.confidentiality_level_id in level_ids
        else None,
    }
    for item in last.items:
        data[f"answer_{checklist_key(item.code)}"] = item.answer.value if item.answer else None
        data[f"note_{checklist_key(item.code)}"] = item.note
    return data


def renewal_due(service: CloudService, today: date | None = None) -> int | None:
    """Days left of an approval in force that ends within the notice period, else None."""
    today = today or today_tokyo()
    until = service.approval_valid_until
    if not service.has_current_approval or until is None:
        return None
    left = (until - today).days
    return left if left <= RENEWAL_NOTICE_DAYS else None
