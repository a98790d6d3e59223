"""The SSO settings pages: providers with a secret that is never shown back, mapping rows,
Japanese refusals that keep what was typed, and lists in a fixed number of queries."""

from __future__ import annotations

from sqlalchemy import select

from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.sso.models import SsoProvider, SsoRoleMapping

DISCOVERY = "https://login.microsoftonline.com/tenant-id/v2.0/.well-known/openid-configuration"


def _provider_form(**changes) -> dict[str, str]:
    data = {
        "name": "Entra ID",
        "discovery_url": DISCOVERY,
        "client_id": "11111111-2222-3333-4444-555555555555",
        "client_secret": "s3cret-value-never-shown",
        "scopes": "openid email profile",
        "match_claim": "email",
        "enabled": "y",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_admin_registers_a_provider_and_the_secret_is_never_shown_back(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    response = client.post("/settings/sso/new", data=_provider_form())
    assert response.status_code == 302
    provider = db.session.scalars(select(SsoProvider)).one()
    assert provider.client_secret == "s3cret-value-never-shown" and provider.enabled
    page = client.get(f"/settings/sso/{provider.id}").get_data(as_text=True)
    assert "s3cret-value-never-shown" not in page and "保存済み" in page
    assert "/sso/callback" in client.get("/settings/sso/").get_data(as_text=True)
    # Saving again without typing a secret keeps the stored one.
    client.post(
        f"/settings/sso/{provider.id}", data=_provider_form(client_secret="", name="庁内ID")
    )
    db.session.refresh(provider)
    assert provider.name == "庁内ID" and provider.client_secret == "s3cret-value-never-shown"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "sso_provider"))
    assert all("s3cret" not in str(event.after) + str(event.before) for event in events)


def test_a_bad_discovery_url_is_refused_in_japanese_and_keeps_the_input(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/settings/sso/new", data=_provider_form(discovery_url="http://idp.example/authorize")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "ディスカバリーURLは https://" in page
    assert "11111111-2222-3333-4444-555555555555" in page
    assert db.session.scalars(select(SsoProvider)).first() is None


def test_mapping_rows_are_added_checked_and_deleted(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    client.post("/settings/sso/new", data=_provider_form())
    provider = db.session.scalars(select(SsoProvider)).one()
    department = make.department(name="市民課")
    url = f"/settings/sso/{provider.id}/mappings"
    refused = client.post(url, data={"claim": "groups", "value": "g1", "role": "officer"})
    assert refused.status_code == 400
    assert "この役割では所属の選択が必要です" in refused.get_data(as_text=True)
    contractor = client.post(url, data={"claim": "groups", "value": "g1", "role": "contractor"})
    assert contractor.status_code == 400
    ok = client.post(
        url,
        data={"claim": "groups", "value": "g1", "role": "officer", "department_id": department.id},
    )
    assert ok.status_code == 302
    row = db.session.scalars(select(SsoRoleMapping)).one()
    assert row.role == Role.OFFICER and row.department_id == department.id
    page = client.get(f"/settings/sso/{provider.id}").get_data(as_text=True)
    assert "市民課" in page and "g1" in page
    assert client.post(f"/settings/sso/mappings/{row.id}/delete").status_code == 302
    assert db.session.scalars(select(SsoRoleMapping)).first() is None


def test_lists_load_in_a_fixed_number_of_queries(client, make, login_as, count_queries):
    login_as(make.user(Role.ADMIN))
    departments = [make.department() for _ in range(3)]

    def add(count: int, offset: int) -> SsoProvider:
        first = None
        for n in range(count):
            provider = SsoProvider(
                name=f"IdP {offset + n}",
                discovery_url=DISCOVERY,
                client_id="c",
                client_secret="s",
            )
            db.session.add(provider)
            db.session.flush()
            first = first or provider
            db.session.add_all(
                SsoRoleMapping(
                    provider_id=provider.id,
                    claim="groups",
                    value=f"g{m}",
                    role=Role.OFFICER,
                    department_id=departments[m % 3].id,
                )
                for m in range(2)
            )
        db.session.commit()
        return first

    first = add(5, 0)
    client.get("/settings/sso/")
    with count_queries() as few:
        assert client.get("/settings/sso/?per_page=200").status_code == 200
    with count_queries() as few_rows:
        assert client.get(f"/settings/sso/{first.id}?per_page=200").status_code == 200
    add(500, 1000)
    db.session.add_all(
        SsoRoleMapping(
            provider_id=first.id,
            claim="groups",
            value=f"bulk{m}",
            role=Role.OFFICER,
            department_id=departments[m % 3].id,
        )
        for m in range(500)
    )
    db.session.commit()
    with count_queries() as many:
        response = client.get("/settings/sso/?per_page=200")
    assert response.status_code == 200 and response.get_data(as_text=True).count("IdP ") >= 200
    with count_queries() as many_rows:
        response = client.get(f"/settings/sso/{first.id}?per_page=200")
    assert response.get_data(as_text=True).count("bulk") >= 198
    assert few.count == many.count
    assert few_rows.count == many_rows.count


def test_others_cannot_reach_the_settings(client, make, login_as):
    login_as(make.user(Role.AUDITOR))
    assert client.get("/settings/sso/").status_code == 403
