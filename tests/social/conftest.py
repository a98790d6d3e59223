"""Fixtures for the social account tests."""

from __future__ import annotations

import pytest

from tests.conftest import login

# What an account needs before it may be applied for (the policy's minimum).
COMPLETE = {
    "account_url": "https://x.com/toyooka_city",
    "posting_rules": "イベント・防災情報のみ。機密性2以上は投稿しない。",
    "operating_procedure": "投稿は係長の確認後に行う。",
    "official_list_url": "https://www.city.example.jp/sns/",
    "mfa_enabled": True,
    "credential_custodian": "秘書広報課長",
}


@pytest.fixture
def login_as(client):
    """``login_as(user)``, signing out whoever was signed in first (tests switch users)."""

    def switch(user):
        client.post("/logout")
        login(client, user)

    return switch


@pytest.fixture
def complete_account(make):
    """``complete_account(department, officer, **fields)``: an account with nothing missing."""

    def build(department=None, officer=None, **fields):
        department = department or make.department()
        officer = officer or make.user(department=department)
        values = dict(COMPLETE, responsible_officer_id=officer.id)
        values["account_url"] = f"https://x.com/{fields.get('handle', 'acct')}".replace("@", "")
        values.update(fields)
        return make.social_account(department=department, **values)

    return build
