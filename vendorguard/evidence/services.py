"""Evidence requirements per arrangement, the schedule, ad-hoc requests; submit and review.

``submit`` and ``review`` live in ``evidence.review`` and are part of this module's API (the
contractor portal calls ``services.submit``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import utcnow
from vendorguard.evidence import schedule, standard
from vendorguard.evidence.calendar import next_open_day
from vendorguard.evidence.models import (
    AWAITING_PROVIDER,
    Cadence,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
    RequestStatus,
)
from vendorguard.evidence.review import review, submit  # noqa: F401  (part of this module's API)
from vendorguard.evidence.schedule import ScheduleResult, generate_requests  # noqa: F401

MAX_TEXT = 2000
MAX_OFFSET_DAYS = 365
MAX_VALIDITY_DAYS = 3650


# -- requirements ---------------------------------------------------------------------------------


@dataclass
class RequirementData:
    """What a person enters about an evidence requirement."""

    title: str
    cadence: str
    provider: str
    due_offset_days: int | None = 14
    validity_days: int | None = None
    description: str = ""


def _ensure_open(arrangement: Arrangement) -> None:
    if arrangement.archived_at is not None:
        raise DomainError(_("アーカイブ済みの案件の証跡は変更できません。"))


def _apply(
    session: Session, requirement: EvidenceRequirement, data: RequirementData
) -> EvidenceRequirement:
    title = clean(data.title)
    if not title:
        raise DomainError(_("項目名を入力してください。"), field="title")
    if len(title) > 200:
        raise DomainError(_("項目名は200文字以内で入力してください。"), field="title")
    description = (data.description or "").strip()
    if len(description) > MAX_TEXT:
        raise DomainError(
            _("説明は%(max)d文字以内で入力してください。", max=MAX_TEXT), field="description"
        )
    try:
        cadence = Cadence(data.cadence)
    except ValueError:
        raise DomainError(_("提出の頻度を選んでください。"), field="cadence") from None
    try:
        provider = EvidenceProvider(data.provider)
    except ValueError:
        raise DomainError(_("提出する者を選んでください。"), field="provider") from None
    offset = data.due_offset_days if data.due_offset_days is not None else 0
    if not 0 <= offset <= MAX_OFFSET_DAYS:
        raise DomainError(
            _("提出期限は0〜%(max)d日の範囲で入力してください。", max=MAX_OFFSET_DAYS),
            field="due_offset_days",
        )
    if data.validity_days is not None and not 1 <= data.validity_days <= MAX_VALIDITY_DAYS:
        raise DomainError(
            _(
                "有効日数は1〜%(max)d日の範囲で入力してください（空欄は次の提出まで有効）。",
                max=MAX_VALIDITY_DAYS,
            ),
            field="validity_days",
        )
    requirement.title = title
    requirement.description = description
    requirement.cadence = cadence
    requirement.provider = provider
    requirement.due_offset_days = offset
    requirement.validity_days = data.validity_days
    session.add(requirement)
    session.flush()
    return requirement


def create_requirement(
    session: Session, arrangement: Arrangement, data: RequirementData
) -> EvidenceRequirement:
    """Add a requirement by hand (one the standard table does not cover)."""
    _ensure_open(arrangement)
    return _apply(session, EvidenceRequirement(arrangement_id=arrangement.id), data)


def update_requirement(
    session: Session, requirement: EvidenceRequirement, data: RequirementData
) -> EvidenceRequirement:
    """Change a requirement; standard ones too (synchronising never overwrites what was edited)."""
    if requirement.archived_at is not None:
        raise DomainError(
            _("アーカイブ済みの証跡項目は編集できません。元に戻してから編集してください。")
        )
    return _apply(session, requirement, data)


def archive_requirement(session: Session, requirement: EvidenceRequirement) -> list[int]:
    """Archive a hand-added requirement and withdraw its requests still waiting for the provider."""
    if requirement.archived_at is not None:
        raise DomainError(_("この証跡項目は既にアーカイブされています。"))
    if requirement.is_derived:
        raise DomainError(
            _(
                "標準の証跡項目は、案件の内容（適用される要件）に応じて自動で追加・アーカイブされます。"
                "不要な場合は、情報セキュリティ統括に要件の適用除外を依頼してください。"
            )
        )
    requirement.archived_at = utcnow()
    session.flush()
    return schedule.close_with_requirement(session, requirement)


def restore_requirement(
    session: Session, requirement: EvidenceRequirement, today: date
) -> ScheduleResult | None:
    """Bring an archived hand-added requirement back; its withdrawn requests reopen."""
    if requirement.archived_at is None:
        raise DomainError(_("この証跡項目はアーカイブされていません。"))
    arrangement = session.get_one(Arrangement, requirement.arrangement_id)
    _ensure_open(arrangement)
    requirement.archived_at = None
    session.flush()
    return generate_requests(session, arrangement, today)


# -- standard requirements ------------------------------------------------------------------------


@dataclass
class SyncResult:
    """Titles of the standard requirements a synchronisation added, archived or brought back."""

    added: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    rescaled: list[str] = field(default_factory=list)  # risk-scaled items whose cadence followed

    @property
    def changed(self) -> bool:
        return bool(self.added or self.archived or self.restored or self.rescaled)


def sync_requirements(session: Session, arrangement: Arrangement) -> SyncResult:
    """Add the standard requirements the arrangement now needs and archive those it no longer
    needs (their open requests are withdrawn). Idempotent; edits made by people are kept, except
    the cadence of risk-scaled items, which follows the arrangement's risk (``rescale``)."""
    _ensure_open(arrangement)
    wanted = {a.template.code: a for a in standard.applicable_templates(session, arrangement)}
    derived = {
        r.template_code: r
        for r in session.scalars(
            select(EvidenceRequirement).where(
                EvidenceRequirement.arrangement_id == arrangement.id,
                EvidenceRequirement.template_code.is_not(None),
            )
        )
    }
    result = SyncResult()
    for code, applicable in wanted.items():
        requirement = derived.get(code)
        t = applicable.template
        cadence = standard.cadence_for(session, arrangement, t)
        if requirement is None:
            session.add(
                EvidenceRequirement(
                    arrangement_id=arrangement.id,
                    template_code=code,
                    requirement_id=applicable.requirement_id,
                    title=t.title,
                    description=t.description,
                    cadence=cadence,
                    due_offset_days=t.due_offset_days,
                    provider=t.provider,
                    validity_days=standard.validity_for(t, cadence),
                )
            )
            result.added.append(t.title)
            continue
        if requirement.archived_at is not None:
            requirement.archived_at = None
            result.restored.append(requirement.title)
    session.flush()
    result.rescaled = rescale(session, arrangement)
    for template_code, requirement in derived.items():
        if template_code not in wanted and requirement.archived_at is None:
            requirement.archived_at = utcnow()
            session.flush()
            schedule.close_with_requirement(session, requirement)
            result.archived.append(requirement.title)
    return result


def rescale(session: Session, arrangement: Arrangement) -> list[str]:
    """Give the arrangement's risk-scaled standard requirements the cadence its risk asks for
    (``standard.set_cadence_policy``); titles of those changed. The schedule follows on its next
    run: only requests still waiting for the provider move."""
    changed = []
    scaled = {t.code: t for t in standard.TEMPLATES if t.risk_scaled}
    for requirement in session.scalars(
        select(EvidenceRequirement).where(
            EvidenceRequirement.arrangement_id == arrangement.id,
            EvidenceRequirement.template_code.in_(scaled),
        )
    ):
        template = scaled[requirement.template_code or ""]
        cadence = standard.cadence_for(session, arrangement, template)
        if requirement.cadence != cadence:
            requirement.cadence = cadence
            requirement.validity_days = standard.validity_for(template, cadence)
            changed.append(requirement.title)
    session.flush()
    return changed


def refresh(
    session: Session, arrangement: Arrangement, today: date
) -> tuple[SyncResult, ScheduleResult]:
    """Bring the standard requirements up to date, then the schedule (the page's one button)."""
    synced = sync_requirements(session, arrangement)
    return synced, generate_requests(session, arrangement, today)


# -- requests made by hand ------------------------------------------------------------------------


@dataclass
class AdhocData:
    """An officer's request: for an existing requirement, or a new ad-hoc item named here."""

    due_on: date | None
    requirement_id: int | None = None
    title: str = ""
    provider: str = EvidenceProvider.CONTRACTOR.value
    description: str = ""
    note: str = ""


def create_adhoc_request(
    session: Session, arrangement: Arrangement, data: AdhocData, today: date
) -> EvidenceRequest:
    """The officer asks for evidence now, outside the schedule (due date moved off closed days)."""
    _ensure_open(arrangement)
    if data.due_on is None:
        raise DomainError(_("提出期限を入力してください。"), field="due_on")
    if data.due_on < today:
        raise DomainError(_("提出期限には今日以降の日付を入力してください。"), field="due_on")
    note = (data.note or "").strip()
    if len(note) > MAX_TEXT:
        raise DomainError(
            _("依頼内容は%(max)d文字以内で入力してください。", max=MAX_TEXT), field="note"
        )
    if data.requirement_id:
        requirement = session.get(EvidenceRequirement, data.requirement_id)
        if (
            requirement is None
            or requirement.arrangement_id != arrangement.id
            or requirement.archived_at is not None
        ):
            raise DomainError(_("証跡項目を選び直してください。"), field="requirement_id")
    else:
        if not clean(data.title):
            raise DomainError(_("新しい項目の名前を入力してください。"), field="title")
        requirement = create_requirement(
            session,
            arrangement,
            RequirementData(
                title=data.title,
                cadence=Cadence.AD_HOC.value,
                provider=data.provider,
                due_offset_days=0,
                description=data.description,
            ),
        )
    count = session.execute(
        select(func.count(EvidenceRequest.id)).where(
            EvidenceRequest.evidence_requirement_id == requirement.id,
            EvidenceRequest.occurrence.like(schedule.ADHOC_PREFIX + "%"),
        )
    ).scalar_one()
    request = EvidenceRequest(
        evidence_requirement_id=requirement.id,
        arrangement_id=arrangement.id,
        occurrence=f"{schedule.ADHOC_PREFIX}{count + 1}",
        scheduled_due_on=data.due_on,
        due_on=next_open_day(data.due_on),
        note=note,
        status=RequestStatus.OPEN,
    )
    session.add(request)
    session.flush()
    return request


def close_request(session: Session, request: EvidenceRequest, reason: str) -> None:
    """Withdraw a request that is no longer needed; the reason is kept."""
    reason = clean(reason)
    if not reason:
        raise DomainError(_("取り下げる理由を入力してください。"), field="reason")
    if len(reason) > 200:
        raise DomainError(_("理由は200文字以内で入力してください。"), field="reason")
    if request.status == RequestStatus.SUBMITTED:
        raise DomainError(_("確認待ちの提出があります。先に受理または差戻しをしてください。"))
    if request.status not in AWAITING_PROVIDER:
        raise DomainError(
            _("この提出依頼は%(status)sのため、取り下げられません。", status=request.status.label)
        )
    request.status = RequestStatus.CLOSED
    request.closed_reason = reason
    session.flush()
