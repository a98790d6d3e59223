"""NUL bytes and ids past what an id column holds are a clear 400 / 404, never a 500 (issue 13,
finding 8)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.org.models import Department

NUL_MESSAGE = "入力に使えない文字（NUL）が含まれています。"


def test_nul_in_the_login_e_mail_is_a_400_with_a_japanese_message(client):
    response = client.post("/login", data={"email": "a\x00@example.jp", "password": "x"})
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/contractors/?q=abc%00def", "/departments/?q=%00", "/audit/?actor=%00"]
)
def test_nul_in_a_search_is_a_400(client, make, login_as, url):
    login_as(make.user(Role.ADMIN))
    response = client.get(url)
    assert response.status_code == 400 and NUL_MESSAGE in response.get_data(as_text=True)


def test_nul_in_a_form_field_is_a_400_and_nothing_is_saved(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    before = db.session.scalar(select(func.count()).select_from(Department))
    response = client.post(
        "/departments/new",
        data={"code": "999", "name": "市民\x00課", "name_kana": "しみんか"},
    )
    assert response.status_code == 400 and NUL_MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Department)) == before


@pytest.mark.parametrize(
    "path",
    [
        f"/contractors/{2**31}",
        f"/contractors/{2**63}",
        f"/contractors/{2**64 + 5}",
        f"/departments/{10**30}",
        f"/evidence/arrangement/{2**63}",
    ],
)
def test_an_id_past_bigint_is_a_404(client, make, login_as, path):
    login_as(make.user(Role.ADMIN))
    assert client.get(path).status_code == 404


def test_the_largest_id_is_still_routed(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    assert client.get(f"/contractors/{2**31 - 1}").status_code == 404  # routed, not found
