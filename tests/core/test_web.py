"""Shared view helpers: absolute URLs under BASE_URL, search terms safe for every database."""

from __future__ import annotations

import re

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


def _engagement_titles(client, query: str) -> list[str]:
    html = client.get(f"/engagements/?{query}").get_data(as_text=True)
    return re.findall(r'<a href="/engagements/\d+">([^<]+)</a>', html)


def test_pages_of_a_sorted_list_cover_every_row_once_in_order(client, make, login_as):
    """The paginator picks a page's keys in a subquery, then loads those rows: same rows, same
    order as LIMIT/OFFSET over the whole select, including a filter on a joined table."""
    vendor = make.contractor(name="但馬情報サービス株式会社")
    titles = [f"業務{n:02d}" for n in range(7)]
    for title in reversed(titles):
        make.engagement(title=title, contractor=vendor)
    make.engagement(title="業務99 他社", contractor=make.contractor(name="城崎ネット株式会社"))
    login_as(make.user(Role.ADMIN))
    pages = [
        _engagement_titles(client, f"sort=title&dir=asc&per_page=3&page={n}&q=但馬")
        for n in (1, 2, 3)
    ]
    assert pages == [titles[0:3], titles[3:6], titles[6:7]]
    assert _engagement_titles(client, "sort=title&dir=asc&per_page=3&page=9&q=但馬") == titles[6:7]


def test_a_search_without_letter_case_finds_the_same_rows_as_one_with_it(client, make, login_as):
    """Kana and kanji terms are matched with LIKE, terms with letters still ignore case."""
    make.engagement(title="Cloud基盤 税務システム保守")
    make.engagement(title="窓口業務")
    login_as(make.user(Role.ADMIN))
    assert _engagement_titles(client, "q=税務") == ["Cloud基盤 税務システム保守"]
    assert _engagement_titles(client, "q=cLOUD") == ["Cloud基盤 税務システム保守"]
    assert _engagement_titles(client, "q=100%") == []


def test_a_kept_list_statement_serves_every_page_and_reads_new_rows(app, client, make, login_as):
    """A list's statements are built once per filter and sort and kept; pages and rows added
    since still come from the database (statements are kept, never rows)."""
    vendor = make.contractor(name="但馬情報サービス株式会社")
    for n in range(3):
        make.engagement(title=f"業務{n:02d}", contractor=vendor)
    login_as(make.user(Role.ADMIN))
    query = "sort=title&dir=asc&per_page=2&q=但馬"
    assert _engagement_titles(client, f"{query}&page=1") == ["業務00", "業務01"]
    kept = app.extensions["kept_statements"]
    built = len(kept._kept)
    assert _engagement_titles(client, f"{query}&page=2") == ["業務02"]
    make.engagement(title="業務03", contractor=vendor)
    assert _engagement_titles(client, f"{query}&page=2") == ["業務02", "業務03"]
    assert len(kept._kept) == built  # the same statements served every page
    assert _engagement_titles(client, "sort=title&dir=desc&per_page=2&q=但馬") == [
        "業務03",
        "業務02",
    ]
    assert len(kept._kept) == built + 1  # another sort: statements of its own


def test_kept_list_statements_are_never_shared_between_viewers(client, make, login_as):
    """An SNS draft stays inside its department although each owner's list is kept."""
    from vendorguard.approvals.models import ApprovalState

    kouhou, kankou = make.department(), make.department()
    make.social_account(kouhou, title="広報の下書き", approval_state=ApprovalState.NOT_APPLIED)
    make.social_account(kankou, title="観光の下書き", approval_state=ApprovalState.NOT_APPLIED)

    def listed() -> list[str]:
        html = client.get("/social-accounts/").get_data(as_text=True)
        return re.findall(r'<a href="/social-accounts/\d+">([^<]+)</a>', html)

    login_as(make.user(Role.SNS_OWNER, department=kouhou))
    assert listed() == ["広報の下書き"]
    client.post("/logout")
    login_as(make.user(Role.SNS_OWNER, department=kankou))
    assert listed() == ["観光の下書き"]
