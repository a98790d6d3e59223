"""Cloud services, keyed on their ID (exports carry it), else on name + owning department."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from vendorguard.arrangements.models import ArrangementState
from vendorguard.cloud import services as cloud
from vendorguard.cloud.models import CloudService, TermsType
from vendorguard.imports import cells
from vendorguard.imports import saving as s
from vendorguard.imports.cells import key_text
from vendorguard.imports.columns import Column, Table
from vendorguard.imports.engine import Outcome, RowRefused, write
from vendorguard.imports.lookups import Lookups
from vendorguard.ismap.models import IsmapKind


def _id(raw: Any, lookups: Lookups) -> int | None:
    return cells.whole_number(raw)


def _departments(raw: Any, lookups: Lookups) -> list[int]:
    found = []
    for name in cells.split_list(raw):
        department = lookups.department(name)
        if department is not None:
            found.append(department.id)
    return found


def _officer(raw: Any, lookups: Lookups) -> int | None:
    user = lookups.staff(raw)
    return None if user is None else user.id


CLOUD_COLUMNS = (
    Column(
        "id",
        _l("ID"),
        _id,
        ("番号",),
        note=_l("エクスポートした台帳のID。空欄の行はサービス名と所管課で照合します。"),
    ),
    Column(
        "title",
        _l("サービス名"),
        s.line,
        ("外部サービス名", "クラウドサービス名", "名称"),
        required=True,
        width=28,
    ),
    Column("provider_name", _l("事業者"), s.line, ("提供事業者", "事業者名", "提供元")),
    Column(
        "provider_number",
        _l("事業者の法人番号"),
        s.corporate_number,
        ("提供事業者の法人番号", "法人番号"),
    ),
    Column("service_url", _l("サービスのURL"), s.line, ("URL",)),
    Column(
        "department",
        _l("所管課"),
        s.department,
        ("担当課", "所属", "課名"),
        required=True,
        choices=s.department_choices,
    ),
    Column(
        "using_department_ids",
        _l("利用課"),
        _departments,
        ("利用する所属", "利用部署"),
        note=_l("所属名を「、」で区切って入力します。"),
    ),
    Column(
        "responsible_officer_id",
        _l("担当者"),
        _officer,
        ("責任者",),
        note=_l("利用者の氏名かメールアドレス。"),
    ),
    Column(
        "state",
        _l("状態"),
        s.enum_of(ArrangementState),
        ("ステータス",),
        choices=s.enum_labels(ArrangementState),
    ),
    Column(
        "handles_high_confidentiality",
        _l("機密性2以上"),
        s.flag,
        ("機密性2以上の情報",),
        choices=s.yes_no_choices,
    ),
    Column(
        "terms_type",
        _l("契約形態"),
        s.enum_of(
            TermsType,
            {
                "約款": TermsType.STANDARD_TERMS,
                "利用規約": TermsType.STANDARD_TERMS,
                "契約": TermsType.CONTRACT,
            },
        ),
        choices=s.enum_labels(TermsType),
    ),
    Column("data_location", _l("データの保存場所"), s.line, ("保存場所", "データセンターの所在地")),
    Column("governing_law", _l("準拠法"), s.line),
    Column("jurisdiction", _l("合意管轄裁判所"), s.line, ("管轄裁判所",)),
    Column(
        "ismap_kind",
        _l("ISMAPの区分"),
        s.enum_of(IsmapKind),
        ("ISMAP区分",),
        choices=s.enum_labels(IsmapKind),
    ),
    Column("ismap_registration_number", _l("ISMAP登録番号"), s.line, ("ISMAP番号",)),
    Column("purpose", _l("利用目的"), s.text, ("目的",)),
    Column("next_review_on", _l("次回見直し日"), s.day, ("見直し日",)),
    *(
        Column(key, label, s.text, export_only=True)
        for key, label in (
            ("ismap_status", _l("ISMAPの状況")),
            ("approval", _l("利用承認")),
            ("approval_until", _l("承認の有効期限")),
            ("risk", _l("リスク")),
            ("updated", _l("更新日")),
            ("archived", _l("アーカイブ日")),
        )
    ),
)
_CLOUD_ATTRS = {
    **{c.key: c.key for c in CLOUD_COLUMNS},
    "department_id": "department",
    "provider_contractor_id": "provider_name",
}


def _cloud_data(service: CloudService) -> cloud.CloudServiceData:
    return cloud.CloudServiceData(
        title=service.title,
        department_id=service.department_id,
        provider_name=service.provider_name,
        provider_contractor_id=service.provider_contractor_id,
        responsible_officer_id=service.responsible_officer_id,
        service_url=service.service_url,
        purpose=service.purpose,
        using_department_ids=[d.id for d in service.using_departments],
        handles_high_confidentiality=service.handles_high_confidentiality,
        terms_type=service.terms_type,
        data_location=service.data_location,
        governing_law=service.governing_law,
        jurisdiction=service.jurisdiction,
        ismap_kind=service.ismap_kind,
        ismap_registration_number=service.ismap_registration_number or "",
        state=service.state,
        next_review_on=service.next_review_on,
    )


def _load(session, service_id: int) -> CloudService | None:
    from sqlalchemy.orm import selectinload

    return session.scalars(
        select(CloudService)
        .where(CloudService.id == service_id)
        .options(selectinload(CloudService.using_departments))
    ).first()


class CloudHandler:
    """Creates or updates a cloud service through ``cloud.services``."""

    permission = "cloud.manage"
    field_columns = {
        "department_id": "department",
        "provider_name": "provider_name",
        "provider_contractor_id": "provider_number",
        "ismap_kind": "ismap_kind",
        "responsible_officer_id": "responsible_officer_id",
        "using_department_ids": "using_department_ids",
    }

    def key(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        if values.get("id"):
            return ("id", values["id"])
        department = values.get("department")
        title = values.get("title")
        return ("name", key_text(title), department.id if department else None) if title else None

    def _find(self, session, values: dict[str, Any]) -> CloudService | None:
        if values.get("id"):
            found = _load(session, values["id"])
            if found is None:
                raise RowRefused(
                    _("ID %(id)s の外部サービスはありません。", id=values["id"]), column="id"
                )
            return found
        department, title = values.get("department"), values.get("title")
        if department is None or not title:
            return None
        matches = [
            service
            for service in session.scalars(
                select(CloudService).where(CloudService.department_id == department.id)
            )
            if key_text(service.title) == key_text(title)
        ]
        if len(matches) > 1:
            raise RowRefused(
                _("同じ所管課に同名の外部サービスが複数あります。ID の列で指定してください。"),
                column="title",
            )
        return _load(session, matches[0].id) if matches else None

    def _overlay(
        self, base: cloud.CloudServiceData, values: dict[str, Any], lookups: Lookups
    ) -> cloud.CloudServiceData:
        data = s.overlay(base, values)
        if values.get("department") is not None:
            data.department_id = values["department"].id
        number = values.get("provider_number")
        if number:
            contractor = lookups.contractor_by_number(number)
            if contractor is None:
                raise RowRefused(
                    _("法人番号 %(number)s の委託事業者が台帳にありません。", number=number),
                    column="provider_number",
                )
            data.provider_contractor_id, data.provider_name = contractor.id, ""
        elif "provider_name" in values and (
            base.provider_contractor_id is None
            or not any(
                c.id == base.provider_contractor_id
                for c in lookups.contractor_by_name(values["provider_name"])
            )
        ):
            data.provider_contractor_id = None  # a typed name that is not the linked company
        elif base.provider_contractor_id is not None:
            data.provider_name = base.provider_name
        if (
            "ismap_registration_number" in values
            and "ismap_kind" not in values
            and base.ismap_kind is None
        ):
            if values["ismap_registration_number"]:
                data.ismap_kind = IsmapKind.ISMAP
        return data

    def save(self, session, lookups: Lookups, values: dict[str, Any]) -> Outcome:
        existing = self._find(session, values)
        if existing is None:
            if values.get("id"):
                raise RowRefused(_("ID の外部サービスはありません。"), column="id")
            s.require(
                values,
                ("title", _l("サービス名を入力してください。")),
                ("department", _l("所管課を入力してください。")),
            )
            base = cloud.CloudServiceData(title="", department_id=0)
            data = self._overlay(base, values, lookups)
            s.ensure_department(lookups, self.permission, data.department_id)
            write(session, cloud.create_service, data)
            return s.saved(None, None, data.title, {})
        base = _cloud_data(existing)
        data = self._overlay(base, values, lookups)
        label = f"{existing.id} {existing.title}"
        if data == base:
            return s.unchanged(label)
        s.ensure_department(lookups, self.permission, existing.department_id, data.department_id)
        before = s.snapshot(existing)
        departments_before = list(base.using_department_ids)
        write(session, cloud.update_service, existing, data)
        extra = (
            ["using_department_ids"]
            if departments_before != [d.id for d in existing.using_departments]
            else []
        )
        return s.saved(existing, before, label, _CLOUD_ATTRS, extra)


CLOUD_SERVICES = Table(
    "cloud_services",
    _l("外部サービス"),
    CLOUD_COLUMNS,
    CloudHandler(),
    ("クラウドサービス", "外部サービス台帳"),
)
