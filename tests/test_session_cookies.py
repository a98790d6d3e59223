"""The session cookie (web/cookies.py) reads as Flask's own interface reads it, verified once."""

from __future__ import annotations

import time

import pytest
from flask.sessions import SecureCookieSessionInterface

from tests.conftest import login
from vendorguard.auth.roles import Role
from vendorguard.web.cookies import SessionCookies

COOKIE = "vendorguard_session"


def _open(app, cookie: str, interface=None):
    interface = interface or app.session_interface
    with app.test_request_context("/", headers={"Cookie": f"{COOKIE}={cookie}"}) as context:
        return interface.open_session(app, context.request)


@pytest.fixture
def signed_in_cookie(app, client, make) -> str:
    login(client, make.user(Role.OFFICER))
    assert client.get("/account/password").status_code == 200  # flash shown, CSRF token made
    return client.get_cookie(COOKIE).value


def test_a_kept_cookie_reads_as_flask_reads_it(app, signed_in_cookie):
    assert isinstance(app.session_interface, SessionCookies)
    flask_reads = dict(_open(app, signed_in_cookie, SecureCookieSessionInterface()))
    assert "_user_id" in flask_reads
    first = _open(app, signed_in_cookie)
    assert dict(first) == flask_reads and signed_in_cookie in app.session_interface._read
    second = _open(app, signed_in_cookie)
    assert dict(second) == flask_reads and second is not first
    first["locale"] = "en"  # a request changing its session leaves the kept reading alone
    assert dict(_open(app, signed_in_cookie)) == flask_reads


def test_a_tampered_cookie_is_an_empty_session(app, signed_in_cookie):
    _open(app, signed_in_cookie)
    payload, timestamp, signature = signed_in_cookie.rsplit(".", 2)
    forged = f"{payload}.{timestamp}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    assert dict(_open(app, forged)) == {}
    assert forged not in app.session_interface._read


def test_a_kept_cookie_still_expires_with_the_session_lifetime(app, signed_in_cookie, monkeypatch):
    assert _open(app, signed_in_cookie)
    lifetime, now = int(app.permanent_session_lifetime.total_seconds()), time.time()
    later = now + lifetime + 5
    monkeypatch.setattr("vendorguard.web.cookies.time.time", lambda: later)
    assert dict(_open(app, signed_in_cookie)) == {}
    earlier = now - 3600  # signed "in the future": refused as itsdangerous refuses it
    monkeypatch.setattr("vendorguard.web.cookies.time.time", lambda: earlier)
    assert dict(_open(app, signed_in_cookie)) == {}


def test_a_new_secret_key_refuses_cookies_verified_with_the_old(app, client, signed_in_cookie):
    assert _open(app, signed_in_cookie)
    app.config["SECRET_KEY"] = "another-secret"
    assert dict(_open(app, signed_in_cookie)) == {}
    assert client.get("/account/password").status_code == 302  # signed out
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret-key"]  # rotation keeps the old cookies
    assert "_user_id" in _open(app, signed_in_cookie)


def test_a_session_holding_flashed_messages_is_not_kept(app, client, make):
    login(client, make.user(Role.OFFICER))  # the sign-in flashes "ログインしました。"
    with_flash = client.get_cookie(COOKIE).value
    assert "_flashes" in _open(app, with_flash)
    assert with_flash not in app.session_interface._read
