"""Shared view helpers: absolute URLs under BASE_URL, search terms safe for every database."""

from __future__ import annotations

from vendorguard.auth.roles import Role
from vendorguard.core.web import absolute_url, search_term


def test_absolute_url_uses_base_url_not_the_request_host(app):
    app.config["BASE_URL"] = "https://vg.city.example.jp/register"
    with app.test_request_context("/", base_url="http://evil.example"):
        assert absolute_url("auth.login") == "https://vg.city.example.jp/register/login"
    with app.app_context():  # commands have no request at all
        assert absolute_url("dashboard.index").startswith("https://vg.city.example.jp/register/")


def test_search_term_drops_control_characters(app):
    with app.test_request_context("/?q=%20a%00b%0D%0Ac%20"):
        assert search_term() == "abc"


def test_a_nul_in_a_search_is_refused_with_a_message_not_a_server_error(client, make, login_as):
    """Issue 13 finding 8: PostgreSQL refuses NUL in a text parameter; the app says so first."""
    login_as(make.user(Role.ADMIN))
    make.engagement(title="ab保守業務")
    response = client.get("/engagements/?q=a%00b")
    assert response.status_code == 400
    assert "入力に使えない文字（NUL）" in response.get_data(as_text=True)
    assert client.get("/engagements/?q=ab").status_code == 200
