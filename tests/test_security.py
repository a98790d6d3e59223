"""Cookies, CSRF, headers and error pages."""

from __future__ import annotations

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD
from vendorguard.auth.roles import Role


def test_session_cookie_is_httponly_and_samesite(client, make):
    user = make.user(Role.ADMIN)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookie_when_configured(app, make):
    app.config["SESSION_COOKIE_SECURE"] = True
    user = make.user(Role.ADMIN)
    response = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]


def test_forms_without_csrf_token_are_refused_in_japanese(app, make):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    user = make.user(Role.ADMIN)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "フォームの有効期限が切れたか" in response.get_data(as_text=True)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_security_headers_and_local_assets_only(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert "http://" not in html.replace("http://localhost", "") and "https://" not in html


def test_unknown_page_is_a_japanese_404(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    response = client.get("/departments/999999")
    assert response.status_code == 404
    assert "お探しのページは見つかりませんでした" in response.get_data(as_text=True)


def test_logout_by_get_is_not_allowed(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_forwarded_address_is_trusted_only_behind_a_configured_proxy(app, database_url, tmp_path):
    from sqlalchemy import select

    from vendorguard import create_app
    from vendorguard.auth.models import LoginFailure
    from vendorguard.extensions import db

    headers = {"X-Forwarded-For": "203.0.113.5"}
    app.test_client().post(
        "/login", data={"email": "a@example.jp", "password": "x"}, headers=headers
    )
    proxied = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "k",
            "WTF_CSRF_ENABLED": False,
            "PROXY_COUNT": 1,
        },
        instance_path=str(tmp_path / "p"),
    )
    proxied.test_client().post(
        "/login", data={"email": "b@example.jp", "password": "x"}, headers=headers
    )
    addresses = dict(db.session.execute(select(LoginFailure.email, LoginFailure.remote_addr)).all())
    assert addresses == {"a@example.jp": "127.0.0.1", "b@example.jp": "203.0.113.5"}
