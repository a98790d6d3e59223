"""Enrolment through the pages, enforcement by role, recovery codes, disabling and the
administrator's reset."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from tests.mfa.conftest import code, settle
from vendorguard import create_app
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.mfa import queries
from vendorguard.mfa.models import TotpCredential


def _actions():
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()


def _secret_on(html: str) -> str:
    match = re.search(r"data-totp-secret>([A-Z2-7]{32})<", html)
    assert match, "no secret on the page"
    return match.group(1)


def _codes_on(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-9-]{14})</code></li>", html)


def test_enrolment_shows_qr_and_secret_and_needs_a_right_code(client, make, login_as):
    user = make.user(Role.OFFICER)
    login_as(user)
    page = client.get("/mfa/enrol").get_data(as_text=True)
    assert "登録を始める" in page and "data-totp-secret" not in page
    assert client.post("/mfa/enrol/start").headers["Location"] == "/mfa/enrol"
    page = client.get("/mfa/enrol").get_data(as_text=True)
    secret = _secret_on(page)
    assert '<svg width="' in page and 'class="segno"' in page  # drawn here, no image service
    stored = db.session.scalars(select(TotpCredential.secret_encrypted)).one()
    assert secret not in stored  # a database dump alone does not give the secret
    response = client.post("/mfa/enrol", data={"code": "000000"})
    assert "確認コードが正しくありません。" in response.get_data(as_text=True)
    assert not queries.is_enrolled(db.session, user.id)
    assert _actions()[-1] == "mfa_enrolment_failed"
    settle()
    response = client.post("/mfa/enrol", data={"code": code(secret)})
    codes = _codes_on(response.get_data(as_text=True))
    assert len(codes) == 10
    assert queries.is_enrolled(db.session, user.id)
    assert "mfa_enrolled" in _actions()
    # Shown once: the index page says how many are left, never the codes.
    index = client.get("/mfa/").get_data(as_text=True)
    assert "未使用の回復コード：10件" in index and codes[0] not in index
    trail = db.session.scalars(select(AuditEvent)).all()
    assert not any(secret in f"{e.before}{e.after}{e.object_label}" for e in trail)


@pytest.fixture
def enforced(app):
    app.config["MFA_REQUIRED_ROLES"] = "admin,procurement,auditor"


def test_an_admin_without_mfa_can_do_nothing_but_enrol(app, client, make, login_as, enforced):
    admin = make.user(Role.ADMIN)
    login_as(admin)
    for path in ("/", "/admin/users/", "/account/password", "/mfa/"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/mfa/enrol", path
    assert client.post(f"/admin/users/{admin.id}/sign-out").headers["Location"] == "/mfa/enrol"
    assert client.get("/mfa/enrol").status_code == 200
    client.post("/mfa/enrol/start")
    secret = _secret_on(client.get("/mfa/enrol").get_data(as_text=True))
    settle()
    client.post("/mfa/enrol", data={"code": code(secret)})
    assert client.get("/admin/users/").status_code == 200


def test_enforcement_follows_the_setting(app, client, make, login_as, enforced):
    officer = make.user(Role.OFFICER)
    login_as(officer)
    assert client.get("/").status_code == 200  # not an enforced role
    app.config["MFA_REQUIRED_ROLES"] = "*"
    assert client.get("/").headers["Location"] == "/mfa/enrol"


def test_a_typo_in_the_setting_stops_the_start(tmp_path):
    with pytest.raises(ValueError, match="MFA_REQUIRED_ROLES"):
        create_app(
            {"MFA_REQUIRED_ROLES": "admin,boss", "SECRET_KEY": "x", "TESTING": True},
            instance_path=str(tmp_path),
        )


def test_an_enrolled_admin_passes_the_gate_after_the_code(app, make, enrol, enforced):
    admin = make.user(Role.ADMIN)
    secret = enrol(admin).secret
    client = app.test_client()
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert client.get("/admin/users/").headers["Location"].startswith("/login")
    settle()
    client.post("/mfa/verify", data={"code": code(secret)})
    assert client.get("/admin/users/").status_code == 200


def test_recovery_codes_are_regenerated_and_the_old_ones_die(app, client, make, enrol):
    user = make.user(Role.OFFICER)
    old = enrol(user).codes
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    settle()
    client.post("/mfa/verify", data={"code": code(_secret(user))})
    response = client.post("/mfa/recovery-codes")
    new = _codes_on(response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert "mfa_recovery_codes_regenerated" in _actions()
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert "正しくありません" in other.post("/mfa/verify", data={"code": old[0]}).get_data(
        as_text=True
    )
    assert other.post("/mfa/verify", data={"code": new[0]}).status_code == 302


def _secret(user) -> str:
    from vendorguard.core import settings
    from vendorguard.mfa import crypto

    found = queries.credential(db.session, user.id)
    return crypto.decrypt(found.secret_encrypted, settings.current().secret_key)


def test_disabling_removes_the_factor(client, make, enrol):
    user = make.user(Role.OFFICER)
    enrol(user)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    settle()
    client.post("/mfa/verify", data={"code": code(_secret(user))})
    assert client.post("/mfa/disable").headers["Location"] == "/mfa/"
    assert not queries.is_enrolled(db.session, user.id)
    assert queries.status(db.session, user.id).codes_left == 0
    assert "mfa_disabled" in _actions()


def test_an_administrator_resets_a_lost_factor(app, client, make, login_as, enrol):
    admin, user = make.user(Role.ADMIN), make.user(Role.PROCUREMENT)
    enrol(user)
    victim = app.test_client()
    victim.post("/login", data={"email": user.email, "password": PASSWORD})
    settle()
    victim.post("/mfa/verify", data={"code": code(_secret(user))})
    assert victim.get("/").status_code == 200
    login_as(admin)
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "二要素認証をリセット" in page and "登録済み" in page
    response = client.post(f"/mfa/users/{user.id}/reset", follow_redirects=True)
    assert "二要素認証をリセットしました" in response.get_data(as_text=True)
    assert not queries.is_enrolled(db.session, user.id)
    assert victim.get("/").status_code == 302  # their sessions ended
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "mfa_reset")).one()
    assert event.object_id == str(user.id) and event.actor_id == admin.id
    # Nothing to reset any more: said so, nothing changed.
    response = client.post(f"/mfa/users/{user.id}/reset", follow_redirects=True)
    assert "二要素認証を登録していません" in response.get_data(as_text=True)
