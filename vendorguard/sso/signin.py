"""Who an OpenID Connect sign-in is: the user matched by subject or e-mail (or provisioned just in
time), with the role and department the provider's mapping rows give. Refusals are domain errors
that carry a reason for the audit trail."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vendorguard.audit import services as audit
from vendorguard.audit.context import Actor, acting_as
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.auth.services import normalise_email
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import utcnow
from vendorguard.sso.models import MatchClaim, SsoIdentity, SsoProvider, SsoRoleMapping


class SsoRefused(DomainError):
    """The sign-in is refused; ``reason`` (English, short) goes into the audit trail."""

    def __init__(self, message: str, reason: str, label: str = ""):
        super().__init__(message)
        self.reason = reason
        self.label = label


def failed(reason: str) -> SsoRefused:
    """The refusal for a provider answer that could not be trusted (state, nonce, signature …)."""
    return SsoRefused(
        _(
            "シングルサインオンでのログインを確認できませんでした。"
            "もう一度ログインし直してください。続く場合は管理者に連絡してください。"
        ),
        reason,
    )


def enabled_provider(session: Session, provider_id: int) -> SsoProvider:
    """The provider to sign in with; refuses one that is switched off."""
    provider = session.get(SsoProvider, provider_id)
    if provider is None or not provider.enabled:
        raise SsoRefused(
            _("このシングルサインオンは現在利用できません。管理者に連絡してください。"),
            "provider disabled",
        )
    return provider


def _mapping(session: Session, provider: SsoProvider, claims: dict[str, Any]) -> SsoRoleMapping:
    rows = session.scalars(
        select(SsoRoleMapping)
        .where(SsoRoleMapping.provider_id == provider.id)
        .order_by(SsoRoleMapping.position, SsoRoleMapping.id)
    ).all()
    for row in rows:
        if row.matches(claims):
            return row
    raise SsoRefused(
        _(
            "このアカウントには、この業務システムでの役割が割り当てられていないため、"
            "ログインできません。所属の管理者に役割の設定を依頼してください。"
        ),
        "no role mapped",
    )


def _last_admin_demoted(session: Session, user: User, mapping: SsoRoleMapping) -> bool:
    """Whether applying the mapping would leave the city without an active administrator."""
    if user.role != Role.ADMIN or mapping.role == Role.ADMIN:
        return False
    others = session.scalars(
        select(User.id).where(
            User.role == Role.ADMIN,
            User.active.is_(True),
            User.archived_at.is_(None),
            User.id != user.id,
        )
    ).first()
    return others is None


def _email(claims: dict[str, Any]) -> str:
    """The claim's e-mail address, unless the provider says it is unverified."""
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is False:
        return ""
    return normalise_email(email)


def _find(
    session: Session, provider: SsoProvider, subject: str, email: str
) -> tuple[User | None, SsoIdentity | None]:
    identity = session.scalars(
        select(SsoIdentity).where(
            SsoIdentity.provider_id == provider.id, SsoIdentity.subject == subject
        )
    ).first()
    if identity is not None:
        return session.get_one(User, identity.user_id), identity
    if provider.match_claim == MatchClaim.EMAIL and email:
        user = session.scalars(select(User).where(func.lower(User.email) == email)).first()
        return user, None
    return None, None


def _provision(session: Session, claims: dict[str, Any], email: str) -> User:
    if not email:
        raise SsoRefused(
            _(
                "利用者を自動登録するためのメールアドレスがIDプロバイダーから届きませんでした。"
                "管理者に連絡してください。"
            ),
            "no e-mail to provision",
        )
    if session.scalars(select(User.id).where(func.lower(User.email) == email)).first():
        # Another account holds the address (this provider matches by subject): never merge.
        raise SsoRefused(
            _("このメールアドレスの利用者は既に登録されています。管理者に連絡してください。"),
            "e-mail taken",
        )
    name = claims.get("name") or " ".join(
        str(claims[key]) for key in ("family_name", "given_name") if claims.get(key)
    )
    user = User(email=email, name=clean(str(name or email))[:100], password_hash="")
    session.add(user)
    return user


def sign_in(
    session: Session, provider: SsoProvider, claims: dict[str, Any], remote_addr: str
) -> User:
    """The user for checked id_token claims, with the mapped role and department applied."""
    subject = str(claims.get("sub") or "")
    email = _email(claims)
    label = email or subject
    user, identity = _find(session, provider, subject, email)
    try:
        mapping = _mapping(session, provider, claims)
        if user is None:
            if not provider.provisioning:
                raise SsoRefused(
                    _(
                        "このアカウントはまだ利用者として登録されていません。"
                        "管理者に利用者の登録を依頼してください。"
                    ),
                    "no such user",
                )
            user = _provision(session, claims, email)
        elif not user.is_active:
            raise SsoRefused(
                _("この利用者は無効になっています。管理者に連絡してください。"), "user inactive"
            )
        elif user.role == Role.CONTRACTOR:
            raise SsoRefused(
                _("委託事業者の利用者はシングルサインオンでログインできません。"),
                "contractor user",
            )
        if user.id is not None and _last_admin_demoted(session, user, mapping):
            raise SsoRefused(
                _(
                    "有効な管理者がこの利用者だけのため、役割の対応によって管理者でなくなる"
                    "ログインはできません。役割の対応を見直すか、別の管理者を登録してください。"
                ),
                "would demote the last administrator",
            )
    except SsoRefused as refusal:
        refusal.label = label
        raise
    with acting_as(f"sso:{provider.name}"):
        if user.role != mapping.role:
            user.role = mapping.role
        if user.department_id != mapping.department_id:
            user.department_id = mapping.department_id
        user.last_login_at = utcnow()
        session.flush()
        if identity is None:
            identity = SsoIdentity(provider_id=provider.id, subject=subject, user_id=user.id)
            session.add(identity)
        identity.last_used_at = utcnow()
        session.flush()
    audit.record(
        session,
        "login",
        "user_account",
        user.id,
        user.email,
        after={"sso": provider.name, "subject": subject, "mapping": mapping.id},
        actor=Actor(user.id, user.email, remote_addr),
    )
    return user


def record_refusal(
    session: Session, provider_id: int | None, refusal: SsoRefused, remote_addr: str
) -> None:
    """Write a refused SSO sign-in into the audit trail (the caller commits)."""
    audit.record(
        session,
        "sso_refused",
        "sso_provider",
        provider_id,
        refusal.label,
        after={"reason": refusal.reason},
        actor=Actor(None, "anonymous", remote_addr),
    )


def providers_for_login(session: Session) -> list[SsoProvider]:
    """The switched-on providers, for the sign-in page's buttons."""
    return list(
        session.scalars(
            select(SsoProvider).where(SsoProvider.enabled.is_(True)).order_by(SsoProvider.name)
        )
    )
