"""Sign-in, sign-out, throttling, safe redirects, language and the admin command."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.extensions import db


def _actions():
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()


def test_login_and_logout_are_audited(client, make):
    user = make.user(Role.PROCUREMENT)
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert "login" in _actions() and "logout" in _actions()


def test_wrong_password_gives_a_japanese_message_and_is_audited(client, make):
    user = make.user(Role.OFFICER)
    response = client.post(
        "/login", data={"email": user.email, "password": "wrong"}, follow_redirects=True
    )
    assert "メールアドレスまたはパスワードが正しくありません。" in response.get_data(as_text=True)
    assert _actions()[-1] == "login_failed"


def test_failed_logins_are_throttled_per_account(client, make):
    user = make.user(Role.OFFICER)
    for _ in range(5):
        client.post("/login", data={"email": user.email, "password": "wrong"})
    # Even the right password is refused while the account is locked.
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "一時的にログインできません" in html and "分後にもう一度お試しください" in html
    assert client.get("/").status_code == 302


def test_failed_logins_are_throttled_per_address(app, client, make):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    victim = make.user(Role.AUDITOR)
    for n in range(3):
        client.post("/login", data={"email": f"guess{n}@example.jp", "password": "x"})
    response = client.post("/login", data={"email": victim.email, "password": PASSWORD})
    assert "一時的にログインできません" in response.get_data(as_text=True)
    other_address = app.test_client()
    response = other_address.post(
        "/login",
        data={"email": victim.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/contractors/", "/contractors/"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirect_stays_on_site(client, make, target, expected):
    user = make.user(Role.ADMIN)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": target}
    )
    assert response.headers["Location"] == expected


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/departments/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_archived_user_cannot_log_in(client, make):
    from vendorguard.core.timeutil import utcnow

    user = make.user(Role.ADMIN)
    user.archived_at = utcnow()
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200


def test_contractor_user_is_fenced_out_of_internal_pages(client, make, login_as):
    contractor = make.contractor()
    user = make.user(Role.CONTRACTOR, contractor_id=contractor.id)
    login_as(user)
    for path in ("/", "/departments/", "/contractors/", "/admin/audit/"):
        assert client.get(path).status_code == 403, path


def test_language_switch_is_remembered_on_the_account(client, make, login_as):
    user = make.user(Role.ADMIN)
    login_as(user)
    assert 'lang="ja"' in client.get("/").get_data(as_text=True)
    client.post("/language", data={"locale": "en", "next": "/"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_password_change_requires_the_current_password(client, make, login_as):
    user = make.user(Role.OFFICER)
    login_as(user)
    response = client.post(
        "/account/password",
        data={"current": "nope", "new": "a-new-password-1", "confirm": "a-new-password-1"},
    )
    assert "現在のパスワードが正しくありません。" in response.get_data(as_text=True)
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "a-new-password-1", "confirm": "a-new-password-1"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("a-new-password-1")
    assert "password_change" in _actions()


def test_create_admin_reads_the_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["vg", "create-admin", "--email", "Boss@City.example.jp", "--password-stdin"],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.email == "boss@city.example.jp")).one()
    assert user.role == Role.ADMIN and user.check_password("a-long-password")
    assert user.password_hash.startswith("scrypt:")


def test_create_admin_prompts_and_refuses_a_short_password(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["vg", "create-admin", "--email", "a@city.example.jp"], input="short\nshort\n"
    )
    assert result.exit_code != 0 and "12文字以上" in result.output
    result = runner.invoke(
        args=["vg", "create-admin", "--email", "a@city.example.jp"],
        input="a-long-password\na-long-password\n",
    )
    assert result.exit_code == 0, result.output
