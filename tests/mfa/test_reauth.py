"""Re-authentication before sensitive actions (``auth.signin.require_recent_auth``)."""

from __future__ import annotations

import time

from sqlalchemy import select

from tests.factories import PASSWORD
from tests.mfa.conftest import code, settle
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.auth.signin import AUTH_AT
from vendorguard.extensions import db


def _actions():
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()


def _age(client, minutes: int) -> None:
    with client.session_transaction() as session:
        session[AUTH_AT] = int(time.time()) - minutes * 60


def test_an_old_sign_in_asks_for_the_password_before_a_user_change(client, make, login_as):
    admin, user = make.user(Role.ADMIN), make.user(Role.OFFICER)
    login_as(admin)
    edit = f"/admin/users/{user.id}/edit"
    assert client.get(edit).status_code == 200  # just signed in: recent enough
    _age(client, 16)  # REAUTH_MINUTES is 15
    response = client.get(edit)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/mfa/reauth?next=/admin/users/{user.id}/edit"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "本人確認" in page and 'name="code"' not in page  # not enrolled: password only
    response = client.post("/mfa/reauth", data={"password": "wrong", "next": edit})
    assert "パスワードまたは確認コードが正しくありません。" in response.get_data(as_text=True)
    assert _actions()[-1] == "reauth_failed"
    response = client.post("/mfa/reauth", data={"password": PASSWORD, "next": edit})
    assert response.status_code == 302 and response.headers["Location"] == edit
    assert client.get(edit).status_code == 200
    assert _actions()[-1] == "reauth"


def test_a_refused_post_changes_nothing_and_comes_back_to_its_page(client, make, login_as):
    admin, user = make.user(Role.ADMIN), make.user(Role.OFFICER)
    login_as(admin)
    _age(client, 60)
    generation = user.session_generation
    response = client.post(
        f"/admin/users/{user.id}/sign-out",
        headers={"Referer": f"http://localhost/admin/users/{user.id}"},
    )
    assert response.headers["Location"] == f"/mfa/reauth?next=/admin/users/{user.id}"
    db.session.refresh(user)
    assert user.session_generation == generation


def test_an_enrolled_user_gives_a_code_too(client, make, enrol):
    admin = make.user(Role.ADMIN)
    secret = enrol(admin).secret
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    settle()
    client.post("/mfa/verify", data={"code": code(secret)})
    _age(client, 30)
    page = client.get("/mfa/reauth?next=/admin/users/").get_data(as_text=True)
    assert 'name="code"' in page
    response = client.post("/mfa/reauth", data={"password": PASSWORD, "next": "/admin/users/"})
    assert "正しくありません" in response.get_data(as_text=True)
    response = client.post(
        "/mfa/reauth", data={"password": PASSWORD, "code": code(secret, 1), "next": "/admin/users/"}
    )
    assert response.headers["Location"] == "/admin/users/"


def test_re_authentication_is_throttled(client, make, login_as):
    admin = make.user(Role.ADMIN)
    login_as(admin)
    _age(client, 30)
    for _ in range(5):
        client.post("/mfa/reauth", data={"password": "wrong"})
    response = client.post("/mfa/reauth", data={"password": PASSWORD})
    assert "一時的にログインできません" in response.get_data(as_text=True)


def test_an_approval_needs_a_recent_sign_in(client, make, login_as):
    admin = make.user(Role.ADMIN)
    service = make.cloud_service()
    login_as(admin)
    _age(client, 60)
    response = client.post(f"/cloud-services/{service.id}/approve", data={"comment": "ok"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/mfa/reauth")
    assert "approve" not in _actions()
