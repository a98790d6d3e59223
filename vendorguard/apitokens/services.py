"""Creating, revoking and checking personal API tokens.

A token reads ``vg_<8 characters>_<43 characters>``: the first part is stored as it is (``prefix``,
unique) to find the row; the whole token is kept only as its sha256, compared in constant time.
The secret has 256 bits from ``secrets``, so a plain sha256 (no slow hash) is enough: nobody can
guess it from the hash, unlike a password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from vendorguard.apitokens import queries
from vendorguard.apitokens.models import ApiToken, TokenScope
from vendorguard.auth.models import User
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import utcnow

PREFIX = "vg_"
EXPIRY_DAYS = (30, 90, 180, 365)  # the choices offered; a token never lives longer than a year
MAX_ACTIVE = 20  # usable tokens per person: a leak is easier to contain with few
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most once a minute


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def split(token: str) -> tuple[str, str] | None:
    """(prefix, whole token) of a well-formed token, or None."""
    if not token.startswith(PREFIX) or len(token) > 80:
        return None
    prefix, sep, rest = token[len(PREFIX) :].partition("_")
    if not sep or len(prefix) != 8 or not rest:
        return None
    return PREFIX + prefix, token


@dataclass
class NewToken:
    """A created token and its secret, which is shown once and never stored."""

    token: ApiToken
    secret: str


def create_token(
    session: Session, user: User, name: str, scope: TokenScope | str, days: int
) -> NewToken:
    """Create a token for ``user``; the caller shows ``secret`` once."""
    label = clean(name)
    if not label:
        raise DomainError(_("トークンの名前を入力してください。"), field="name")
    if days not in EXPIRY_DAYS:
        raise DomainError(_("有効期間を選んでください。"), field="days")
    now = utcnow()
    active = [t for t in session.scalars(queries.tokens_of(user.id)) if t.is_usable(now)]
    if len(active) >= MAX_ACTIVE:
        raise DomainError(
            _(
                "有効なトークンは1人%(count)d個までです。使っていないトークンを無効にしてから作成してください。",
                count=MAX_ACTIVE,
            )
        )
    prefix = PREFIX + secrets.token_hex(4)
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user_id=user.id,
        name=label[:100],
        prefix=prefix,
        token_hash=hash_token(secret),
        scope=TokenScope(scope),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    return NewToken(token, secret)


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (another person's is "not found")."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise DomainError(_("トークンが見つかりません。"))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


class TokenRefused(Exception):
    """A presented token that must not act; ``code`` is the API's stable error code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def authenticate(session: Session, presented: str) -> ApiToken:
    """The usable token a bearer string names, with its user loaded, or ``TokenRefused``."""
    parts = split(presented)
    if parts is None:
        raise TokenRefused("token_invalid")
    token = session.scalars(queries.by_prefix(parts[0])).one_or_none()
    if token is None or not hmac.compare_digest(token.token_hash, hash_token(parts[1])):
        raise TokenRefused("token_invalid")
    now = utcnow()
    if token.revoked_at is not None:
        raise TokenRefused("token_revoked")
    if token.is_expired(now):
        raise TokenRefused("token_expired")
    if not token.user.is_active:  # archived or deactivated: its tokens die with it
        raise TokenRefused("user_inactive")
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
        session.flush()
    return token
