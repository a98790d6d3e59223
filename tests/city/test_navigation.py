"""Administrators find the city profile from every page; others do not see the entry."""

from __future__ import annotations

from vendorguard.auth.roles import Role


def test_the_menu_leads_an_administrator_to_the_city_profile(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    html = client.get("/").get_data(as_text=True)
    assert 'href="/settings/city"' in html and "市の基本情報" in html
    assert client.get("/settings/city").status_code == 200


def test_an_officer_has_no_city_profile_entry(client, make, login_as):
    login_as(make.user(Role.OFFICER, department=make.department()))
    html = client.get("/").get_data(as_text=True)
    assert 'href="/settings/city"' not in html
    assert client.get("/settings/city").status_code == 403
