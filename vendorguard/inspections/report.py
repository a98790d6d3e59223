"""The inspection report (検査結果報告書) as .docx from contract_templates/inspection_report.docx.

Like the contract documents (documents/docx_writer.py), the city keeps the layout in an ordinary
Word file it edits itself (a copy in ``CONTRACT_TEMPLATES_DIR`` wins over the shipped one); the
code supplies values, the checklist rows, the findings and the photos (embedded, scaled to fit a
box on the page whatever their resolution). The report is made on request from the record, not
stored: the record is the document of truth and cannot change once completed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from docx.image.image import Image as DocxImage
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2.sandbox import SandboxedEnvironment

from vendorguard.assessments.models import Action
from vendorguard.city.services import city_name
from vendorguard.core.timeutil import wareki
from vendorguard.documents.docx_writer import clean_text, find_template
from vendorguard.inspections.models import METHOD_TEXT, Inspection, InspectionMethod
from vendorguard.storage.base import Storage

TEMPLATE = "inspection_report.docx"
PHOTO_BOX = (Mm(150), Mm(100))  # widest and tallest a photo is printed
_ENV = SandboxedEnvironment(autoescape=True)


@dataclass(frozen=True)
class Report:
    """A rendered report: its bytes and the name to download it as."""

    data: bytes
    filename: str


def _day(value) -> str:
    return wareki(value) if value else ""


def photo_size(blob: bytes) -> dict[str, Any]:
    """``width`` or ``height`` for InlineImage so the photo fits PHOTO_BOX, keeping its shape."""
    image = DocxImage.from_blob(blob)
    max_w, max_h = PHOTO_BOX
    # Compare the shapes: a photo wider than the box's shape is limited by width, else by height.
    if image.px_width * max_h >= image.px_height * max_w:
        return {"width": Mm(150)}
    return {"height": Mm(100)}


def _inspectors(inspection: Inspection) -> str:
    names = [user.name for user in inspection.inspectors]
    names += [line.strip() for line in inspection.other_inspectors.splitlines() if line.strip()]
    return "、".join(names)


def context(
    inspection: Inspection, actions: Sequence[Action], document: DocxTemplate, storage: Storage
) -> dict[str, Any]:
    """What the template's placeholders get (text cleaned for XML; photos as embedded images)."""
    engagement = inspection.arrangement
    photos = []
    for number, photo in enumerate(inspection.photos, start=1):
        blob = storage.read_bytes(photo.storage_key)
        photos.append(
            {
                "number": number,
                "image": InlineImage(document, io.BytesIO(blob), **photo_size(blob)),
                "caption": clean_text(photo.caption or photo.filename),
            }
        )
    items = [
        {
            "number": n,
            "code": clean_text(item.requirement_code),
            "title": clean_text(item.title),
            "clause": clean_text(item.clause_title),
            "result": item.result_text,
            "notes": clean_text(item.notes),
        }
        for n, item in enumerate(inspection.items, start=1)
    ]
    findings = [
        {
            "number": n,
            "finding": clean_text(action.finding),
            "owner": clean_text(action.owner.name),
            "due_on": _day(action.due_on),
            "status": "完了" if not action.is_open else "対応中",
        }
        for n, action in enumerate(actions, start=1)
    ]
    return {
        "document_title": "検査結果報告書",
        "city_name": clean_text(city_name()),
        "department_name": clean_text(engagement.department.name),
        "engagement_title": clean_text(engagement.title),
        "contract_number": clean_text(engagement.contract_number or ""),
        "contractor_name": clean_text(engagement.contractor.name),
        "fiscal_year_text": f"{wareki(date(inspection.fiscal_year, 4, 1)).split('年')[0]}年度",
        "sequence": inspection.sequence,
        "planned_on": _day(inspection.planned_on),
        "inspected_on": _day(inspection.inspected_on),
        "method": METHOD_TEXT[InspectionMethod(inspection.method)],
        "method_detail": clean_text(inspection.method_detail),
        "inspectors": clean_text(_inspectors(inspection)),
        "contractor_attendees": clean_text(inspection.contractor_attendees),
        "summary": clean_text(inspection.summary),
        "status_text": "確定" if inspection.is_done else "記録中（未確定）",
        "items": items,
        "findings": findings,
        "photos": photos,
    }


def render(
    inspection: Inspection,
    actions: Sequence[Action],
    storage: Storage,
    template_dirs: Sequence[str | None] = (),
) -> Report:
    """Render the report of one inspection (loaded with ``queries.inspection_detail``)."""
    template = find_template(TEMPLATE, template_dirs)
    document = DocxTemplate(io.BytesIO(template.data))
    document.render(
        context(inspection, actions, document, storage), jinja_env=_ENV, autoescape=True
    )
    out = io.BytesIO()
    document.save(out)
    day = (inspection.inspected_on or inspection.planned_on).isoformat()
    return Report(out.getvalue(), f"検査結果報告書_{inspection.arrangement.title}_{day}.docx")
