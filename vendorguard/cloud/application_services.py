"""Use applications (利用申請) of cloud services: filing with a checklist, approval, rejection, renewal.

The service's ``approval_state`` / ``approval_valid_until`` / ``approved_*`` columns always describe
the approval in force, so lists and the home page need not read applications: ``APPLIED`` means an
application is under review (and, during a renewal, ``approval_valid_until`` still names the
current approval's last day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from vendorguard.approvals import services as approvals
from vendorguard.arrangements.models import ArrangementKind
from vendorguard.auth.models import User
from vendorguard.catalog import queries as catalog_queries
from vendorguard.catalog import rule_facts, rules
from vendorguard.catalog import services as catalog
from vendorguard.catalog.models import Requirement
from vendorguard.classification.models import Axis, ClassificationLevel
from vendorguard.cloud.models import ChecklistAnswer, CloudService, CloudUseApplication, TermsType
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import today_tokyo

MAX_NOTE = 1000


def checklist_key(code: str) -> str:
    """A requirement code as a form-field suffix (CL-02 → CL_02)."""
    return re.sub(r"\W", "_", code)


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
    facts = rule_facts.facts_for(service)
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
    if approvals.has_pending(session, service.id):
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
        department_id=service.department_id,
        purpose=purpose,
        data_description=description,
        confidentiality_level_id=level.id,
        users_description=users,
        data_location=location,
        terms_type=terms_type,
        checklist=checklist,
    )
    return approvals.file_request(session, service, application, applicant)


def approve(
    session: Session,
    service: CloudService,
    application: CloudUseApplication | None,
    approver: User,
    decision: approvals.Decision,
) -> CloudUseApplication:
    """Approve the application until ``decision.valid_until``; open checklist items need a comment
    saying why. A decision made on a page showing another version of the application is refused."""
    application = approvals.pending(
        application, _("審査中の利用申請がありません。"), decision.version
    )
    valid_until = decision.valid_until
    if service.is_archived:
        raise DomainError(_("アーカイブ済みの外部サービスは承認できません。"))
    if valid_until is None:
        raise DomainError(_("承認の有効期限を入力してください。"), field="approval_valid_until")
    if valid_until < today_tokyo():
        raise DomainError(
            _("承認の有効期限には今日以降の日付を入力してください。"), field="approval_valid_until"
        )
    comment = decision.comment.strip()
    open_items = application.open_items
    if open_items and not comment:
        raise DomainError(
            _(
                "未対応または未回答の確認項目が%(count)d件あります。承認する場合は、その理由や条件をコメントに記入してください。",
                count=len(open_items),
            ),
            field="approval_comment",
        )
    approvals.approve(session, service, application, approver, valid_until, comment)
    return application


def reject(
    session: Session,
    service: CloudService,
    application: CloudUseApplication | None,
    approver: User,
    decision: approvals.Decision,
) -> CloudUseApplication:
    """Turn the application down, saying why; an approval still in force runs to its own date."""
    application = approvals.pending(
        application, _("審査中の利用申請がありません。"), decision.version
    )
    approvals.reject(session, service, application, approver, decision.comment)
    return application


def withdraw(
    session: Session,
    service: CloudService,
    application: CloudUseApplication | None,
    user: User,
    version: int | None = None,
) -> CloudUseApplication:
    """The department takes its application back before a decision."""
    application = approvals.pending(
        application, _("取り下げられる審査中の利用申請がありません。"), version
    )
    approvals.withdraw(session, service, application, user)
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
