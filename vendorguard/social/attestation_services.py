"""Periodic attestations: the owner confirms operators, MFA and credentials every N months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from vendorguard.audit import capture as audit_capture
from vendorguard.auth.models import User
from vendorguard.core.dates import add_months
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import today_tokyo
from vendorguard.social import queries
from vendorguard.social.models import SocialAccount, SocialAttestation
from vendorguard.social.services import lines
from vendorguard.web.i18n import format_day


@dataclass
class AttestationData:
    """What the owner confirms."""

    attested_on: date
    operators: str
    mfa_enabled: bool
    credential_custodian: str
    password_changed_on: date | None = None
    recovery_contact_checked: bool = False
    notes: str = ""


def credentials_ok(data: AttestationData, months: int) -> bool:
    """Custodian named, recovery contact checked, password changed within the last period."""
    recent = data.password_changed_on is not None and data.password_changed_on >= add_months(
        data.attested_on, -months
    )
    return bool(clean(data.credential_custodian)) and data.recovery_contact_checked and recent


def _check(session: Session, account: SocialAccount, data: AttestationData) -> None:
    if account.is_archived:
        raise DomainError(_("アーカイブ済みのアカウントは確認を記録できません。"))
    today = today_tokyo()
    if data.attested_on > today:
        raise DomainError(_("確認日に未来の日付は指定できません。"), field="attested_on")
    latest = session.scalars(queries.latest_attestation(account.id)).first()
    if latest is not None and data.attested_on < latest.attested_on:
        raise DomainError(
            _(
                "前回の確認日（%(day)s）より前の日付は指定できません。",
                day=format_day(latest.attested_on),
            ),
            field="attested_on",
        )
    if not lines(data.operators):
        raise DomainError(_("運用担当者を1人以上入力してください。"), field="operators")
    if not clean(data.credential_custodian):
        raise DomainError(_("認証情報の管理者を入力してください。"), field="credential_custodian")
    if data.password_changed_on is not None and data.password_changed_on > data.attested_on:
        raise DomainError(
            _("パスワードの変更日は確認日以前の日付にしてください。"), field="password_changed_on"
        )


def attest(
    session: Session, account: SocialAccount, user: User, data: AttestationData, months: int
) -> SocialAttestation:
    """Record an attestation, bring the account's operators, MFA and custodian up to date, and
    set its next review ``months`` after the attestation date."""
    _check(session, account, data)
    next_review = add_months(data.attested_on, months)
    attestation = SocialAttestation(
        account_id=account.id,
        attested_by_id=user.id,
        attested_on=data.attested_on,
        operators=lines(data.operators),
        mfa_enabled=data.mfa_enabled,
        credential_custodian=clean(data.credential_custodian),
        password_changed_on=data.password_changed_on,
        recovery_contact_checked=data.recovery_contact_checked,
        credentials_ok=credentials_ok(data, months),
        notes=(data.notes or "").strip(),
        next_review_on=next_review,
    )
    session.add(attestation)
    account.operators = attestation.operators
    account.mfa_enabled = data.mfa_enabled
    account.credential_custodian = attestation.credential_custodian
    account.next_review_on = next_review
    audit_capture.tag(session, account, "attest")
    session.flush()
    return attestation
