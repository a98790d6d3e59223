"""The OpenID Connect client against a real provider on 127.0.0.1, through the app's routes:
PKCE, state and nonce, the id_token's signature, the role mapping, refusals and their trail."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc import jwt as jose_jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD
from tests.sso.conftest import run_flow
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.sso import oidc
from vendorguard.sso.models import SsoIdentity
from vendorguard.sso.services import client_for

REFUSED = "シングルサインオンでのログインを確認できませんでした"


def _refusals() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sso_refused")))


def _home(client) -> str:
    return client.get("/", follow_redirects=True).get_data(as_text=True)


def test_mapped_user_signs_in_with_pkce_and_gets_mapped_role(client, idp, oidc_setup, make):
    provider = oidc_setup()
    user = make.user(Role.AUDITOR, email="hanako@city.example.jp")
    idp.add_user(
        "hanako", email="Hanako@city.example.jp", email_verified=True, groups=["vg-officers"]
    )

    response, params = run_flow(client, idp, provider.id, "hanako")

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["state"] and params["nonce"] and "openid" in params["scope"].split()
    assert "ログイン" in _home(client) and client.get("/").status_code == 200
    db.session.refresh(user)
    assert user.role == Role.OFFICER and user.department_id == oidc_setup.department.id
    identity = db.session.scalars(select(SsoIdentity)).one()
    assert identity.user_id == user.id and identity.subject == idp.users["hanako"]["sub"]
    login = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).one()
    assert login.actor_id == user.id and login.after["sso"] == "庁内ID"


def test_session_generation_applies_and_logout_ends_the_sso_session(client, idp, oidc_setup, make):
    provider = oidc_setup()
    user = make.user(Role.OFFICER, department=make.department(), email="taro@city.example.jp")
    idp.add_user("taro", email="taro@city.example.jp", groups=["vg-officers"])
    run_flow(client, idp, provider.id, "taro")
    assert client.get("/").status_code == 200
    cookie = client.get_cookie("vendorguard_session").value

    thief = client.application.test_client()
    thief.set_cookie("vendorguard_session", cookie)
    assert thief.get("/").status_code == 200  # the same session as a password sign-in …
    page = client.get("/account/password").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token_from(page)})
    assert thief.get("/").status_code == 302  # … which logout ends everywhere
    db.session.refresh(user)
    assert user.session_generation >= 1


def test_unmapped_user_is_refused_and_recorded(client, idp, oidc_setup, make):
    provider = oidc_setup()
    user = make.user(Role.PROCUREMENT, email="jiro@city.example.jp")
    idp.add_user("jiro", email="jiro@city.example.jp", groups=["somebody-else"])

    response, _ = run_flow(client, idp, provider.id, "jiro")

    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert "役割が割り当てられていないため、ログインできません" in page
    assert client.get("/").status_code == 302  # not signed in
    db.session.refresh(user)
    assert user.role == Role.PROCUREMENT  # nothing changed
    [event] = _refusals()
    assert event.object_label == "jiro@city.example.jp" and "no role mapped" in str(event.after)
    assert db.session.scalars(select(SsoIdentity)).first() is None


def test_state_mismatch_is_refused(client, idp, oidc_setup, make):
    provider = oidc_setup()
    make.user(Role.AUDITOR, email="saburo@city.example.jp")
    idp.add_user("saburo", email="saburo@city.example.jp", groups=["vg-audit"])

    def other_state(params):
        return {**params, "state": "attacker-state"}

    response, _ = run_flow(client, idp, provider.id, "saburo", tamper=other_state)

    assert response.headers["Location"].endswith("/login")
    assert REFUSED in client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert "state mismatch" in str(_refusals()[0].after)


def test_callback_without_a_pending_sign_in_is_refused(client, oidc_setup):
    oidc_setup()
    response = client.get("/sso/callback?code=abc&state=xyz")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "no sign-in in progress" in str(_refusals()[0].after)


def test_nonce_mismatch_is_refused(client, idp, oidc_setup, make):
    provider = oidc_setup()
    make.user(Role.AUDITOR, email="shiro@city.example.jp")
    idp.add_user("shiro", email="shiro@city.example.jp", groups=["vg-audit"])

    # The provider puts whatever nonce it was asked for into the id_token: a replayed or
    # injected answer carries another nonce than the one this browser's session holds.
    def other_nonce(params):
        return {**params, "nonce": "someone-elses-nonce"}

    response, _ = run_flow(client, idp, provider.id, "shiro", tamper=other_nonce)

    assert response.headers["Location"].endswith("/login")
    assert client.get("/").status_code == 302
    assert "nonce" in str(_refusals()[0].after)


def test_id_token_signed_with_an_unknown_key_is_refused(client, idp, oidc_setup, make):
    provider = oidc_setup()
    make.user(Role.AUDITOR, email="goro@city.example.jp")
    idp.add_user("goro", email="goro@city.example.jp", groups=["vg-audit"])
    idp.rogue_key = RSAKey.generate_key(2048, parameters={"kid": idp.key.kid})

    response, _ = run_flow(client, idp, provider.id, "goro")

    assert response.headers["Location"].endswith("/login")
    assert client.get("/").status_code == 302
    assert "signature" in str(_refusals()[0].after)


def test_id_token_for_another_audience_issuer_or_expired_is_refused(idp, oidc_setup):
    """Tokens signed with the provider's own key but not for us, not from it, or too old."""
    provider = oidc_setup()
    client = client_for(provider, 5)
    endpoints = oidc.discover(client)
    now = int(time.time())
    good = {
        "iss": idp.issuer,
        "aud": provider.client_id,
        "sub": "x",
        "exp": now + 60,
        "iat": now,
        "nonce": "n",
    }

    def signed(**changes) -> str:
        header = {"alg": "RS256", "kid": idp.key.kid}
        return jose_jwt.encode(header, {**good, **changes}, idp.key)

    assert oidc.validate_id_token(client, endpoints, signed(), "n")["sub"] == "x"
    for changes, reason in (
        ({"aud": "someone-else"}, "aud"),
        ({"iss": "https://evil.example"}, "iss"),
        ({"exp": now - 600, "iat": now - 900}, "exp"),
        ({"nonce": "other"}, "nonce"),
    ):
        with pytest.raises(oidc.OidcError, match=reason):
            oidc.validate_id_token(client, endpoints, signed(**changes), "n")
    unsigned = jose_jwt.encode({"alg": "none"}, good, None, algorithms=["none"])
    with pytest.raises(oidc.OidcError, match="signature"):
        oidc.validate_id_token(client, endpoints, unsigned, "n")


def test_disabled_provider_is_refused_before_the_provider_is_asked(client, idp, oidc_setup):
    provider = oidc_setup(enabled=False)
    response = client.get(f"/sso/{provider.id}/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "このシングルサインオンは現在利用できません" in client.get("/login").get_data(
        as_text=True
    )
    assert idp.seen == []
    assert "provider disabled" in str(_refusals()[0].after)


def test_provider_disabled_while_the_person_is_at_the_provider(client, idp, oidc_setup, make):
    provider = oidc_setup()
    make.user(Role.AUDITOR, email="nana@city.example.jp")
    idp.add_user("nana", email="nana@city.example.jp", groups=["vg-audit"])

    def switch_off(params):
        provider.enabled = False
        db.session.commit()
        return params

    response, _ = run_flow(client, idp, provider.id, "nana", tamper=switch_off)
    assert response.headers["Location"].endswith("/login")
    assert client.get("/").status_code == 302


def test_login_page_shows_only_enabled_providers(client, oidc_setup):
    provider = oidc_setup()
    page = client.get("/login").get_data(as_text=True)
    assert "SSOでログイン（庁内ID）" in page and f"/sso/{provider.id}/login" in page
    provider.enabled = False
    db.session.commit()
    assert "SSOでログイン" not in client.get("/login").get_data(as_text=True)


def test_just_in_time_provisioning_creates_the_user_with_the_mapped_role(client, idp, oidc_setup):
    provider = oidc_setup(provisioning=True)
    idp.add_user(
        "new", email="new.person@city.example.jp", name="新人 太郎", groups=["vg-officers"]
    )

    response, _ = run_flow(client, idp, provider.id, "new")

    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = db.session.scalars(select(User).where(User.email == "new.person@city.example.jp")).one()
    assert user.role == Role.OFFICER and user.department_id == oidc_setup.department.id
    assert user.name == "新人 太郎" and user.password_hash == ""


def test_unknown_user_without_provisioning_is_refused(client, idp, oidc_setup):
    provider = oidc_setup()
    idp.add_user("stranger", email="stranger@city.example.jp", groups=["vg-officers"])
    response, _ = run_flow(client, idp, provider.id, "stranger")
    assert response.headers["Location"].endswith("/login")
    assert "まだ利用者として登録されていません" in client.get("/login").get_data(as_text=True)
    assert db.session.scalars(select(User)).first() is None


def test_unverified_email_does_not_match_an_existing_user(client, idp, oidc_setup, make):
    provider = oidc_setup()
    victim = make.user(Role.ADMIN, email="boss@city.example.jp")
    idp.add_user("mallory", email="boss@city.example.jp", email_verified=False, groups=["vg-audit"])
    response, _ = run_flow(client, idp, provider.id, "mallory")
    assert response.headers["Location"].endswith("/login")
    db.session.refresh(victim)
    assert victim.role == Role.ADMIN and client.get("/").status_code == 302


def test_match_by_subject_ignores_the_email_claim(client, idp, oidc_setup, make):
    provider = oidc_setup(match_claim="sub")
    make.user(Role.AUDITOR, email="same@city.example.jp")
    idp.add_user("same", email="same@city.example.jp", groups=["vg-audit"])
    response, _ = run_flow(client, idp, provider.id, "same")
    assert response.headers["Location"].endswith("/login")  # no linked subject, no provisioning


def test_password_login_switched_off_for_a_role(app, client, make):
    app.config["SSO_ONLY_ROLES"] = "officer, sns_owner"
    officer = make.user(Role.OFFICER)
    auditor = make.user(Role.AUDITOR)
    response = client.post(
        "/login", data={"email": officer.email, "password": PASSWORD}, follow_redirects=True
    )
    assert "パスワードではログインできません" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "login_password_off")
    ).one()
    assert event.object_id == str(officer.id)
    # A wrong password still gets the usual answer (the role is not revealed to a guesser).
    wrong = client.post(
        "/login", data={"email": officer.email, "password": "nope"}, follow_redirects=True
    )
    assert "メールアドレスまたはパスワードが正しくありません" in wrong.get_data(as_text=True)
    other = client.application.test_client()
    assert (
        other.post("/login", data={"email": auditor.email, "password": PASSWORD}).status_code == 302
    )


def test_the_page_asked_for_is_opened_after_sign_in_but_never_another_site(
    client, idp, oidc_setup, make
):
    provider = oidc_setup()
    make.user(Role.AUDITOR, email="hachi@city.example.jp")
    idp.add_user("hachi", email="hachi@city.example.jp", groups=["vg-audit"])
    start = client.get(f"/sso/{provider.id}/login?next=/contractors/")
    assert start.status_code == 302
    client.get("/login")  # the browser goes on; the pending sign-in stays in the session
    params = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["Location"]).query).items()}
    answer = requests.post(
        f"{idp.issuer}/authorize",
        data={**params, "username": "hachi"},
        allow_redirects=False,
        timeout=10,
    )
    back = urlsplit(answer.headers["Location"])
    response = client.get(f"{back.path}?{back.query}")
    assert response.headers["Location"] == "/contractors/"

    other = client.application.test_client()
    start = other.get(f"/sso/{provider.id}/login?next=//evil.example/")
    params = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["Location"]).query).items()}
    answer = requests.post(
        f"{idp.issuer}/authorize",
        data={**params, "username": "hachi"},
        allow_redirects=False,
        timeout=10,
    )
    back = urlsplit(answer.headers["Location"])
    assert other.get(f"{back.path}?{back.query}").headers["Location"] == "/"


def test_an_error_from_the_provider_is_refused_and_the_code_is_not_used(client, idp, oidc_setup):
    provider = oidc_setup()
    start = client.get(f"/sso/{provider.id}/login")
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    response = client.get(f"/sso/callback?error=access_denied&state={state}")
    assert response.headers["Location"].endswith("/login")
    assert REFUSED in client.get("/login").get_data(as_text=True)
    assert "provider error access_denied" in str(_refusals()[0].after)
    # The pending sign-in was used up: the same state cannot be replayed.
    again = client.get(f"/sso/callback?code=x&state={state}")
    assert again.headers["Location"].endswith("/login")
    assert "no sign-in in progress" in str(_refusals()[1].after)


def test_the_last_administrator_is_not_demoted_by_a_mapping(client, idp, oidc_setup, make):
    provider = oidc_setup()
    admin = make.user(Role.ADMIN, email="kyu@city.example.jp")
    idp.add_user("kyu", email="kyu@city.example.jp", groups=["vg-audit"])
    response, _ = run_flow(client, idp, provider.id, "kyu")
    assert response.headers["Location"].endswith("/login")
    assert "有効な管理者がこの利用者だけのため" in client.get("/login").get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == Role.ADMIN
    # With another administrator in place the mapping applies.
    make.user(Role.ADMIN)
    response, _ = run_flow(client, idp, provider.id, "kyu")
    assert response.headers["Location"] == "/"
    db.session.refresh(admin)
    assert admin.role == Role.AUDITOR


def test_an_sso_sign_in_is_not_sent_to_the_apps_own_mfa_enrolment(
    app, client, idp, oidc_setup, make
):
    """The identity provider authenticates, with its own second factor: enforcement of TOTP for
    the role (MFA_REQUIRED_ROLES) applies to password sign-ins only."""
    app.config["MFA_REQUIRED_ROLES"] = "*"
    provider = oidc_setup()
    make.user(Role.OFFICER, department=make.department(), email="jiro@city.example.jp")
    idp.add_user("jiro", email="jiro@city.example.jp", email_verified=True, groups=["vg-officers"])
    response, _params = run_flow(client, idp, provider.id, "jiro")
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # not redirected to /mfa/enrol
    client.post(
        "/logout", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))}
    )
    response = client.post("/login", data={"email": "jiro@city.example.jp", "password": PASSWORD})
    assert client.get("/").headers.get("Location", "").endswith("/mfa/enrol")
