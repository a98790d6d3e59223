"""Authentication with throttling of failed attempts, per account and per address."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, delete, func, select, text, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from vendorguard.audit import services as audit
from vendorguard.audit.context import Actor
from vendorguard.auth.models import LoginFailure, User
from vendorguard.auth.passwords import check_new_password
from vendorguard.auth.roles import Role
from vendorguard.core import settings
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime


@dataclass(frozen=True)
class ThrottlePolicy:
    """Failed sign-ins allowed before waiting: per account *and* address (with growing delays),
    per address over all accounts, and per account over all addresses (10× the first)."""

    per_account: int = 5
    per_address: int = 20
    minutes: int = 15  # window for the per-address and per-account counts; cap of the delay
    retention_days: int = 30  # failures older than this are deleted

    @property
    def per_account_any_address(self) -> int:
        return self.per_account * 10


# Failures of one account from one address are remembered this long for the growing delay (a
# successful sign-in from that address forgets them at once).
PAIR_MEMORY = timedelta(hours=24)


class LoginThrottled(DomainError):
    """Too many failed attempts; the message says how long to wait."""


class LoginRejected(DomainError):
    """Wrong e-mail or password (deliberately not saying which)."""


class PasswordLoginOff(DomainError):
    """The user's role signs in through single sign-on only."""


def sso_only_roles(value: str | None = None) -> frozenset[Role]:
    """The roles whose password sign-in is switched off (setting ``SSO_ONLY_ROLES``)."""
    text_value = settings.current().sso_only_roles if value is None else value
    names = {name.strip() for name in text_value.replace(" ", ",").split(",") if name.strip()}
    return frozenset(role for role in Role if role.value in names)


def normalise_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively and without surrounding spaces."""
    return email.strip().lower()


@cache
def _dummy_hash() -> str:
    # Made the way real passwords are hashed, so checking it costs what checking theirs costs.
    return generate_password_hash(secrets.token_hex(16))


def _serialise(session: Session, email: str) -> None:
    """Make concurrent attempts on one account take turns until the caller commits, so each sees
    the failures of the ones before it (the count and the new failure are one atomic step)."""
    if session.get_bind().dialect.name == "postgresql":
        number = int.from_bytes(hashlib.sha256(b"login:" + email.encode()).digest()[:8], "big")
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": number - 2**63})
    else:
        # SQLite has one writer: a write statement takes the database's write lock now.
        session.execute(
            update(LoginFailure).where(LoginFailure.id == -1).values(email=LoginFailure.email)
        )


def _aware(value: datetime) -> datetime:
    return UTCDateTime().process_result_value(value, None)  # min()/max() over SQLite text


def _locked_until(
    session: Session, email: str, remote_addr: str, policy: ThrottlePolicy, now: datetime
) -> datetime | None:
    window = now - timedelta(minutes=policy.minutes)
    until: list[datetime] = []
    count, last = session.execute(
        select(func.count(), func.max(LoginFailure.occurred_at)).where(
            LoginFailure.email == email,
            LoginFailure.remote_addr == remote_addr,
            LoginFailure.occurred_at >= now - PAIR_MEMORY,
        )
    ).one()
    if count >= policy.per_account:
        # 1, 2, 4, 8 … minutes after the last failure, at most the lockout minutes.
        delay = min(2 ** (count - policy.per_account), policy.minutes)
        until.append(_aware(last) + timedelta(minutes=delay))
    for column, value, limit in (
        (LoginFailure.remote_addr, remote_addr, policy.per_address),
        (LoginFailure.email, email, policy.per_account_any_address),
    ):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.occurred_at)).where(
                column == value, LoginFailure.occurred_at >= window
            )
        ).one()
        if count >= limit:
            until.append(_aware(oldest) + timedelta(minutes=policy.minutes))
    latest = max(until, default=None)
    return latest if latest is not None and latest > now else None


def _throttled(until: datetime, now: datetime) -> LoginThrottled:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return LoginThrottled(
        _(
            "ログインの失敗が続いたため、一時的にログインできません。"
            "%(minutes)d分後にもう一度お試しください。",
            minutes=minutes,
        )
    )


def prune_failures(session: Session, older_than: timedelta) -> int:
    """Delete failed sign-ins older than ``older_than``; returns how many."""
    # A DELETE returns a CursorResult; Session.execute is typed with the general Result.
    result = cast(
        "CursorResult[Any]",
        session.execute(
            delete(LoginFailure).where(LoginFailure.occurred_at < utcnow() - older_than)
        ),
    )
    return result.rowcount or 0


def authenticate(
    session: Session, email: str, password: str, remote_addr: str, policy: ThrottlePolicy
) -> User:
    """Return the user for valid credentials; record and raise on failure or while throttled.

    Unknown, inactive and password-less accounts cost one password hash check too, so the time
    taken does not tell which e-mail addresses exist. Attempts on one account are serialised
    (see ``_serialise``) until the caller commits.
    """
    email = normalise_email(email)
    remote_addr = remote_addr or "unknown"
    _serialise(session, email)
    prune_failures(session, timedelta(days=policy.retention_days))
    now = utcnow()
    until = _locked_until(session, email, remote_addr, policy, now)
    if until is not None:
        raise _throttled(until, now)  # refused unread, and not recorded again: no growth
    user = session.scalars(select(User).where(func.lower(User.email) == email)).first()
    if user is not None and user.password_hash:
        valid = user.check_password(password)
    else:
        check_password_hash(_dummy_hash(), password)
        valid = False
    if user is None or not user.is_active or not valid:
        session.add(LoginFailure(email=email, remote_addr=remote_addr, occurred_at=now))
        audit.record(session, "login_failed", "user_account", user.id if user else None, email)
        session.flush()
        until = _locked_until(session, email, remote_addr, policy, now)
        if until is not None:
            audit.record(session, "login_throttled", "user_account", None, email)
            raise _throttled(until, now)
        raise LoginRejected(_("メールアドレスまたはパスワードが正しくありません。"))
    if user.role in sso_only_roles():
        # Said only after a correct password: the answer tells nobody else the account's role.
        audit.record(session, "login_password_off", "user_account", user.id, user.email)
        raise PasswordLoginOff(
            _(
                "この役割の利用者はパスワードではログインできません。"
                "「SSOでログイン」のボタンからログインしてください。"
            )
        )
    # A success from this address forgets this address's failures for the account.
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.email == email, LoginFailure.remote_addr == remote_addr
        )
    )
    user.last_login_at = now
    audit.record(
        session,
        "login",
        "user_account",
        user.id,
        user.email,
        actor=Actor(user.id, user.email, remote_addr),
    )
    return user


def record_logout(session: Session, user: User) -> None:
    """End all of the user's sessions (a copied cookie too) and write the logout into the trail."""
    user.end_sessions()
    audit.record(session, "logout", "user_account", user.id, user.email)


def sign_out_everywhere(session: Session, user: User) -> None:
    """End every session of ``user`` on every device (an administrator's action)."""
    user.end_sessions()
    audit.record(session, "sign_out_everywhere", "user_account", user.id, user.email)
    session.flush()


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Replace the user's password after checking the current one."""
    if not user.check_password(current):
        raise DomainError(_("現在のパスワードが正しくありません。"), field="current")
    check_new_password(new, user=user, field="new")
    user.set_password(new)
    audit.tag(session, user, "password_change")


def set_locale(session: Session, user: User, locale: str) -> None:
    """Remember the user's interface language."""
    if locale not in ("ja", "en"):
        raise DomainError(_("対応していない言語です。"), field="locale")
    user.locale = locale


# Another step of signing in (the second factor) is throttled like the password, under its own key
# (``mfa:<e-mail>``) so that a correct password does not forget the failed codes.


def step_attempt(session: Session, key: str, remote_addr: str, policy: ThrottlePolicy) -> datetime:
    """Serialise attempts on ``key`` (until the caller commits) and raise ``LoginThrottled``
    while it is locked; returns the time of this attempt."""
    remote_addr = remote_addr or "unknown"
    _serialise(session, key)
    now = utcnow()
    until = _locked_until(session, key, remote_addr, policy, now)
    if until is not None:
        raise _throttled(until, now)
    return now


def step_failed(
    session: Session, key: str, remote_addr: str, policy: ThrottlePolicy, now: datetime
) -> None:
    """Record a failed attempt of another step; raise ``LoginThrottled`` if it now locks ``key``."""
    remote_addr = remote_addr or "unknown"
    session.add(LoginFailure(email=key, remote_addr=remote_addr, occurred_at=now))
    session.flush()
    until = _locked_until(session, key, remote_addr, policy, now)
    if until is not None:
        raise _throttled(until, now)


def step_succeeded(session: Session, key: str, remote_addr: str) -> None:
    """Forget the failures of ``key`` from this address (as a correct password does)."""
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.email == key, LoginFailure.remote_addr == (remote_addr or "unknown")
        )
    )
