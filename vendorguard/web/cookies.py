"""The session cookie, signed and read as Flask does, without redoing the same work each request.

Flask builds a new signing serializer for every read and every write of the cookie (building one
serializes an empty mapping to learn that its output is text), then checks the signature and
decodes the JSON of a cookie that, for a signed-in user, is the same on every request for a
minute or more (auth/sessions.py rewrites it once a minute; ``SESSION_REFRESH_EACH_REQUEST`` is
off). Here the serializer is built once per secret key, and a cookie already verified is not
verified and decoded again: its signing time is still checked against the session lifetime on
every request, exactly as itsdangerous checks it.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

# Cookies kept verified per process (a signed-in browser has one at a time): a bound, not a
# working set; the lot is dropped when full.
READ_LIMIT = 4096
# Sessions whose values are all of these are kept: a request changing its session replaces
# values, never mutates one in place (a list of flashed messages is; such sessions are not kept).
_IMMUTABLE = (str, int, float, bool, type(None))


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions: the same cookie, keys, salt, lifetime and checks."""

    def __init__(self) -> None:
        self._keys: Any = None
        self._serializer: URLSafeTimedSerializer | None = None
        # cookie value → (signing time, session data), for cookies whose signature was verified
        # with the current keys
        self._read: dict[str, tuple[int, dict[str, Any]]] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer for ``app``'s secret key and fallbacks, kept until they change
        (and with it every cookie verified with them)."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys != self._keys:
            self._read = {}
            self._serializer = super().get_signing_serializer(app)
            self._keys = keys
        return self._serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The request's session: Flask's ``open_session``, a cookie verified before read from
        what its verification found."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        read = self._read.get(value)
        if read is not None:
            signed_at, data = read
            age = int(time.time()) - signed_at
            # itsdangerous' SignatureExpired, which Flask answers with an empty session
            return self.session_class(data if 0 <= age <= max_age else None)
        try:
            data, signed = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(isinstance(v, _IMMUTABLE) for v in data.values()):
            if len(self._read) >= READ_LIMIT:
                self._read = {}
            self._read[value] = (int(signed.timestamp()), data)
        return self.session_class(data)


def init_app(app: Flask) -> None:
    """Sign and read ``app``'s session cookie through ``SessionCookies``."""
    app.session_interface = SessionCookies()
