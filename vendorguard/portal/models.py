"""Invitations of contractor staff to the portal (a set-password link, single use)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.audit.mixins import Audited
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model


class Invitation(Audited, Model):
    """One set-password link sent to a contractor user. Only a hash of its nonce is kept."""

    __tablename__ = "portal_invitation"
    __audit_label__ = "id"
    __audit_exclude__ = frozenset({"nonce_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the token's nonce
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime
    )  # a newer invitation replaced it

    user = relationship("User", lazy="raise", foreign_keys=[user_id])
