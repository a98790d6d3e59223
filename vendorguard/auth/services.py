"""Authentication with throttling of failed attempts, per account and per address."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vendorguard.audit import services as audit
from vendorguard.audit.context import Actor
from vendorguard.auth.models import LoginFailure, User
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures within the window lock an account or an address, and for how long."""

    per_account: int = 5
    per_address: int = 20
    minutes: int = 15


class LoginThrottled(DomainError):
    """Too many failed attempts; the message says how long to wait."""


class LoginRejected(DomainError):
    """Wrong e-mail or password (deliberately not saying which)."""


def normalise_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def _wait_minutes(session: Session, column, value: str, limit: int, policy: ThrottlePolicy) -> int:
    """Minutes until ``value`` may try again; 0 when it is not throttled."""
    since = utcnow() - timedelta(minutes=policy.minutes)
    count, oldest = session.execute(
        select(func.count(), func.min(LoginFailure.occurred_at)).where(
            column == value, LoginFailure.occurred_at >= since
        )
    ).one()
    if count < limit:
        return 0
    oldest = UTCDateTime().process_result_value(
        oldest, None
    )  # min() over SQLite text keeps no zone
    remaining = (oldest + timedelta(minutes=policy.minutes) - utcnow()).total_seconds()
    return max(1, math.ceil(remaining / 60))


def authenticate(
    session: Session, email: str, password: str, remote_addr: str, policy: ThrottlePolicy
) -> User:
    """Return the user for valid credentials; record and raise on failure or while throttled."""
    email = normalise_email(email)
    remote_addr = remote_addr or "unknown"
    wait = max(
        _wait_minutes(session, LoginFailure.email, email, policy.per_account, policy),
        _wait_minutes(session, LoginFailure.remote_addr, remote_addr, policy.per_address, policy),
    )
    if wait:
        audit.record(session, "login_throttled", "user_account", None, email)
        raise LoginThrottled(
            _(
                "ログインの失敗が続いたため、一時的にログインできません。"
                "%(minutes)d分後にもう一度お試しください。",
                minutes=wait,
            )
        )
    user = session.scalars(select(User).where(func.lower(User.email) == email)).first()
    if user is None or not user.is_active or not user.check_password(password):
        session.add(LoginFailure(email=email, remote_addr=remote_addr))
        audit.record(session, "login_failed", "user_account", user.id if user else None, email)
        raise LoginRejected(_("メールアドレスまたはパスワードが正しくありません。"))
    user.last_login_at = utcnow()
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
    user.set_password(new)
    audit.tag(session, user, "password_change")


def set_locale(session: Session, user: User, locale: str) -> None:
    """Remember the user's interface language."""
    if locale not in ("ja", "en"):
        raise DomainError(_("対応していない言語です。"), field="locale")
    user.locale = locale
