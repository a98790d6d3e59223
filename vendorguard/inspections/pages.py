"""Forms of the inspection pages, filled with their choices (shared by the view modules)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from vendorguard.assessments.views import owner_choices
from vendorguard.auth.models import User
from vendorguard.core.forms import options
from vendorguard.extensions import db
from vendorguard.inspections.forms import CompleteForm, PhotoForm, RecordForm, record_form_class
from vendorguard.inspections.models import Inspection, ItemResult
from vendorguard.inspections.services import INSPECTOR_ROLES, RecordData


def record_form(inspection: Inspection, formdata: Any = None) -> RecordForm:
    """The record form for this inspection's checklist, filled from the record unless posted."""
    cls = record_form_class([item.id for item in inspection.items])
    values: dict[str, Any] = {
        "inspected_on": inspection.inspected_on,
        "method": inspection.method.value if inspection.method else None,
        "method_detail": inspection.method_detail,
        "inspector_ids": [user.id for user in inspection.inspectors],
        "other_inspectors": inspection.other_inspectors,
        "contractor_attendees": inspection.contractor_attendees,
        "summary": inspection.summary,
        "findings": inspection.findings,
        "version": inspection.version,
    }
    for item in inspection.items:
        values[f"result_{item.id}"] = ItemResult(item.result).value
        values[f"notes_{item.id}"] = item.notes
    form = cls(formdata=formdata, data=values) if formdata is not None else cls(data=values)
    keep = {user.id for user in inspection.inspectors}
    users = db.session.scalars(
        select(User)
        .where(
            (User.archived_at.is_(None) & User.active.is_(True)) | User.id.in_(keep or {-1}),
            User.role.in_([role.value for role in INSPECTOR_ROLES]),
        )
        .order_by(User.name_kana, User.name, User.id)
    ).all()
    form.inspector_ids.choices = options(
        (
            user.id,
            _("%(name)s（%(department)s）", name=user.name, department=user.department.name)
            if user.department
            else user.name,
        )
        for user in users
    )
    return form


def record_data(form: RecordForm, inspection: Inspection) -> RecordData:
    """What the validated form says, for ``services.save_record``."""
    return RecordData(
        inspected_on=form.inspected_on.data,
        method=form.method.data,
        method_detail=form.method_detail.data or "",
        inspector_ids=list(form.inspector_ids.data or []),
        other_inspectors=form.other_inspectors.data or "",
        contractor_attendees=form.contractor_attendees.data or "",
        summary=form.summary.data or "",
        findings=form.findings.data or "",
        results={
            item.id: (
                ItemResult(form[f"result_{item.id}"].data),
                form[f"notes_{item.id}"].data or "",
            )
            for item in inspection.items
        },
    )


def complete_form(inspection: Inspection, formdata: Any = None) -> CompleteForm:
    """The completion form with the people who may own the findings' actions."""
    if formdata is not None:
        form = CompleteForm(formdata=formdata)
    else:
        form = CompleteForm(formdata=None, version=inspection.version)
    owner_choices(form.owner_id, inspection.arrangement.kind)
    return form


def detail_forms(inspection: Inspection) -> dict[str, Any]:
    """The forms the detail page shows (only worth building while the record is open)."""
    if inspection.is_done:
        return {"complete_form": None, "photo_form": None}
    return {"complete_form": complete_form(inspection), "photo_form": PhotoForm(formdata=None)}
