"""Sessions really end: a copied session cookie is refused after each event that ends sessions."""

from __future__ import annotations

import time

import pytest

from tests.conftest import login
from tests.factories import PASSWORD
from vendorguard.auth.roles import Role
from vendorguard.extensions import db

COOKIE = "vendorguard_session"


def _copy_of(app, client):
    """A second browser holding a copy of ``client``'s session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def victim(app, client, make):
    user = make.user(Role.OFFICER, email="sato@city.example.jp")
    login(client, user)
    thief = _copy_of(app, client)
    assert _signed_in(thief)  # the copy works until something ends the sessions
    return user, thief


@pytest.fixture
def admin_client(app, make):
    admin_browser = app.test_client()
    login(admin_browser, make.user(Role.ADMIN))
    return admin_browser


def test_a_copied_cookie_is_refused_after_logout(client, victim):
    _, thief = victim
    client.post("/logout")
    assert not _signed_in(thief)


def test_a_copied_cookie_is_refused_after_a_password_change_but_the_changer_goes_on(client, victim):
    _, thief = victim
    new = "kumo-no-ue-no-sora-2026"
    response = client.post(
        "/account/password", data={"current": PASSWORD, "new": new, "confirm": new}
    )
    assert response.status_code == 302
    assert not _signed_in(thief)
    assert _signed_in(client)


def _edit(admin_client, user, **changes):
    form = {
        "email": user.email,
        "name": user.name,
        "name_kana": "さとう はなこ",
        "role": user.role.value,
        "department_id": str(user.department_id or ""),
        "contractor_id": "",
        "locale": "ja",
        **changes,
    }
    response = admin_client.post(f"/admin/users/{user.id}/edit", data=form)
    assert response.status_code == 302, [
        l for l in response.get_data(as_text=True).splitlines() if "error" in l
    ]


def test_a_copied_cookie_is_refused_after_a_role_change(victim, admin_client):
    user, thief = victim
    _edit(admin_client, user, role="sns_owner")
    assert not _signed_in(thief)


def test_a_copied_cookie_is_refused_after_a_department_change(victim, admin_client, make):
    user, thief = victim
    _edit(admin_client, user, department_id=str(make.department().id))
    assert not _signed_in(thief)


def test_a_name_change_ends_no_session(victim, admin_client):
    user, thief = victim
    _edit(admin_client, user, name="佐藤 花子")
    assert _signed_in(thief)


def test_a_copied_cookie_is_refused_after_archiving(victim, admin_client):
    user, thief = victim
    assert admin_client.post(f"/admin/users/{user.id}/archive").status_code == 302
    assert not _signed_in(thief)


def test_sign_out_everywhere_from_the_user_page(client, victim, admin_client):
    user, thief = victim
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "すべての端末からログアウト" in page
    response = admin_client.post(f"/admin/users/{user.id}/sign-out", follow_redirects=True)
    assert "すべての端末からログアウトさせました" in response.get_data(as_text=True)
    assert not _signed_in(thief) and not _signed_in(client)
    assert _signed_in(admin_client)
    login(client, db.session.get(type(user), user.id))  # signing in again works
    assert _signed_in(client)


class _Clock:
    def __init__(self):
        self.now = time.time()

    def time(self) -> float:
        return self.now


def test_idle_timeout_and_absolute_lifetime(app, client, make, monkeypatch):
    app.config.update(SESSION_IDLE_MINUTES=30, SESSION_MAX_HOURS=8)
    clock = _Clock()
    monkeypatch.setattr("vendorguard.auth.sessions.time", clock)
    user = make.user(Role.OFFICER)
    login(client, user)
    clock.now += 29 * 60
    assert _signed_in(client)  # a request within the idle time keeps the session
    clock.now += 31 * 60
    assert not _signed_in(client)  # idle too long

    login(client, user)
    for _ in range(16):  # active every 29 minutes: never idle …
        clock.now += 29 * 60
        assert _signed_in(client)
    clock.now += 29 * 60  # … but 8 h 12 min after sign-in
    assert not _signed_in(client)


def test_a_cookie_from_before_generations_is_refused(app, client, make):
    user = make.user(Role.OFFICER)
    login(client, user)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)  # what the old code stored
    assert not _signed_in(client)


def test_the_cookie_is_sent_again_when_the_session_changes(app, client, make, monkeypatch):
    clock = _Clock()
    monkeypatch.setattr("vendorguard.auth.sessions.time", clock)
    login(client, make.user(Role.OFFICER))
    first = client.get("/account/password")  # shows the sign-in's flash, makes the CSRF token
    assert COOKIE in first.headers["Set-Cookie"]
    signed_in_cookie = client.get_cookie(COOKIE).value
    clock.now += 30
    quiet = client.get("/account/password")
    assert quiet.status_code == 200 and "Set-Cookie" not in quiet.headers
    assert "Cookie" in quiet.headers["Vary"]  # the page still depends on the cookie
    clock.now += 31  # a minute after the last "seen": the session changes, and is sent again
    seen = client.get("/account/password")
    assert seen.status_code == 200 and COOKIE in seen.headers["Set-Cookie"]
    assert "HttpOnly" in seen.headers["Set-Cookie"] and "Expires=" in seen.headers["Set-Cookie"]
    assert client.get_cookie(COOKIE).value != signed_in_cookie
    clock.now += 29 * 60  # the rewritten cookie carries the session on past the first idle time
    assert _signed_in(client)
