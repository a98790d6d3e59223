"""The second sign-in step: codes, replay, recovery codes, throttling, and the audit trail."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD
from tests.mfa.conftest import code, settle
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.models import LoginFailure
from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.mfa.models import RecoveryCode


def _actions():
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()


def _password(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_an_enrolled_user_is_not_signed_in_before_the_code(client, make, enrol):
    user = make.user(Role.OFFICER)
    secret = enrol(user).secret
    response = _password(client, user)
    assert response.headers["Location"] == "/mfa/verify"
    assert not _signed_in(client)  # the password alone opens nothing
    assert "認証アプリに表示されている6桁の確認コード" in client.get("/mfa/verify").get_data(
        as_text=True
    )
    settle()
    response = client.post("/mfa/verify", data={"code": code(secret)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _signed_in(client)
    assert _actions()[-2:] == ["login", "login_mfa"]


def test_a_wrong_code_is_refused_and_audited(client, make, enrol):
    user = make.user(Role.OFFICER)
    enrol(user)
    _password(client, user)
    response = client.post("/mfa/verify", data={"code": "000000"})
    assert "確認コードまたは回復コードが正しくありません。" in response.get_data(as_text=True)
    assert not _signed_in(client)
    assert _actions()[-1] == "mfa_failed"


def test_a_code_is_accepted_once_only(app, make, enrol):
    user = make.user(Role.OFFICER)
    secret = enrol(user).secret
    settle()
    now = code(secret)
    first, second = app.test_client(), app.test_client()
    _password(first, user)
    assert first.post("/mfa/verify", data={"code": now}).status_code == 302
    assert _signed_in(first)
    # The same code again, from another browser within its 30 seconds: refused, and recorded.
    _password(second, user)
    response = second.post("/mfa/verify", data={"code": now})
    assert "この確認コードは使用済みです" in response.get_data(as_text=True)
    assert not _signed_in(second)
    assert "mfa_replay_refused" in _actions()
    # An older code (the one enrolment used up, and the step before) is refused as well.
    response = second.post("/mfa/verify", data={"code": code(secret, -1)})
    assert not _signed_in(second)
    # The next step's code (clock drift) is still good.
    assert second.post("/mfa/verify", data={"code": code(secret, 1)}).status_code == 302
    assert _signed_in(second)


def test_a_recovery_code_signs_in_once(app, make, enrol):
    user = make.user(Role.AUDITOR)
    codes = enrol(user).codes
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are kept
    client = app.test_client()
    _password(client, user)
    assert client.post("/mfa/verify", data={"code": codes[3].upper()}).status_code == 302
    assert _signed_in(client)
    assert "mfa_recovery_used" in _actions()
    again = app.test_client()
    _password(again, user)
    response = again.post("/mfa/verify", data={"code": codes[3]})
    assert "確認コードまたは回復コードが正しくありません。" in response.get_data(as_text=True)
    assert not _signed_in(again)
    left = db.session.execute(
        select(func.count()).where(RecoveryCode.used_at.is_(None))
    ).scalar_one()
    assert left == 9


def test_wrong_codes_are_throttled_like_passwords(client, make, enrol):
    user = make.user(Role.OFFICER)
    secret = enrol(user).secret
    _password(client, user)
    for _ in range(5):
        client.post("/mfa/verify", data={"code": "000000"})
    settle()
    response = client.post("/mfa/verify", data={"code": code(secret)})
    html = response.get_data(as_text=True)
    assert "一時的にログインできません" in html
    assert not _signed_in(client)
    # Signing in with the password again does not forget the failed codes.
    _password(client, user)
    response = client.post("/mfa/verify", data={"code": code(secret, 1)})
    assert "一時的にログインできません" in response.get_data(as_text=True)
    keys = set(db.session.scalars(select(LoginFailure.email)))
    assert keys == {"mfa:" + user.email}


def test_the_second_step_ends_with_the_session_generation(app, make, enrol):
    user = make.user(Role.OFFICER)
    secret = enrol(user).secret
    client = app.test_client()
    _password(client, user)
    user.end_sessions()  # e.g. an administrator's "sign out everywhere" in between
    db.session.commit()
    settle()
    response = client.post("/mfa/verify", data={"code": code(secret)})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert not _signed_in(client)


def test_without_a_password_step_there_is_nothing_to_verify(client):
    response = client.post("/mfa/verify", data={"code": "123456"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_user_without_mfa_signs_in_with_the_password(client, make):
    user = make.user(Role.OFFICER)
    response = _password(client, user)
    assert response.headers["Location"] == "/"
    assert _signed_in(client)


def test_one_code_sent_by_many_browsers_at_once_signs_in_one(app, make, enrol):
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "needs PostgreSQL (set VENDORGUARD_TEST_DATABASE_URL); SQLite has a single writer"
        )
    user = make.user(Role.OFFICER)
    secret = enrol(user).secret
    clients = [app.test_client() for _ in range(8)]
    for each in clients:
        _password(each, user)
    settle()
    now = code(secret)
    start = threading.Barrier(len(clients))
    statuses: list[int] = []
    lock = threading.Lock()

    def send(each) -> None:
        start.wait(timeout=30)
        status = each.post("/mfa/verify", data={"code": now}).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send, args=(each,)) for each in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200] * 7 + [302]  # one signed in, seven refused
    assert sum(_signed_in(each) for each in clients) == 1
    # Taking turns: five are refused as replays, and those five failures (one account, one
    # address) make the last two wait like a locked password.
    assert _actions().count("mfa_replay_refused") == 5


def test_after_a_new_secret_key_recovery_codes_still_sign_in(app, make, enrol):
    user = make.user(Role.OFFICER)
    enrolled = enrol(user)
    app.config["SECRET_KEY"] = "a-new-secret-key"  # the stored secret can no longer be read
    client = app.test_client()
    _password(client, user)
    settle()
    response = client.post("/mfa/verify", data={"code": code(enrolled.secret)})
    assert "確認コードまたは回復コードが正しくありません。" in response.get_data(as_text=True)
    assert client.post("/mfa/verify", data={"code": enrolled.codes[0]}).status_code == 302
    assert _signed_in(client)
