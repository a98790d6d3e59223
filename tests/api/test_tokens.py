"""Personal API tokens: stored hashed, scoped, expiring, revocable, audited, dead with their user."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from tests.api.helpers import bearer, token_for
from tests.conftest import csrf_token_from
from vendorguard.apitokens.models import ApiToken, TokenScope
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import utcnow
from vendorguard.extensions import db


def test_only_the_hash_and_prefix_are_stored(app, make):
    user = make.user(Role.ADMIN)
    secret = token_for(user)
    row = db.session.scalars(select(ApiToken)).one()
    assert secret.startswith(row.prefix + "_")
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(v) for v in db.session.execute(select(ApiToken.__table__)).one())
    assert secret not in stored


def test_a_token_acts_as_its_user(client, make):
    department = make.department()
    user = make.user(Role.OFFICER, department=department)
    response = client.get("/api/v1/me", headers=bearer(token_for(user, TokenScope.READ)))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["role"], body["department_id"]) == (user.id, "officer", department.id)
    assert body["token_scope"] == "read"


def test_wrong_missing_and_forged_tokens_are_refused(client, make):
    secret = token_for(make.user(Role.ADMIN))
    assert client.get("/api/v1/me").get_json()["code"] == "unauthorized"
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    for presented in (forged, "vg_nothing", "garbage"):
        response = client.get("/api/v1/me", headers=bearer(presented))
        assert response.status_code == 401
        assert response.get_json()["code"] == "token_invalid"
        assert "Bearer" in response.headers["WWW-Authenticate"]


def test_a_session_cookie_does_not_authenticate_the_api(client, make, login_as):
    user = make.user(Role.ADMIN)
    login_as(user)
    assert client.get("/api/v1/me").status_code == 401


def test_read_scope_cannot_write(client, make):
    user = make.user(Role.ADMIN)
    response = client.post(
        "/api/v1/notifications/read", json={}, headers=bearer(token_for(user, TokenScope.READ))
    )
    assert response.status_code == 403
    assert response.get_json()["code"] == "scope_insufficient"
    response = client.post(
        "/api/v1/notifications/read",
        json={},
        headers=bearer(token_for(user, TokenScope.READ_WRITE)),
    )
    assert response.status_code == 200


def test_expired_token_is_refused(client, make):
    secret = token_for(make.user(Role.ADMIN))
    row = db.session.scalars(select(ApiToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert (response.status_code, response.get_json()["code"]) == (401, "token_expired")


def test_token_of_an_archived_user_is_refused(client, make):
    user = make.user(Role.ADMIN)
    secret = token_for(user)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    user.archived_at = utcnow()
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert (response.status_code, response.get_json()["code"]) == (401, "user_inactive")


def test_the_page_creates_shows_once_lists_and_revokes(client, make, login_as):
    user = make.user(Role.OFFICER, department=make.department())
    login_as(user)
    page = client.get("/account/api-tokens/")
    assert page.status_code == 200
    response = client.post(
        "/account/api-tokens/",
        data={"name": "財務会計連携", "scope": "read_write", "days": "90"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    row = db.session.scalars(select(ApiToken)).one()
    secret = html.split('<code id="new-token">')[1].split("</code>")[0]
    assert secret.startswith(row.prefix)
    assert row.user_id == user.id and row.scope == TokenScope.READ_WRITE
    assert timedelta(days=89) < row.expires_at - utcnow() <= timedelta(days=90)
    listing = client.get("/account/api-tokens/").get_data(as_text=True)
    assert "財務会計連携" in listing and secret not in listing
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200

    response = client.post(f"/account/api-tokens/{row.id}/revoke")
    assert response.status_code == 302
    refused = client.get("/api/v1/me", headers=bearer(secret))
    assert (refused.status_code, refused.get_json()["code"]) == (401, "token_revoked")
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "api_token")
    ).all()
    assert "create" in actions and "update" in actions


def test_someone_elses_token_cannot_be_revoked(client, make, login_as):
    owner = make.user(Role.ADMIN)
    secret = token_for(owner)
    row = db.session.scalars(select(ApiToken)).one()
    login_as(make.user(Role.AUDITOR))
    client.post(f"/account/api-tokens/{row.id}/revoke")
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200


def test_bad_form_input_gets_a_japanese_message(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    response = client.post("/account/api-tokens/", data={"name": "", "scope": "read", "days": "90"})
    assert response.status_code == 400
    assert "入力してください。" in response.get_data(as_text=True)
    assert db.session.scalars(select(ApiToken)).first() is None


def test_csrf_is_required_on_the_token_page(app, make):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    user = make.user(Role.ADMIN)
    login_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={
            "email": user.email,
            "password": "correct horse battery",
            "csrf_token": csrf_token_from(login_page),
        },
    )
    response = client.post(
        "/account/api-tokens/", data={"name": "x", "scope": "read", "days": "90"}
    )
    assert response.status_code == 400
    assert db.session.scalars(select(ApiToken)).first() is None


def test_making_or_revoking_a_token_after_an_old_sign_in_asks_for_the_password_again(
    client, make, login_as
):
    import time

    from vendorguard.auth.signin import AUTH_AT

    user = make.user(Role.OFFICER, department=make.department())
    login_as(user)
    with client.session_transaction() as session:
        session[AUTH_AT] = int(time.time()) - 16 * 60  # REAUTH_MINUTES is 15
    response = client.post(
        "/account/api-tokens/", data={"name": "連携", "scope": "read", "days": "30"}
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/mfa/reauth")
    assert db.session.scalars(select(ApiToken)).all() == []
