"""Reads of a user's second factor."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vendorguard.mfa.models import RecoveryCode, TotpCredential


@dataclass(frozen=True)
class MfaStatus:
    """What a user has: a confirmed authenticator, one waiting for its first code, codes left."""

    enrolled: bool
    pending: bool
    codes_left: int


def credential(session: Session, user_id: int) -> TotpCredential | None:
    """The user's TOTP credential, confirmed or pending, if any."""
    return session.scalars(select(TotpCredential).where(TotpCredential.user_id == user_id)).first()


def is_enrolled(session: Session, user_id: int) -> bool:
    """Whether the user has a confirmed authenticator."""
    found = session.scalars(
        select(TotpCredential.id).where(
            TotpCredential.user_id == user_id, TotpCredential.confirmed_at.is_not(None)
        )
    ).first()
    return found is not None


def unused_codes(session: Session, user_id: int) -> list[RecoveryCode]:
    """The user's recovery codes not used yet."""
    return list(
        session.scalars(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
            )
        )
    )


def status(session: Session, user_id: int) -> MfaStatus:
    """The user's second factor at a glance (two queries)."""
    found = credential(session, user_id)
    left = session.execute(
        select(func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    ).scalar_one()
    return MfaStatus(
        enrolled=found is not None and found.confirmed_at is not None,
        pending=found is not None and found.confirmed_at is None,
        codes_left=left,
    )
