"""Enrolment, the second sign-in step, re-authentication, recovery codes, disabling and reset.

Every step is written to the audit trail as a named event on the user's account (``mfa_enrolled``,
``mfa_failed``, ``mfa_replay_refused``, ``mfa_recovery_used`` …); secrets and codes never are.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, delete, update
from sqlalchemy.orm import Session

from vendorguard.audit import services as audit
from vendorguard.audit.context import Actor
from vendorguard.auth import services as auth_services
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.mfa import crypto, queries
from vendorguard.mfa.models import RecoveryCode, TotpCredential

RECOVERY_CODE_COUNT = 10


class CodeReplayed(DomainError):
    """A TOTP code that was already accepted (or an older one) was sent again."""


def required_roles(value: str) -> frozenset[Role]:
    """The roles ``MFA_REQUIRED_ROLES`` names: role values separated by commas, ``*`` for all."""
    value = value.strip()
    if value == "*":
        return frozenset(Role)
    try:
        return frozenset(Role(part.strip()) for part in value.split(",") if part.strip())
    except ValueError:
        raise ValueError(
            f"MFA_REQUIRED_ROLES: unknown role in {value!r}; use {', '.join(Role)} or *"
        ) from None


def _rowcount(result: object) -> int:
    return cast("CursorResult[Any]", result).rowcount or 0


def _event(session: Session, action: str, user: User, actor: Actor | None = None) -> None:
    audit.record(session, action, "user_account", user.id, user.email, actor=actor)


def start_enrolment(session: Session, user: User, secret_key: str) -> TotpCredential:
    """Give the user a new, unconfirmed secret (replacing an unconfirmed one)."""
    found = queries.credential(session, user.id)
    if found is not None and found.confirmed_at is not None:
        raise DomainError(_("二要素認証はすでに登録されています。"))
    stored = crypto.encrypt(crypto.new_secret(), secret_key)
    if found is None:
        found = TotpCredential(user_id=user.id, secret_encrypted=stored)
        session.add(found)
    else:
        found.secret_encrypted, found.last_step, found.created_at = stored, 0, utcnow()
    _event(session, "mfa_enrolment_started", user)
    session.flush()
    return found


def _new_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [crypto.new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        salt = crypto.new_salt()
        session.add(
            RecoveryCode(user_id=user.id, salt=salt, code_hash=crypto.recovery_hash(code, salt))
        )
    return codes


def confirm_enrolment(session: Session, user: User, code: str, secret_key: str) -> list[str]:
    """Put the pending secret in force with a first code; returns the new recovery codes (shown
    once). A wrong code is recorded and refused."""
    found = queries.credential(session, user.id)
    if found is None or found.confirmed_at is not None:
        raise DomainError(_("登録手続きが見つかりません。最初からやり直してください。"))
    try:
        secret = crypto.decrypt(found.secret_encrypted, secret_key)
    except crypto.SecretUnreadable:
        raise DomainError(_("登録手続きが見つかりません。最初からやり直してください。")) from None
    step = crypto.matching_step(secret, _code(code))
    if step is None:
        _event(session, "mfa_enrolment_failed", user)
        session.flush()
        raise DomainError(_("確認コードが正しくありません。"), field="code")
    found.confirmed_at, found.last_step = utcnow(), step
    codes = _new_codes(session, user)
    _event(session, "mfa_enrolled", user)
    session.flush()
    return codes


def _code(code: str) -> str:
    return crypto.normalise_code(code or "")


def _accept_totp(session: Session, user: User, code: str, secret_key: str) -> bool:
    found = queries.credential(session, user.id)
    if found is None or found.confirmed_at is None:
        return False
    try:
        secret = crypto.decrypt(found.secret_encrypted, secret_key)
    except crypto.SecretUnreadable:
        return False  # SECRET_KEY changed: recovery codes still work, an administrator resets
    step = crypto.matching_step(secret, code)
    if step is None:
        return False
    # One statement: of two requests with the same code, only one moves the step on.
    moved = session.execute(
        update(TotpCredential)
        .where(TotpCredential.id == found.id, TotpCredential.last_step < step)
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(moved) != 1:
        raise CodeReplayed(
            _("この確認コードは使用済みです。次のコードが表示されてから入力してください。"),
            field="code",
        )
    return True


def _accept_recovery(session: Session, user: User, code: str) -> bool:
    for candidate in queries.unused_codes(session, user.id):
        if hmac.compare_digest(crypto.recovery_hash(code, candidate.salt), candidate.code_hash):
            used = session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == candidate.id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            return _rowcount(used) == 1
    return False


def check_code(
    session: Session, user: User, code: str, secret_key: str, actor: Actor | None = None
) -> str | None:
    """Accept a TOTP code (each step once) or an unused recovery code (once); returns which kind
    was accepted, or None. A replayed code is recorded and raises ``CodeReplayed``."""
    code = _code(code)
    if not code:
        return None
    if crypto.is_totp_code(code):
        try:
            return "totp" if _accept_totp(session, user, code, secret_key) else None
        except CodeReplayed:
            _event(session, "mfa_replay_refused", user, actor)
            raise
    if _accept_recovery(session, user, code):
        _event(session, "mfa_recovery_used", user, actor)
        return "recovery"
    return None


def _attempt(
    session: Session,
    user: User,
    key: str,
    remote_addr: str,
    policy: auth_services.ThrottlePolicy,
    check: Callable[[Actor], object],
    failed_action: str,
    message: str,
) -> None:
    """Run ``check`` under the sign-in throttle of ``key``; record and raise when it fails."""
    actor = Actor(user.id, user.email, remote_addr)
    now = auth_services.step_attempt(session, key, remote_addr, policy)
    try:
        accepted = check(actor)
    except CodeReplayed:
        auth_services.step_failed(session, key, remote_addr, policy, now)
        raise
    if not accepted:
        _event(session, failed_action, user, actor)
        auth_services.step_failed(session, key, remote_addr, policy, now)
        raise DomainError(message, field="code")
    auth_services.step_succeeded(session, key, remote_addr)


def verify_second_step(
    session: Session,
    user: User,
    code: str,
    remote_addr: str,
    policy: auth_services.ThrottlePolicy,
    secret_key: str,
) -> None:
    """The second sign-in step: a TOTP code or a recovery code, throttled like the password."""
    _attempt(
        session,
        user,
        "mfa:" + auth_services.normalise_email(user.email),
        remote_addr,
        policy,
        lambda actor: check_code(session, user, code, secret_key, actor),
        "mfa_failed",
        _("確認コードまたは回復コードが正しくありません。"),
    )
    _event(session, "login_mfa", user, Actor(user.id, user.email, remote_addr))


def reauthenticate(
    session: Session,
    user: User,
    password: str,
    code: str,
    remote_addr: str,
    policy: auth_services.ThrottlePolicy,
    secret_key: str,
) -> None:
    """Re-authentication before a sensitive action: the password (when the account has one) and
    a code (when enrolled), throttled like signing in."""
    enrolled = queries.is_enrolled(session, user.id)
    if not user.password_hash and not enrolled:  # nothing to prove here (e.g. single sign-on)
        raise DomainError(
            _("この画面では本人確認ができません。一度ログアウトして、ログインし直してください。")
        )

    def check(actor: Actor) -> bool:
        if user.password_hash and not user.check_password(password or ""):
            return False
        return not enrolled or check_code(session, user, code, secret_key, actor) is not None

    _attempt(
        session,
        user,
        "reauth:" + auth_services.normalise_email(user.email),
        remote_addr,
        policy,
        check,
        "reauth_failed",
        _("パスワードまたは確認コードが正しくありません。"),
    )
    _event(session, "reauth", user)


def regenerate_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace all of the user's recovery codes with new ones (shown once)."""
    if not queries.is_enrolled(session, user.id):
        raise DomainError(_("二要素認証が登録されていません。"))
    codes = _new_codes(session, user)
    _event(session, "mfa_recovery_codes_regenerated", user)
    session.flush()
    return codes


def _remove(session: Session, user: User) -> bool:
    found = queries.credential(session, user.id)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    if found is None:
        return False
    session.delete(found)
    return found.confirmed_at is not None


def disable(session: Session, user: User) -> None:
    """The user turns their own second factor off (authenticator and recovery codes)."""
    if not _remove(session, user):
        raise DomainError(_("二要素認証が登録されていません。"))
    _event(session, "mfa_disabled", user)
    session.flush()


def reset(session: Session, user: User, admin: User) -> None:
    """An administrator removes a user's second factor (a lost phone) and ends their sessions;
    the user enrols again at the next sign-in when their role requires it."""
    if user.id == admin.id:
        raise DomainError(_("自分の二要素認証は「二要素認証」の画面で無効にしてください。"))
    if not _remove(session, user):
        raise DomainError(_("この利用者は二要素認証を登録していません。"))
    user.end_sessions()
    _event(session, "mfa_reset", user)
    session.flush()
