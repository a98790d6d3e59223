"""The session cookie, signed and read as Flask does, without rebuilding its signer each time."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions (same cookie, same keys, same checks), with the signing
    serializer built once per secret key: Flask builds one for every read and every write, and
    building one serializes an empty mapping to learn that the output is text."""

    _kept: tuple[Any, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer for ``app``'s current secret key and fallbacks, kept until they
        change."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._kept
        if kept is None or kept[0] != keys:
            kept = self._kept = (keys, super().get_signing_serializer(app))
        return kept[1]


def init_app(app: Flask) -> None:
    """Sign ``app``'s session cookie with a kept serializer."""
    app.session_interface = SessionCookies()
