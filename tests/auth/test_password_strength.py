"""Weak new passwords are refused with a Japanese reason wherever a password is set (finding 9)."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.extensions import db

GUESSABLE = "推測されやすいパスワードです"


@pytest.mark.parametrize(
    "new, reason",
    [
        ("aaaaaaaaaaaa", GUESSABLE),
        ("password1234", GUESSABLE),
        ("123456789012", GUESSABLE),
        ("qwertyuiopasdf", GUESSABLE),
        ("sato.hanako2026@city.example.jp", "メールアドレスをパスワードにすることはできません"),
        ("Sato.Hanako2026", "メールアドレスをパスワードにすることはできません"),
        (PASSWORD, "現在のパスワードと同じパスワードは使えません"),
        ("short", "12文字以上"),
        ("Tsuyama-kaz", "12文字以上"),  # 11 characters, however unguessable
        ("tsuyama-no-kaze-" * 9, "128文字以内"),
    ],
)
def test_changing_to_a_weak_password_is_refused(client, make, login_as, new, reason):
    user = make.user(Role.OFFICER, email="sato.hanako2026@city.example.jp")
    login_as(user)
    response = client.post(
        "/account/password", data={"current": PASSWORD, "new": new, "confirm": new}
    )
    assert response.status_code == 200 and reason in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)  # unchanged


def test_a_strong_password_is_accepted(client, make, login_as):
    user = make.user(Role.OFFICER)
    login_as(user)
    new = "tsuyama-no-kaze-2026"
    response = client.post(
        "/account/password", data={"current": PASSWORD, "new": new, "confirm": new}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(new)


def test_an_administrator_cannot_set_a_weak_or_the_current_password(client, make, login_as):
    user = make.user(Role.AUDITOR, email="kansa@city.example.jp")
    login_as(make.user(Role.ADMIN))
    for weak, reason in (
        ("password1234", GUESSABLE),
        ("kansa@city.example.jp", "メールアドレス"),
        (PASSWORD, "現在のパスワードと同じ"),
    ):
        response = client.post(
            f"/admin/users/{user.id}/password", data={"password": weak, "confirm": weak}
        )
        assert reason in response.get_data(as_text=True)


def test_a_new_user_with_a_weak_password_is_not_created(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    form = {
        "email": "suzuki@city.example.jp",
        "name": "鈴木 花子",
        "name_kana": "すずき はなこ",
        "role": "auditor",
        "department_id": "",
        "contractor_id": "",
        "locale": "ja",
        "password": "aaaaaaaaaaaa",
        "confirm": "aaaaaaaaaaaa",
    }
    response = client.post("/admin/users/new", data=form)
    assert GUESSABLE in response.get_data(as_text=True)
    assert db.session.query(User).filter_by(email="suzuki@city.example.jp").first() is None


def test_create_admin_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["vg", "create-admin", "--email", "boss@city.example.jp", "--password-stdin"],
        input="password1234\n",
    )
    assert result.exit_code != 0 and GUESSABLE in result.output
