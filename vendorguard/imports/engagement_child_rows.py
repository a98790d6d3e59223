"""Tables hanging off an engagement: information items (契約番号 + 名称) and subcontractors
(契約番号 + 法人番号, else 名称)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from vendorguard.classification.models import Axis
from vendorguard.engagements import services, subcontracting
from vendorguard.engagements.models import Engagement, InformationItem, Subcontractor
from vendorguard.imports import cells
from vendorguard.imports import saving as s
from vendorguard.imports.cells import CellError, key_text
from vendorguard.imports.columns import Column, Table
from vendorguard.imports.engagement_rows import contract_number, find_engagement
from vendorguard.imports.engine import Outcome, RowRefused, write
from vendorguard.imports.lookups import Lookups


def _engagement_for_child(
    session, lookups: Lookups, values: dict[str, Any], permission: str
) -> Engagement:
    number = values.get("contract_number") or ""
    if not number:
        raise RowRefused(_("契約番号を入力してください。"), column="contract_number")
    engagement = find_engagement(session, number)
    if engagement is None:
        raise RowRefused(
            _("契約番号 %(number)s の業務委託がありません。", number=number),
            column="contract_number",
        )
    s.ensure_department(lookups, permission, engagement.department_id)
    return engagement


def _level(axis: Axis):
    def parse(raw: Any, lookups: Lookups) -> int | None:
        level = lookups.level(axis, raw)
        return None if level is None else level.id

    return parse


def _level_choices(axis: Axis):
    return lambda lookups: [level.label for level in lookups.levels[axis]]


ITEM_COLUMNS = (
    Column("contract_number", _l("契約番号"), contract_number, ("契約No",), required=True),
    Column(
        "name",
        _l("情報の名称"),
        s.line,
        ("取り扱う情報", "情報資産", "情報名"),
        required=True,
        width=24,
    ),
    Column("description", _l("説明"), s.text, ("内容",)),
    Column(
        "confidentiality_level_id",
        _l("機密性"),
        _level(Axis.CONFIDENTIALITY),
        choices=_level_choices(Axis.CONFIDENTIALITY),
    ),
    Column(
        "integrity_level_id",
        _l("完全性"),
        _level(Axis.INTEGRITY),
        choices=_level_choices(Axis.INTEGRITY),
    ),
    Column(
        "availability_level_id",
        _l("可用性"),
        _level(Axis.AVAILABILITY),
        choices=_level_choices(Axis.AVAILABILITY),
    ),
)


class InformationHandler:
    """Adds or updates an information item, matched on 契約番号 + 情報の名称."""

    permission = "engagement.manage"
    field_columns = {"name": "name", **{k: k for k in services.LEVEL_FIELDS}}

    def key(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        return (key_text(values.get("contract_number")), key_text(values.get("name")))

    def save(self, session, lookups: Lookups, values: dict[str, Any]) -> Outcome:
        engagement = _engagement_for_child(session, lookups, values, self.permission)
        name = values.get("name") or ""
        if not name:
            raise RowRefused(_("情報の名称を入力してください。"), column="name")
        existing = next(
            (
                item
                for item in session.scalars(
                    select(InformationItem).where(InformationItem.engagement_id == engagement.id)
                )
                if key_text(item.name) == key_text(name)
            ),
            None,
        )
        label = f"{engagement.contract_number} {name}"
        if existing is None:
            write(
                session,
                services.add_information_item,
                engagement,
                s.overlay(services.InformationData(name=name), values),
            )
            return s.saved(None, None, label, {})
        base = services.InformationData(
            name=existing.name,
            description=existing.description,
            **{k: getattr(existing, k) for k in services.LEVEL_FIELDS},
        )
        data = s.overlay(base, values)
        if data == base:
            return s.unchanged(label)
        before = s.snapshot(existing)
        write(session, services.update_information_item, engagement, existing, data)
        return s.saved(existing, before, label, {c.key: c.key for c in ITEM_COLUMNS})


SUBCONTRACTOR_COLUMNS = (
    Column("contract_number", _l("契約番号"), contract_number, ("契約No",), required=True),
    Column(
        "name", _l("再委託先の名称"), s.line, ("再委託先", "再委託先名"), required=True, width=24
    ),
    Column("corporate_number", _l("再委託先の法人番号"), s.corporate_number, ("法人番号",)),
    Column("work_scope", _l("再委託する業務の範囲"), s.text, ("業務の範囲", "再委託の内容")),
    # The stage that entrusts this one, by name or 法人番号 (blank: the contractor itself); the
    # tier (再委託, 再々委託 …) follows from it, as on the subcontractor form.
    Column("parent", _l("上位の委託先"), s.line, ("再委託元", "委託元", "上位の再委託先")),
    Column("approved_by", _l("許諾した者"), s.line, ("許諾者",)),
    Column("approved_on", _l("許諾日"), s.day, ("承認日",)),
)


def _sub_data(sub: Subcontractor) -> subcontracting.SubcontractorData:
    return subcontracting.SubcontractorData(
        name=sub.name,
        contractor_id=sub.contractor_id,
        corporate_number=sub.corporate_number or "",
        work_scope=sub.work_scope,
        parent_id=sub.parent_id,
        information_handled=sub.information_handled,
        flow_down=list(sub.flow_down or []),
        approved_by=sub.approved_by or "",
        approved_on=sub.approved_on,
        approval_conditions=sub.approval_conditions,
    )


def _parent_id(subs, parent: str, own: Subcontractor | None) -> int | None:
    """The stage named (or numbered) ``parent`` among the engagement's stages; None when blank."""
    if not parent:
        return None
    try:
        digits = cells.corporate_number(parent)
    except CellError:
        digits = ""  # a name, not a number
    for sub in subs:
        if sub is own or sub.archived_at is not None:
            continue
        if (digits and sub.corporate_number == digits) or key_text(sub.name) == key_text(parent):
            return sub.id
    raise RowRefused(
        _("上位の委託先「%(name)s」は、この業務の再委託先にありません。", name=parent), "parent"
    )


class SubcontractorHandler:
    """Adds or updates a subcontractor, matched on 契約番号 + 法人番号 (or its name)."""

    permission = "engagement.manage"
    field_columns = {
        "name": "name",
        "corporate_number": "corporate_number",
        "parent_id": "parent",
        "approved_by": "approved_by",
        "approved_on": "approved_on",
    }

    def key(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        return (
            key_text(values.get("contract_number")),
            values.get("corporate_number") or key_text(values.get("name")),
        )

    def save(self, session, lookups: Lookups, values: dict[str, Any]) -> Outcome:
        engagement = _engagement_for_child(session, lookups, values, self.permission)
        number, name = values.get("corporate_number") or "", values.get("name") or ""
        subs = session.scalars(
            select(Subcontractor).where(Subcontractor.engagement_id == engagement.id)
        ).all()
        existing = next(
            (
                sub
                for sub in subs
                if (number and sub.corporate_number == number)
                or (not number and key_text(sub.name) == key_text(name))
            ),
            None,
        )
        label = f"{engagement.contract_number} {name or number}"
        user_id = getattr(lookups.user, "id", None)
        values = dict(values)
        if "parent" in values:
            values["parent_id"] = _parent_id(subs, values.pop("parent") or "", existing)
        if existing is None:
            data = s.overlay(subcontracting.SubcontractorData(), values)
            write(session, subcontracting.add_subcontractor, engagement, data, user_id)
            return s.saved(None, None, label, {})
        base = _sub_data(existing)
        wanted = dict(values)
        if existing.contractor_id is not None:
            wanted.pop("name", None)  # a registered company's name comes from the register
        data = s.overlay(base, wanted)
        if data == base:
            return s.unchanged(label)
        before = s.snapshot(existing)
        write(session, subcontracting.update_subcontractor, engagement, existing, data, user_id)
        return s.saved(existing, before, label, {c.key: c.key for c in SUBCONTRACTOR_COLUMNS})


INFORMATION_ITEMS = Table(
    "information_items",
    _l("取扱情報"),
    ITEM_COLUMNS,
    InformationHandler(),
    ("取り扱う情報", "情報"),
)
SUBCONTRACTORS = Table(
    "subcontractors", _l("再委託先"), SUBCONTRACTOR_COLUMNS, SubcontractorHandler(), ("再委託",)
)
