"""Providers and their mapping rows as administrators keep them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vendorguard.auth.roles import INTERNAL_ROLES, Role
from vendorguard.core.errors import DomainError
from vendorguard.org.models import Department
from vendorguard.sso import oidc
from vendorguard.sso.models import MatchClaim, SsoProvider, SsoRoleMapping

# Roles whose work is tied to one department's records (as for users entered by hand).
DEPARTMENT_ROLES = frozenset({Role.OFFICER, Role.SNS_OWNER})


@dataclass
class ProviderData:
    """What an administrator enters about a provider; an empty secret keeps the stored one."""

    name: str
    discovery_url: str
    client_id: str
    client_secret: str
    scopes: str
    match_claim: str
    provisioning: bool
    enabled: bool


@dataclass
class MappingData:
    """One row: when ``claim`` holds ``value``, the user gets ``role`` and ``department_id``."""

    claim: str
    value: str
    role: str
    department_id: int | None
    position: int = 0


def save_provider(
    session: Session, provider: SsoProvider | None, data: ProviderData
) -> SsoProvider:
    """Create a provider, or change one; the secret is replaced only when a new one is typed."""
    name = data.name.strip()
    clash = session.scalars(
        select(SsoProvider.id).where(
            func.lower(SsoProvider.name) == name.lower(),
            SsoProvider.id != (provider.id if provider else -1),
        )
    ).first()
    if clash is not None:
        raise DomainError(_("この名称のIDプロバイダーは既に登録されています。"), field="name")
    url = data.discovery_url.strip()
    if not oidc.allowed_url(url) or not url.endswith("/.well-known/openid-configuration"):
        raise DomainError(
            _(
                "ディスカバリーURLは https:// で始まり /.well-known/openid-configuration で"
                "終わるURLを入力してください。"
            ),
            field="discovery_url",
        )
    try:
        match_claim = MatchClaim(data.match_claim)
    except ValueError:
        raise DomainError(_("照合に使う項目を選択してください。"), field="match_claim") from None
    scopes = " ".join(data.scopes.split())
    if provider is None:
        provider = SsoProvider(name=name, discovery_url=url, client_id="", client_secret="")
        session.add(provider)
    values = {
        "name": name,
        "discovery_url": url,
        "client_id": data.client_id.strip(),
        "scopes": scopes or "openid email profile",
        "match_claim": match_claim,
        "provisioning": bool(data.provisioning),
        "enabled": bool(data.enabled),
    }
    if data.client_secret.strip():
        values["client_secret"] = data.client_secret.strip()
    for key, value in values.items():
        if getattr(provider, key) != value:
            setattr(provider, key, value)
    session.flush()
    return provider


def add_mapping(session: Session, provider: SsoProvider, data: MappingData) -> SsoRoleMapping:
    """Add a claim → role and department row to a provider."""
    try:
        role = Role(data.role)
    except ValueError:
        raise DomainError(_("役割を選択してください。"), field="role") from None
    if role not in INTERNAL_ROLES:
        raise DomainError(
            _("委託事業者の役割はシングルサインオンでは割り当てられません。"), field="role"
        )
    if role in DEPARTMENT_ROLES and data.department_id is None:
        raise DomainError(_("この役割では所属の選択が必要です。"), field="department_id")
    if data.department_id is not None:
        department = session.get(Department, data.department_id)
        if department is None or department.is_archived:
            raise DomainError(_("この所属は選択できません。"), field="department_id")
    mapping = SsoRoleMapping(
        provider_id=provider.id,
        claim=data.claim.strip(),
        value=data.value.strip(),
        role=role,
        department_id=data.department_id,
        position=data.position,
    )
    session.add(mapping)
    session.flush()
    return mapping


def delete_mapping(session: Session, mapping: SsoRoleMapping) -> None:
    """Remove a mapping row (users it gave a role keep it until their next SSO sign-in)."""
    session.delete(mapping)
    session.flush()


def client_for(provider: SsoProvider, timeout: float) -> oidc.Client:
    """The protocol's view of a provider."""
    return oidc.Client(
        discovery_url=provider.discovery_url,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scopes=tuple(provider.scope_list),
        timeout=timeout,
    )
