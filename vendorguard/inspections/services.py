"""Recording an inspection: header and checklist, photos, completion (findings become actions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement
from vendorguard.assessments import services as assessment_services
from vendorguard.assessments.models import AssessmentMethod, AssessmentResult
from vendorguard.audit import capture as audit_capture
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.core import concurrency
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.evidence import filecheck
from vendorguard.inspections.models import (
    METHOD_TEXT,
    Inspection,
    InspectionMethod,
    InspectionPhoto,
    InspectionStatus,
    ItemResult,
)
from vendorguard.storage.base import Storage, new_key

MAX_TEXT = 5000
MAX_PHOTOS = 30
PHOTO_TYPES = {"png", "jpeg"}  # what a Word report can embed and every viewer shows
INSPECTOR_ROLES = (Role.ADMIN, Role.PROCUREMENT, Role.OFFICER, Role.AUDITOR)
METHOD_TO_ASSESSMENT = {
    InspectionMethod.ON_SITE: AssessmentMethod.ON_SITE,
    InspectionMethod.VIDEO: AssessmentMethod.OTHER,
    InspectionMethod.PHOTOS: AssessmentMethod.OTHER,
}


@dataclass
class RecordData:
    """What a person enters on the record page (saved as often as needed before completion)."""

    inspected_on: date | None
    method: InspectionMethod
    method_detail: str = ""
    inspector_ids: list[int] = field(default_factory=list)
    other_inspectors: str = ""
    contractor_attendees: str = ""
    summary: str = ""
    findings: str = ""
    # item id -> (result, notes)
    results: dict[int, tuple[ItemResult, str]] = field(default_factory=dict)


def _text(value: str, field_name: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise DomainError(_("%(max)d文字以内で入力してください。", max=MAX_TEXT), field=field_name)
    return value


def _ensure_open(inspection: Inspection) -> None:
    if inspection.is_done:
        raise DomainError(_("記録を確定した実地検査は変更できません。"))


def _ensure_arrangement(arrangement: Arrangement) -> None:
    if arrangement.is_archived:
        raise DomainError(_("アーカイブ済みの案件の実地検査は記録できません。"))


def save_record(
    session: Session,
    inspection: Inspection,
    arrangement: Arrangement,
    data: RecordData,
    today: date | None = None,
    version: int | None = None,
) -> Inspection:
    """Save the record as entered so far (the inspection stays planned until it is completed)."""
    concurrency.check_version(inspection, version)
    _ensure_open(inspection)
    _ensure_arrangement(arrangement)
    today = today or today_tokyo()
    if data.inspected_on is not None and data.inspected_on > today:
        raise DomainError(_("実施日に未来の日付は指定できません。"), field="inspected_on")
    inspectors = []
    if data.inspector_ids:
        inspectors = list(
            session.scalars(
                select(User).where(
                    User.id.in_(data.inspector_ids),
                    User.role.in_([r.value for r in INSPECTOR_ROLES]),
                )
            )
        )
        if len(inspectors) != len(set(data.inspector_ids)):
            raise DomainError(
                _("検査員に指定できない利用者が含まれています。"), field="inspector_ids"
            )
    items = {item.id: item for item in inspection.items}
    unknown = set(data.results) - set(items)
    if unknown:
        raise DomainError(_("この実地検査にない確認項目が送られました。"))
    for item_id, (result, notes) in data.results.items():
        item = items[item_id]
        if item.result != result:
            item.result = result
        notes = _text(notes, f"notes_{item_id}")
        if item.notes != notes:
            item.notes = notes
    inspection.inspected_on = data.inspected_on
    inspection.method = data.method
    inspection.method_detail = _text(data.method_detail, "method_detail")
    inspection.other_inspectors = _text(data.other_inspectors, "other_inspectors")
    inspection.contractor_attendees = _text(data.contractor_attendees, "contractor_attendees")
    inspection.summary = _text(data.summary, "summary")
    inspection.findings = _text(data.findings, "findings")
    inspection.inspectors = inspectors
    concurrency.flush(session)
    return inspection


def findings_of(inspection: Inspection) -> list[str]:
    """The findings completion turns into actions: each nonconforming item, then the extra lines."""
    found = []
    for item in inspection.items:
        if item.result == ItemResult.NONCONFORMING:
            label = f"{item.requirement_code} {item.title}".strip()
            found.append(f"{label}：{clean(item.notes)}" if item.notes.strip() else label)
    found.extend(assessment_services.split_findings(inspection.findings))
    return found


def complete(
    session: Session,
    inspection: Inspection,
    arrangement: Arrangement,
    user: User | None,
    owner_id: int | None,
    due_on: date | None,
    today: date | None = None,
    version: int | None = None,
) -> Inspection:
    """Complete the inspection: record it as an assessment (確認) whose findings become actions (措置)."""
    concurrency.check_version(inspection, version)
    _ensure_open(inspection)
    _ensure_arrangement(arrangement)
    if inspection.inspected_on is None:
        raise DomainError(_("実施日を入力して保存してから確定してください。"), field="inspected_on")
    if not inspection.inspectors and not inspection.other_inspectors.strip():
        raise DomainError(_("検査員を1人以上記録してから確定してください。"), field="inspector_ids")
    findings = findings_of(inspection)
    results = {ItemResult(item.result) for item in inspection.items}
    # 不適合 overall only when nonconforming items were found and nothing was confirmed as kept.
    if not findings:
        result = AssessmentResult.CONFORMING
    elif ItemResult.NONCONFORMING in results and ItemResult.CONFORMING not in results:
        result = AssessmentResult.NONCONFORMING
    else:
        result = AssessmentResult.PARTIALLY_CONFORMING
    method_text = METHOD_TEXT[InspectionMethod(inspection.method)]
    summary = f"実地検査（{inspection.fiscal_year}年度 第{inspection.sequence}回・{method_text}）"
    if inspection.summary:
        summary += f"：{inspection.summary}"
    assessment = assessment_services.record_assessment(
        session,
        arrangement,
        assessment_services.AssessmentData(
            assessed_on=inspection.inspected_on,
            result=result,
            method=METHOD_TO_ASSESSMENT[InspectionMethod(inspection.method)],
            summary=summary[:MAX_TEXT],
            findings="\n".join(findings),
            owner_id=owner_id,
            due_on=due_on,
        ),
        user,
        today=today,
    )
    inspection.assessment_id = assessment.id
    inspection.status = InspectionStatus.DONE
    inspection.completed_by_id = user.id if user else None
    inspection.completed_at = utcnow()
    audit_capture.tag(session, inspection, "complete")
    concurrency.flush(session)
    return inspection


def add_photo(
    session: Session,
    storage: Storage,
    inspection: Inspection,
    user: User,
    filename: str,
    caption: str,
    stream: BinaryIO,
    max_bytes: int,
) -> InspectionPhoto:
    """Check the file's content (JPEG or PNG only), store it, and add it to the inspection.

    The object is stored first and its row added after; if the row cannot be added the object is
    deleted again, so no row ever points at a missing file. The caller commits.
    """
    _ensure_open(inspection)
    if len(inspection.photos) >= MAX_PHOTOS:
        raise DomainError(_("写真は1件の実地検査につき%(max)d枚までです。", max=MAX_PHOTOS))
    name = filecheck.clean_filename(filename or "")
    caption = clean(caption)[:200]
    head = stream.read(filecheck.HEAD_SIZE)
    stream.seek(0)
    detected = filecheck.check(head, name, reader=stream, limits=filecheck.Limits.from_config())
    if detected.kind not in PHOTO_TYPES:
        raise DomainError(
            _(
                "写真はJPEGまたはPNGの画像にしてください（%(kind)sは登録できません）。",
                kind=detected.label,
            ),
            field="file",
        )
    stream.seek(0)
    stored = storage.put(new_key("inspections"), stream, max_bytes=max_bytes)
    photo = InspectionPhoto(
        inspection_id=inspection.id,
        filename=name,
        caption=caption,
        storage_key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        content_type=detected.content_type,
        uploaded_by_id=user.id,
    )
    try:
        session.add(photo)
        session.flush()
    except BaseException:
        try:
            storage.delete(stored.key)
        except Exception:  # noqa: BLE001 - an orphan is found by `vg storage-check`
            pass
        raise
    return photo


def remove_photo(session: Session, photo: InspectionPhoto, inspection: Inspection) -> str:
    """Remove a photo from an inspection not yet completed; returns its storage key to delete
    once the change is committed (an object left behind is an orphan `vg storage-check` finds)."""
    _ensure_open(inspection)
    key = photo.storage_key
    session.delete(photo)
    session.flush()
    return key
