"""A real OpenID provider on 127.0.0.1 for every SSO test, and a registered provider row."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.sso.idp import TestProvider
from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.sso.models import MatchClaim, SsoProvider, SsoRoleMapping


@pytest.fixture
def idp():
    """The test OpenID provider, started for one test and stopped after it."""
    provider = TestProvider()
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
def oidc_setup(app, idp, make):
    """The app registered at the provider; a provider row mapping two groups to roles."""

    def build(base_url: str | None = None, **fields) -> SsoProvider:
        if base_url:
            app.config["BASE_URL"] = base_url
        client = idp.add_client(f"{app.config['BASE_URL'].rstrip('/')}/sso/callback")
        fields.setdefault("enabled", True)
        fields.setdefault("match_claim", MatchClaim.EMAIL)
        row = SsoProvider(
            name="庁内ID",
            discovery_url=idp.discovery_url,
            client_id=client.client_id,
            client_secret=client.client_secret,
            scopes="openid email profile groups",
            **fields,
        )
        db.session.add(row)
        db.session.flush()
        department = make.department(name="情報政策課")
        db.session.add_all(
            [
                SsoRoleMapping(
                    provider_id=row.id,
                    claim="groups",
                    value="vg-officers",
                    role=Role.OFFICER,
                    department_id=department.id,
                    position=10,
                ),
                SsoRoleMapping(
                    provider_id=row.id,
                    claim="groups",
                    value="vg-audit",
                    role=Role.AUDITOR,
                    position=20,
                ),
            ]
        )
        db.session.commit()
        build.department = department
        return row

    return build


def run_flow(client, idp, provider_id: int, username: str, tamper=None):
    """Sign in through the provider with the Flask test client for the app and plain HTTP for
    the provider (its real sign-in form). ``tamper`` may change the authorization parameters."""
    start = client.get(f"/sso/{provider_id}/login")
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    location = start.headers["Location"]
    assert location.startswith(idp.issuer + "/authorize?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    if tamper:
        params = tamper(params)
    answer = requests.post(
        f"{idp.issuer}/authorize",
        data={**params, "username": username},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:300]
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}"), params
