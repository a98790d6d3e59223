"""The API's HTTP contract: ETags and conditional requests, paging Links, JSON errors in Japanese
(English on request), rate limits, writes through the pages' services, constant query counts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select

from tests.api.helpers import bearer, token_for
from vendorguard.apitokens.models import TokenScope
from vendorguard.auth.roles import Role
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db


def _engagement_payload(department, contractor, **extra):
    return {
        "title": "窓口業務委託",
        "department_id": department.id,
        "contractor_id": contractor.id,
        "starts_on": "2027-04-01",
        "ends_on": "2028-03-31",
        "contract_number": "R9-0001",
        **extra,
    }


def test_etag_and_if_none_match_gives_304(client, make):
    engagement = make.engagement()
    headers = bearer(token_for(make.user(Role.ADMIN)))
    first = client.get(f"/api/v1/engagements/{engagement.id}", headers=headers)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(
        f"/api/v1/engagements/{engagement.id}",
        headers={**headers, "If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304 and again.get_data() == b""
    listing = client.get("/api/v1/engagements", headers=headers)
    assert (
        client.get(
            "/api/v1/engagements", headers={**headers, "If-None-Match": listing.headers["ETag"]}
        ).status_code
        == 304
    )


def test_if_match_guards_writes(client, make):
    engagement = make.engagement()
    headers = bearer(token_for(make.user(Role.PROCUREMENT)))
    url = f"/api/v1/engagements/{engagement.id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    missing = client.patch(url, json={"title": "変更"}, headers=headers)
    assert (missing.status_code, missing.get_json()["code"]) == (428, "precondition_required")
    changed = client.patch(url, json={"title": "変更後"}, headers={**headers, "If-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["title"] == "変更後"
    stale = client.patch(url, json={"title": "古い画面から"}, headers={**headers, "If-Match": etag})
    assert (stale.status_code, stale.get_json()["code"]) == (412, "precondition_failed")
    assert db.session.get(Engagement, engagement.id).title == "変更後"


def test_create_uses_the_pages_rules_and_department_scope(client, make):
    own, other = make.department(), make.department()
    contractor = make.contractor()
    officer = make.user(Role.OFFICER, department=own)
    headers = bearer(token_for(officer))
    created = client.post(
        "/api/v1/engagements", json=_engagement_payload(own, contractor), headers=headers
    )
    assert created.status_code == 201, created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/engagements/{created.get_json()['id']}")
    duplicate = client.post(
        "/api/v1/engagements", json=_engagement_payload(own, contractor), headers=headers
    )
    body = duplicate.get_json()
    assert duplicate.status_code == 409 and body["code"] == "conflict"
    assert body["errors"] == {"contract_number": ["この契約番号は既に登録されています。"]}
    foreign = client.post(
        "/api/v1/engagements",
        json=_engagement_payload(other, contractor, contract_number="R9-0002"),
        headers=headers,
    )
    assert foreign.status_code == 403
    assert db.session.scalar(select(db.func.count()).select_from(Engagement)) == 1


def test_validation_errors_are_japanese_unless_english_is_asked_for(client, make):
    headers = bearer(token_for(make.user(Role.ADMIN)))
    response = client.post("/api/v1/engagements", json={"title": ""}, headers=headers)
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == "validation_error"
    assert body["message"] == "入力内容に誤りがあります。errors の各項目を確認してください。"
    assert "department_id" in body["errors"]
    english = client.get(
        "/api/v1/engagements/999999", headers={**headers, "Accept-Language": "en-US,en;q=0.9"}
    )
    assert english.status_code == 404 and english.get_json()["code"] == "not_found"
    assert english.get_json()["message"] == "The requested item was not found."
    japanese = client.get("/api/v1/engagements/999999", headers=headers)
    assert japanese.get_json()["message"] == "指定されたものは見つかりませんでした。"
    unknown = client.get("/api/v1/no-such-thing", headers=headers)
    assert unknown.status_code == 404 and unknown.is_json
    sorting = client.get("/api/v1/engagements?sort=password", headers=headers)
    assert sorting.status_code == 422 and "sort" in sorting.get_json()["errors"]


def test_link_headers_and_total_count(client, make):
    department = make.department()
    for _ in range(5):
        make.engagement(department=department)
    headers = bearer(token_for(make.user(Role.ADMIN)))
    response = client.get("/api/v1/engagements?per_page=2&page=2&sort=title", headers=headers)
    assert response.headers["X-Total-Count"] == "5"
    assert len(response.get_json()) == 2
    links = {
        part.split('rel="')[1].rstrip('"'): part.split(">")[0].lstrip("<")
        for part in response.headers["Link"].split(", ")
    }
    assert set(links) == {"first", "prev", "next", "last"}
    assert "page=3" in links["next"] and "page=1" in links["prev"] and "page=3" in links["last"]
    assert "sort=title" in links["next"] and "per_page=2" in links["next"]
    titles = [row["title"] for row in response.get_json()]
    everything = client.get("/api/v1/engagements?per_page=200&sort=title", headers=headers)
    assert [row["title"] for row in everything.get_json()][2:4] == titles


def test_rate_limit_answers_429_with_retry_after(app, client, make):
    app.config["API_RATE_LIMIT"] = 3
    headers = bearer(token_for(make.user(Role.ADMIN)))
    statuses = [client.get("/api/v1/me", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.get_json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    other = bearer(token_for(make.user(Role.AUDITOR)))  # the limit is per token
    assert client.get("/api/v1/me", headers=other).status_code == 200


def test_department_scope_of_sns_drafts_matches_the_pages(client, make):
    own, other = make.department(), make.department()
    draft = make.social_account(department=other)
    mine = make.social_account(department=own)
    headers = bearer(token_for(make.user(Role.SNS_OWNER, department=own), TokenScope.READ))
    ids = [row["id"] for row in client.get("/api/v1/sns-accounts", headers=headers).get_json()]
    assert mine.id in ids and draft.id not in ids
    assert client.get(f"/api/v1/sns-accounts/{draft.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/engagements", headers=headers).status_code == 403


def _many_rows(count: int, tag: str) -> None:
    """``count`` engagements, contractors and departments, inserted in bulk."""
    from tests.factories import Factory
    from vendorguard.contractors.models import Contractor
    from vendorguard.org.models import Department

    make = Factory(db.session)
    department, contractor = make.department(), make.contractor()
    db.session.execute(
        insert(Contractor),
        [{"name": f"{tag}商事{n}", "name_kana": "ショウジ"} for n in range(count)],
    )
    db.session.execute(
        insert(Department), [{"name": f"{tag}課{n}", "code": f"{tag}{n:05d}"} for n in range(count)]
    )
    db.session.execute(
        insert(Engagement),
        [
            {
                "kind": "engagement",
                "title": f"一括{tag}{n}",
                "department_id": department.id,
                "contractor_id": contractor.id,
                "contract_number": f"{tag}-{n:05d}",
                "starts_on": date(2026, 4, 1),
                "ends_on": date(2027, 3, 31),
            }
            for n in range(count)
        ],
    )
    db.session.commit()


def _queries_for(client, count_queries, headers, url) -> int:
    client.get(url, headers=headers)  # token bookkeeping (last_used_at) settles first
    with count_queries() as counter:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return counter.count


LISTS = (
    "/api/v1/engagements?per_page=200",
    "/api/v1/contractors?per_page=200",
    "/api/v1/departments?per_page=200",
    "/api/v1/evidence-requests?per_page=200&status=all",
    "/api/v1/notifications?per_page=200",
    "/api/v1/cloud-services?per_page=200",
)


def test_list_queries_do_not_grow_with_rows(client, make, count_queries):
    headers = bearer(token_for(make.user(Role.ADMIN)))
    _many_rows(5, "A")
    few = {url: _queries_for(client, count_queries, headers, url) for url in LISTS}
    _many_rows(495, "B")
    many = {url: _queries_for(client, count_queries, headers, url) for url in LISTS}
    assert few == many
    body = client.get("/api/v1/engagements?per_page=200", headers=headers)
    assert body.headers["X-Total-Count"] == "500" and len(body.get_json()) == 200


def test_fixed_window_counts_per_key_and_resets_with_the_clock():
    from vendorguard.api.ratelimit import FixedWindow

    windows = FixedWindow()
    start = 1_800_000_000.0  # a window boundary (divisible by 60)
    verdicts = [windows.hit("t1", 2, 60, now=start + 10) for _ in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert verdicts[2].reset_after == 50 and verdicts[1].remaining == 0
    assert windows.hit("t2", 2, 60, now=start + 10).allowed  # another token has its own window
    assert windows.hit("t1", 2, 60, now=start + 60).allowed  # the next window starts afresh
