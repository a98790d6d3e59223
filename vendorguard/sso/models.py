"""OpenID providers, the rows mapping their claims to roles and departments, linked subjects."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.audit.mixins import Audited
from vendorguard.auth.roles import Role
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model

if TYPE_CHECKING:
    from vendorguard.org.models import Department


class MatchClaim(LabelledEnum):
    """How a signed-in person is found among the users."""

    EMAIL = "email", _l("メールアドレス（email）"), ""
    SUB = "sub", _l("利用者識別子（sub）"), ""


def _values(enum: type[Role] | type[MatchClaim]) -> list[str]:
    return [member.value for member in enum]


class SsoProvider(Audited, Model):
    """An OpenID provider found by its discovery URL (Entra ID, Keycloak, …)."""

    __tablename__ = "sso_provider"
    __audit_label__ = "name"
    __audit_exclude__ = frozenset({"client_secret"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    discovery_url: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    # Sent to the token endpoint, so it is kept as is; never shown back on a page or in the trail.
    client_secret: Mapped[str] = mapped_column(String(500), default="")
    scopes: Mapped[str] = mapped_column(String(255), default="openid email profile")
    match_claim: Mapped[MatchClaim] = mapped_column(
        Enum(MatchClaim, native_enum=False, length=10, values_callable=_values),
        default=MatchClaim.EMAIL,
    )
    provisioning: Mapped[bool] = mapped_column(default=False)  # just-in-time user creation
    enabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mappings: Mapped[list[SsoRoleMapping]] = relationship(
        back_populates="provider",
        lazy="raise",
        order_by="(SsoRoleMapping.position, SsoRoleMapping.id)",
        cascade="all, delete-orphan",
    )

    @property
    def scope_list(self) -> list[str]:
        """The scopes to ask for; ``openid`` always among them."""
        scopes = [scope for scope in self.scopes.split() if scope]
        return scopes if "openid" in scopes else ["openid", *scopes]

    def __str__(self) -> str:
        return self.name


class SsoRoleMapping(Audited, Model):
    """A claim value (a group, an app role …) that gives a role and a department; first row wins."""

    __tablename__ = "sso_role_mapping"
    __audit_label__ = "value"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("sso_provider.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    claim: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=_values)
    )
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)

    provider: Mapped[SsoProvider] = relationship(back_populates="mappings", lazy="raise")
    department: Mapped[Department | None] = relationship(lazy="joined")

    def matches(self, claims: dict[str, object]) -> bool:
        """Whether the claim holds this value (equal, or one of a list such as ``groups``)."""
        held = claims.get(self.claim)
        if isinstance(held, list | tuple):
            return self.value in [str(item) for item in held]
        return held is not None and str(held) == self.value


class SsoIdentity(Model):
    """A provider's subject (``sub``) linked to a user at their first SSO sign-in."""

    __tablename__ = "sso_identity"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("sso_provider.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
