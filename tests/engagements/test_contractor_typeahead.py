"""The engagement list's contractor filter: a type-ahead over JSON, and plain text without JS."""

from __future__ import annotations

import re

from vendorguard.auth.roles import Role
from vendorguard.core import pagination


def _titles(client, query: str) -> list[str]:
    html = client.get(f"/engagements/?per_page=200&{query}").get_data(as_text=True)
    return re.findall(r'<a href="/engagements/\d+">([^<]+)</a>', html)


def test_typeahead_returns_few_matches_and_the_text_filters_without_javascript(
    client, make, login_as
):
    tajima = make.contractor(name="但馬情報サービス株式会社")
    kinosaki = make.contractor(name="城崎ネット株式会社")
    make.engagement(title="保守A", contractor=tajima)
    make.engagement(title="運用B", contractor=kinosaki)
    login_as(make.user(Role.OFFICER))

    options = client.get("/engagements/contractor-options.json?q=但馬").get_json()
    assert options == [{"id": tajima.id, "name": "但馬情報サービス株式会社"}]
    assert client.get("/engagements/contractor-options.json").get_json() == []

    page = client.get("/engagements/").get_data(as_text=True)
    assert "城崎ネット株式会社</option>" not in page  # no drop-down of every contractor
    assert _titles(client, "contractor_q=城崎") == ["運用B"]
    chosen = client.get(f"/engagements/?contractor={tajima.id}").get_data(as_text=True)
    assert 'value="但馬情報サービス株式会社"' in chosen


def test_count_is_bounded_past_the_bound(client, make, login_as, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_BOUND", 2)
    monkeypatch.setattr(pagination, "PAGES_AHEAD", 1)
    vendor = make.contractor()
    for n in range(4):
        make.engagement(title=f"業務{n}", contractor=vendor)
    login_as(make.user(Role.OFFICER))
    page = client.get("/engagements/?per_page=1&page=1").get_data(as_text=True)
    assert "2件以上" in page and 'rel="next"' in page
    small = client.get("/engagements/?per_page=25").get_data(as_text=True)
    assert "全4件" in small
