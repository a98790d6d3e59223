"""The contractor register: contractors keyed on 法人番号, and their certifications."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from vendorguard.contractors import services
from vendorguard.contractors.models import Certification, CertificationKind, Contractor
from vendorguard.imports import saving as s
from vendorguard.imports.cells import key_text
from vendorguard.imports.columns import Column, Table
from vendorguard.imports.engine import Outcome, RowRefused, write
from vendorguard.imports.lookups import Lookups

CONTRACTOR_COLUMNS = (
    Column(
        "corporate_number",
        _l("法人番号"),
        s.corporate_number,
        ("法人番号（13桁）", "会社法人番号"),
        note=_l(
            "13桁。ハイフン・全角数字も可。照合に使います（法人番号のない事業者は名称で照合）。"
        ),
    ),
    Column(
        "name", _l("委託事業者名"), s.line, ("事業者名", "商号", "名称", "会社名"), required=True
    ),
    Column(
        "name_kana", _l("よみがな"), s.line, ("フリガナ", "ふりがな", "カナ", "よみ"), required=True
    ),
    Column("address", _l("所在地"), s.line, ("住所", "本店所在地")),
    Column("contact_name", _l("担当者名"), s.line, ("担当者",)),
    Column(
        "contact_email", _l("担当者メールアドレス"), s.line, ("メールアドレス", "メール", "E-mail")
    ),
    Column("contact_phone", _l("担当者電話番号"), s.line, ("電話番号", "電話", "TEL")),
    Column("notes", _l("備考"), s.text, ("メモ",)),
    Column("valid_count", _l("有効な認証数"), s.text, export_only=True),
    Column("certifications", _l("保有認証"), s.text, export_only=True),
    Column("updated", _l("更新日"), s.text, export_only=True),
    Column("archived", _l("アーカイブ日"), s.text, export_only=True),
)


def _data(contractor: Contractor) -> services.ContractorData:
    return services.ContractorData(
        name=contractor.name,
        name_kana=contractor.name_kana,
        corporate_number=contractor.corporate_number or "",
        address=contractor.address,
        contact_name=contractor.contact_name,
        contact_email=contractor.contact_email,
        contact_phone=contractor.contact_phone,
        notes=contractor.notes,
    )


def _without_number(lookups: Lookups, name: str) -> Contractor | None:
    found = [c for c in lookups.contractor_by_name(name) if c.corporate_number is None]
    if len(found) > 1:
        raise RowRefused(_("法人番号のない同名の委託事業者が複数あります。"), column="name")
    return found[0] if found else None


class ContractorHandler:
    """Creates or updates a contractor through ``contractors.services``."""

    permission = "contractor.manage"
    field_columns = {name: name for name in ("name", "name_kana", "corporate_number")}

    def key(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        number = values.get("corporate_number")
        if number:
            return ("number", number)
        name = values.get("name")
        return ("name", key_text(name)) if name else None

    def save(self, session, lookups: Lookups, values: dict[str, Any]) -> Outcome:
        number = values.get("corporate_number") or ""
        name = values.get("name") or ""
        if not number and not name:
            raise RowRefused(
                _("法人番号か委託事業者名を入力してください。"), column="corporate_number"
            )
        existing = (
            lookups.contractor_by_number(number) if number else _without_number(lookups, name)
        )
        label = number or name
        if existing is None:
            s.require(
                values,
                ("name", _l("委託事業者名を入力してください。")),
                ("name_kana", _l("よみがなを入力してください。")),
            )
            data = s.overlay(services.ContractorData(name="", name_kana=""), values)
            write(session, services.create_contractor, data)
            lookups.forget_contractors()
            return s.saved(None, None, label, {})
        base = _data(existing)
        data = s.overlay(base, values)
        if data == base:
            return s.unchanged(label)
        before = s.snapshot(existing)
        write(session, services.update_contractor, existing, data)
        lookups.forget_contractors()
        return s.saved(existing, before, label, {c.key: c.key for c in CONTRACTOR_COLUMNS})


CERTIFICATION_COLUMNS = (
    Column(
        "contractor_number",
        _l("法人番号"),
        s.corporate_number,
        ("委託事業者の法人番号",),
        required=True,
        note=_l("認証を持つ委託事業者の法人番号（委託事業者シートか台帳に登録済みのもの）。"),
    ),
    Column(
        "kind",
        _l("種類"),
        s.enum_of(
            CertificationKind,
            {
                "ISMS": CertificationKind.ISMS,
                "ISO27001": CertificationKind.ISMS,
                "Pマーク": CertificationKind.PRIVACY_MARK,
            },
        ),
        ("認証の種類",),
        required=True,
        choices=s.enum_labels(CertificationKind),
    ),
    Column("kind_other", _l("認証の名称（「その他」のとき）"), s.line, ("認証の名称",)),
    Column("number", _l("登録番号"), s.line, ("認証番号", "登録番号・認証番号")),
    Column("issuer", _l("認証機関"), s.line, ("審査機関",)),
    Column("scope", _l("認証範囲"), s.line, ("適用範囲",)),
    Column("valid_from", _l("有効期間の開始日"), s.day, ("登録日", "認証日", "有効期間（自）")),
    Column("valid_until", _l("有効期限"), s.day, ("有効期間の終了日", "有効期間（至）", "期限")),
)


def _certification_data(certification: Certification) -> services.CertificationData:
    return services.CertificationData(
        kind=certification.kind,
        kind_other=certification.kind_other,
        number=certification.number,
        issuer=certification.issuer,
        scope=certification.scope,
        valid_from=certification.valid_from,
        valid_until=certification.valid_until,
    )


class CertificationHandler:
    """Adds or updates a certificate, matched on 法人番号 + 種類 + 登録番号."""

    permission = "contractor.manage"
    field_columns = {"kind": "kind", "kind_other": "kind_other", "valid_until": "valid_until"}

    def key(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        return (values.get("contractor_number"), values.get("kind"), key_text(values.get("number")))

    def save(self, session, lookups: Lookups, values: dict[str, Any]) -> Outcome:
        number = values.get("contractor_number") or ""
        if not number:
            raise RowRefused(_("法人番号を入力してください。"), column="contractor_number")
        contractor = lookups.contractor_by_number(number)
        if contractor is None:
            raise RowRefused(
                _("法人番号 %(number)s の委託事業者が台帳にありません。", number=number),
                column="contractor_number",
            )
        kind = values.get("kind")
        if kind is None:
            raise RowRefused(_("認証の種類を選択してください。"), column="kind")
        wanted = key_text(values.get("number"))
        existing = next(
            (
                c
                for c in session.scalars(
                    select(Certification).where(
                        Certification.contractor_id == contractor.id, Certification.kind == kind
                    )
                )
                if key_text(c.number) == wanted
            ),
            None,
        )
        label = f"{number} {kind.label} {values.get('number') or ''}".strip()
        if existing is None:
            data = s.overlay(services.CertificationData(kind=kind), values)
            write(session, services.add_certification, contractor, data)
            return s.saved(None, None, label, {})
        base = _certification_data(existing)
        data = s.overlay(base, values)
        if data == base:
            return s.unchanged(label)
        before = s.snapshot(existing)
        write(session, services.update_certification, contractor, existing, data)
        return s.saved(existing, before, label, {c.key: c.key for c in CERTIFICATION_COLUMNS})


CONTRACTORS = Table(
    "contractors", _l("委託事業者"), CONTRACTOR_COLUMNS, ContractorHandler(), ("事業者",)
)
CERTIFICATIONS = Table(
    "certifications",
    _l("認証"),
    CERTIFICATION_COLUMNS,
    CertificationHandler(),
    ("保有認証", "認証一覧"),
)
