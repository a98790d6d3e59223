"""Users and the record of failed logins used for throttling."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from vendorguard.audit.mixins import Audited
from vendorguard.auth.roles import Role, role_has
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model

if TYPE_CHECKING:  # org sits above auth: the relationship is resolved by name
    from vendorguard.org.models import Department


class User(Audited, UserMixin, Model):
    """A person who signs in: city staff, or a contractor's staff member (portal only)."""

    __tablename__ = "user_account"
    __audit_label__ = "email"
    __audit_exclude__ = frozenset({"password_hash"})
    # last_login_at: the login event itself records it; session_generation: bumped by the events
    # that end sessions (logout, password, role …), which are recorded themselves.
    __audit_ignore__ = frozenset({"last_login_at", "session_generation"})

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_kana: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("contractor.id"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="ja")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session cookie's user id; raising it ends all of the user's sessions at once.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    department: Mapped[Department | None] = relationship(lazy="joined")

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash (werkzeug's default) of the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Compare a password with the stored hash in constant time."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What the session cookie keeps: the id and the session generation (``"12:3"``)."""
        return f"{self.id}:{self.session_generation or 0}"

    def end_sessions(self) -> None:
        """Make every session cookie issued so far for this user worthless."""
        self.session_generation = (self.session_generation or 0) + 1

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active and self.archived_at is None

    @property
    def is_internal(self) -> bool:
        return self.role != Role.CONTRACTOR

    def can(self, permission: str) -> bool:
        """Whether the user's role holds a permission (object limits come from ``can_change``)."""
        return role_has(self.role, permission)

    def __str__(self) -> str:
        return self.name


class LoginFailure(Model):
    """A failed sign-in, kept to throttle guessing per account and per address."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_email_at", "email", "occurred_at"),
        Index("ix_login_failure_address_at", "remote_addr", "occurred_at"),
        Index("ix_login_failure_occurred_at", "occurred_at"),  # pruning old failures
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    remote_addr: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
