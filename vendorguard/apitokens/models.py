"""A personal API token: only a short lookup prefix and the sha256 of the whole token are kept."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.models import str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model


class TokenScope(LabelledEnum):
    """What a token may do: read only, or also write (with its user's rights, never more)."""

    READ = "read", _l("読み取りのみ")
    READ_WRITE = "read_write", _l("読み取りと書き込み")


class ApiToken(Audited, Model):
    """A bearer token acting as its user; shown once when created, then only its prefix."""

    __tablename__ = "api_token"
    __audit_label__ = "name"
    __audit_exclude__ = frozenset({"token_hash"})
    # Bookkeeping of every API call; creating and revoking are the events.
    __audit_ignore__ = frozenset({"last_used_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The token's public part ("vg_" + 8 characters): finds the row without comparing hashes of all.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[TokenScope] = mapped_column(str_enum(TokenScope), default=TokenScope.READ)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", lazy="raise")

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now

    def is_usable(self, now: datetime) -> bool:
        """Neither revoked nor expired (its user's state is checked when it is used)."""
        return self.revoked_at is None and not self.is_expired(now)
