"""Registering contractors and their certifications; every rule about them is checked here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.contractors import corporate_number as cn
from vendorguard.contractors.models import Certification, CertificationKind, Contractor
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean, to_katakana
from vendorguard.core.timeutil import utcnow

# Katakana (with small kana, ヴ and iteration marks), the long-vowel mark, the middle dot and spaces.
_READING = re.compile(r"^[\u30a1-\u30fa\u30fc\u30fd\u30fe\u30fb ]+$")


class DuplicateCorporateNumber(DomainError):
    """The 法人番号 already belongs to another contractor; says which, so the page can link to it."""

    def __init__(self, message: str, existing_id: int, existing_name: str):
        super().__init__(message, field="corporate_number")
        self.existing_id = existing_id
        self.existing_name = existing_name


def normalise_reading(value: str | None) -> str:
    """A reading as katakana (hiragana and half-width kana accepted); anything else is refused."""
    reading = " ".join(to_katakana(value or "").split())
    if not reading:
        raise DomainError(_("よみがなを入力してください。"), field="name_kana")
    if not _READING.match(reading):
        raise DomainError(
            _(
                "よみがなは、ひらがな又はカタカナで入力してください（長音「ー」、中点「・」、空白も使えます）。"
            ),
            field="name_kana",
        )
    return reading


def normalise_corporate_number(value: str | None) -> str | None:
    """A 法人番号 as 13 ASCII digits, or None when left blank (sole proprietors have none)."""
    number = cn.normalise(value or "")
    if not number:
        return None
    if len(number) != 13 or not (number.isascii() and number.isdigit()):
        raise DomainError(_("法人番号は13桁の数字で入力してください。"), field="corporate_number")
    if not cn.is_valid(number):
        raise DomainError(
            _("法人番号のチェックディジットが正しくありません。入力内容をご確認ください。"),
            field="corporate_number",
        )
    return number


@dataclass
class ContractorData:
    """What a person enters about a contractor."""

    name: str
    name_kana: str
    corporate_number: str = ""
    address: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    notes: str = ""


def _apply(session: Session, contractor: Contractor, data: ContractorData) -> Contractor:
    name = clean(data.name)
    if not name:
        raise DomainError(_("委託事業者名を入力してください。"), field="name")
    reading = normalise_reading(data.name_kana)
    number = normalise_corporate_number(data.corporate_number)
    if number is not None:
        clash = session.execute(
            select(Contractor.id, Contractor.name).where(
                Contractor.corporate_number == number, Contractor.id != contractor.id
            )
        ).first()
        if clash is not None:
            raise DuplicateCorporateNumber(
                _("この法人番号の委託事業者は既に登録されています。"),
                existing_id=clash.id,
                existing_name=clash.name,
            )
    contractor.name = name
    contractor.name_kana = reading
    contractor.corporate_number = number
    contractor.address = clean(data.address)
    contractor.contact_name = clean(data.contact_name)
    contractor.contact_email = clean(data.contact_email).lower()
    contractor.contact_phone = clean(data.contact_phone)
    # Notes are prose: keep the clerk's characters as typed, only trim the ends.
    contractor.notes = (data.notes or "").strip()
    session.add(contractor)
    session.flush()
    return contractor


def create_contractor(session: Session, data: ContractorData) -> Contractor:
    """Register a new contractor."""
    return _apply(session, Contractor(), data)


def _ensure_active(contractor: Contractor) -> None:
    if contractor.is_archived:
        raise DomainError(
            _("アーカイブ済みの委託事業者は変更できません。先に「元に戻す」を行ってください。")
        )


def update_contractor(session: Session, contractor: Contractor, data: ContractorData) -> Contractor:
    """Change a contractor's details."""
    _ensure_active(contractor)
    return _apply(session, contractor, data)


def archive_contractor(session: Session, contractor: Contractor) -> None:
    """Archive a contractor: its history stays, it is no longer offered for new engagements."""
    if contractor.is_archived:
        raise DomainError(_("この委託事業者は既にアーカイブされています。"))
    contractor.archived_at = utcnow()
    session.flush()


def restore_contractor(session: Session, contractor: Contractor) -> None:
    """Bring an archived contractor back into use."""
    if not contractor.is_archived:
        raise DomainError(_("この委託事業者はアーカイブされていません。"))
    contractor.archived_at = None
    session.flush()


@dataclass
class CertificationData:
    """What a person enters about a certificate."""

    kind: CertificationKind | str
    kind_other: str = ""
    number: str = ""
    issuer: str = ""
    scope: str = ""
    valid_from: date | None = None
    valid_until: date | None = None


def _apply_certification(
    session: Session, certification: Certification, data: CertificationData
) -> Certification:
    try:
        kind = CertificationKind(data.kind)
    except ValueError:
        raise DomainError(_("認証の種類を選択してください。"), field="kind") from None
    kind_other = clean(data.kind_other) if kind == CertificationKind.OTHER else ""
    if kind == CertificationKind.OTHER and not kind_other:
        raise DomainError(
            _("「その他」を選んだときは、認証の名称を入力してください。"), field="kind_other"
        )
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        raise DomainError(
            _("有効期限は有効期間の開始日以降の日付にしてください。"), field="valid_until"
        )
    certification.kind = kind
    certification.kind_other = kind_other
    certification.number = clean(data.number)
    certification.issuer = clean(data.issuer)
    certification.scope = clean(data.scope)
    certification.valid_from = data.valid_from
    certification.valid_until = data.valid_until
    session.add(certification)
    session.flush()
    return certification


def add_certification(
    session: Session, contractor: Contractor, data: CertificationData
) -> Certification:
    """Record a certificate the contractor holds."""
    _ensure_active(contractor)
    return _apply_certification(session, Certification(contractor_id=contractor.id), data)


def update_certification(
    session: Session, contractor: Contractor, certification: Certification, data: CertificationData
) -> Certification:
    """Change a certificate (e.g. after a renewal audit moved its end date)."""
    _ensure_active(contractor)
    if certification.archived_at is not None:
        raise DomainError(_("アーカイブ済みの認証は編集できません。"))
    return _apply_certification(session, certification, data)


def archive_certification(
    session: Session, contractor: Contractor, certification: Certification
) -> None:
    """Archive a certificate entered by mistake or withdrawn; it stays in the history."""
    _ensure_active(contractor)
    if certification.archived_at is not None:
        raise DomainError(_("この認証は既にアーカイブされています。"))
    certification.archived_at = utcnow()
    session.flush()


def restore_certification(
    session: Session, contractor: Contractor, certification: Certification
) -> None:
    """Bring an archived certificate back."""
    _ensure_active(contractor)
    if certification.archived_at is None:
        raise DomainError(_("この認証はアーカイブされていません。"))
    certification.archived_at = None
    session.flush()
