"""Who an API request acts as: the bearer token's user, with the token's scope and rate limit.

The session cookie is ignored on the API (a request carries its token or is refused), which is
why the API may be CSRF-exempt: a browser never sends a bearer token on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, request
from flask_babel import refresh
from flask_login import current_user

from vendorguard.api.errors import ApiError
from vendorguard.api.ratelimit import DatabaseWindow, FixedWindow
from vendorguard.apitokens import services as tokens
from vendorguard.apitokens.models import ApiToken
from vendorguard.core import settings
from vendorguard.extensions import db, login_manager

_View = TypeVar("_View", bound=Callable[..., Any])
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WINDOWS_KEY = "vendorguard.api.windows"


def choose_locale() -> None:
    """Japanese unless the request's Accept-Language prefers English (not the user's setting:
    a program reading codes and messages should not change language with a person's choice)."""
    languages = current_app.config["LANGUAGES"]
    best = request.accept_languages.best_match(languages, default="ja")
    g.request_locale = best if best in languages else "ja"
    refresh()


def current_token() -> ApiToken:
    """The token of this request (set by ``authenticate``)."""
    token: ApiToken = g.api_token
    return token


def authenticate() -> None:
    """Act as the bearer token's user for this request, or refuse it; then count it."""
    choose_locale()
    login_manager._update_request_context_with_user(None)  # never the session cookie's user
    header = request.headers.get("Authorization", "")
    scheme, _sep, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise ApiError("unauthorized", headers={"WWW-Authenticate": 'Bearer realm="vendorguard"'})
    try:
        token = tokens.authenticate(db.session, presented.strip())
    except tokens.TokenRefused as refused:
        db.session.rollback()
        raise ApiError(
            refused.code,
            headers={"WWW-Authenticate": 'Bearer realm="vendorguard", error="invalid_token"'},
        ) from None
    user = token.user
    if db.session.dirty:
        db.session.commit()  # last_used_at, written at most once a minute
    login_manager._update_request_context_with_user(user)
    g.api_token = token
    _limit(token)
    if request.method not in READ_METHODS and not token.can_write:
        raise ApiError("scope_insufficient")


def _limit(token: ApiToken) -> None:
    config = settings.current()
    windows: DatabaseWindow | FixedWindow = current_app.extensions[WINDOWS_KEY]
    if isinstance(windows, DatabaseWindow):
        with db.engine.begin() as connection:  # committed now: counted even if the request fails
            verdict = windows.hit(
                connection, token.id, config.api_rate_limit, config.api_rate_window_seconds
            )
    else:
        verdict = windows.hit(token.id, config.api_rate_limit, config.api_rate_window_seconds)
    g.rate_headers = {
        "X-RateLimit-Limit": str(verdict.limit),
        "X-RateLimit-Remaining": str(verdict.remaining),
        "X-RateLimit-Reset": str(verdict.reset_after),
    }
    if not verdict.allowed:
        raise ApiError(
            "rate_limited", headers={"Retry-After": str(verdict.reset_after), **g.rate_headers}
        )


def needs(permission: str) -> Callable[[_View], _View]:
    """Check ``permission`` before anything else of the view runs (its body is parsed after)."""

    def decorator(view: _View) -> _View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            require(permission)
            return view(*args, **kwargs)

        return cast(_View, wrapped)

    return decorator


def require(permission: str) -> None:
    """Refuse unless the token's user holds ``permission`` (the pages' permission table)."""
    if not current_user.can(permission):
        raise ApiError("forbidden")
