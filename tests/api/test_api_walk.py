"""The route × role walk of the API: every method of every /api/v1 rule, with a read-write token of
each role, on the own and another department's records. The status is what the pages' permission
table grants (tests/api/walk_table.py), and a refused request leaves every table as it was."""

from __future__ import annotations

import pytest

from tests.api.helpers import bearer, token_for
from tests.api.walk_table import API_EXPECTED, ROLES
from tests.test_authorization import _url, _users, build_world
from tests.walk import changed_tables, database_state, methods_of

# Tables a permitted request may legitimately write without being a change of the register.
# last_used_at; the rate window counts every request, refused ones too (on PostgreSQL)
BOOKKEEPING = {"api_token", "api_rate_window"}


def _state():
    return {k: v for k, v in database_state().items() if k not in BOOKKEEPING}


def _send(client, method: str, url: str, headers: dict[str, str]):
    if method == "GET":
        return client.get(url, headers=headers)
    return client.open(url, method=method, json={}, headers=headers)


def _verdict(access, role, side, status) -> tuple[bool, bool, str]:
    if role is None:
        return status == 401, True, "401 without a token"
    if role in access.allowed and not (side == "other" and role in access.own_only):
        return status not in (401, 403, 404, 405) and status < 500, False, "allowed"
    if role in access.own_only:
        return status in (403, 404), True, "403 or 404"
    return status == 403, True, "403"


def test_every_api_route_has_an_expectation(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    assert endpoints == set(API_EXPECTED)


@pytest.mark.walk
@pytest.mark.parametrize("role", (None, *ROLES), ids=lambda r: r or "no token")
def test_each_roles_token_gets_what_the_pages_grant(app, make, role):
    world, own_dept = build_world(make)
    users = _users(make, own_dept, world.own["contractor_id_of_user"])
    headers = bearer(token_for(users[role])) if role else {}
    client = app.test_client()
    client.get("/api/v1/me", headers=headers)  # the token's first use stamps last_used_at
    failures, trials = [], 0
    state = _state()
    rules = [r for r in app.url_map.iter_rules() if r.endpoint in API_EXPECTED]
    for rule in sorted(rules, key=lambda r: r.endpoint):
        access = API_EXPECTED[rule.endpoint]
        sides = ("own", "other") if rule.arguments else ("own",)
        for method in methods_of(rule):
            for side in sides:
                url = _url(app, rule, world.own if side == "own" else world.other)
                response = _send(client, method, url, headers)
                trials += 1
                ok, refused, want = _verdict(access, role, side, response.status_code)
                label = f"{role or 'no token'} {method} {url} ({rule.endpoint}, {side})"
                if not ok:
                    failures.append(f"{label}: {response.status_code}, want {want}")
                if not response.is_json and response.status_code >= 400:
                    failures.append(f"{label}: error without a JSON body")
                after = _state()
                if refused and after != state:
                    failures.append(f"{label}: refused but changed {changed_tables(state, after)}")
                state = after
    print(f"API route × role walk, {role or 'no token'}: {trials} trials")
    assert trials == sum(len(methods_of(r)) * (2 if r.arguments else 1) for r in rules)
    assert not failures, "\n".join(failures)
