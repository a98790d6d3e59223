"""The OpenID Connect protocol as a relying party: discovery, the authorization request with PKCE
(S256), state and nonce, the code exchange and the id_token check (signature by the provider's
JWKS, issuer, audience, expiry, nonce). Knows nothing of users or the database."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

# Asymmetric signatures only: never "none", never an HMAC keyed with something public.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
LEEWAY_SECONDS = 60  # clock difference tolerated on exp / iat
PENDING_SECONDS = 600  # a sign-in must come back from the provider within ten minutes
MAX_DOCUMENT_BYTES = 1024 * 1024  # discovery and JWKS documents are a few KiB


class OidcError(Exception):
    """The provider or its answer cannot be trusted; ``reason`` is for the audit trail."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Endpoints:
    """What discovery tells about a provider."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_auth_methods: tuple[str, ...]


@dataclass(frozen=True)
class Client:
    """A provider as this app is registered there."""

    discovery_url: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    timeout: float = 10.0


def allowed_url(url: str) -> bool:
    """HTTPS, or plain HTTP to this machine only (a provider run for development or tests)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


def _get_json(url: str, timeout: float) -> dict[str, Any]:
    if not allowed_url(url):
        raise OidcError(f"insecure url {url}")
    try:
        response = requests.get(url, timeout=timeout, stream=True)
        response.raise_for_status()
        body = response.raw.read(MAX_DOCUMENT_BYTES + 1, decode_content=True)
        if len(body) > MAX_DOCUMENT_BYTES:
            raise OidcError(f"document too large: {url}")
        data = json.loads(body)
    except (requests.RequestException, ValueError) as error:
        raise OidcError(f"cannot read {url}: {error.__class__.__name__}") from None
    if not isinstance(data, dict):
        raise OidcError(f"not a JSON object: {url}")
    return data


def discover(client: Client) -> Endpoints:
    """Read the provider's discovery document and check it names the issuer it was found under."""
    data = _get_json(client.discovery_url, client.timeout)
    try:
        endpoints = Endpoints(
            issuer=str(data["issuer"]),
            authorization_endpoint=str(data["authorization_endpoint"]),
            token_endpoint=str(data["token_endpoint"]),
            jwks_uri=str(data["jwks_uri"]),
            token_auth_methods=tuple(
                data.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
            ),
        )
    except KeyError as missing:
        raise OidcError(f"discovery document lacks {missing}") from None
    # OpenID Connect Discovery 1.0 §4.3: the document lives under the issuer it names.
    if not client.discovery_url.startswith(endpoints.issuer.rstrip("/") + "/"):
        raise OidcError(f"issuer {endpoints.issuer} does not match the discovery URL")
    for url in (endpoints.authorization_endpoint, endpoints.token_endpoint, endpoints.jwks_uri):
        if not allowed_url(url):
            raise OidcError(f"insecure endpoint {url}")
    return endpoints


def _session(client: Client, endpoints: Endpoints, redirect_uri: str) -> OAuth2Session:
    method = "none"
    if client.client_secret:
        supported = endpoints.token_auth_methods
        method = (
            "client_secret_post"
            if "client_secret_basic" not in supported
            else "client_secret_basic"
        )
    return OAuth2Session(
        client.client_id,
        client.client_secret or None,
        token_endpoint_auth_method=method,
        scope=" ".join(client.scopes),
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )


def authorization_request(client: Client, redirect_uri: str) -> tuple[str, dict[str, Any]]:
    """The URL to send the browser to, and what to keep in the session until it comes back."""
    endpoints = discover(client)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters: RFC 7636 asks for 43 … 128
    with _session(client, endpoints, redirect_uri) as oauth:
        url, _ = oauth.create_authorization_url(
            endpoints.authorization_endpoint, state=state, code_verifier=verifier, nonce=nonce
        )
    pending = {"state": state, "nonce": nonce, "verifier": verifier, "at": int(time.time())}
    return url, pending


def check_state(pending: dict[str, Any] | None, returned_state: str) -> dict[str, Any]:
    """The pending request this answer belongs to; refuses a missing, stale or foreign state."""
    if not pending or not isinstance(pending.get("state"), str):
        raise OidcError("no sign-in in progress")
    if not secrets.compare_digest(pending["state"].encode(), (returned_state or "").encode()):
        raise OidcError("state mismatch")
    if time.time() - int(pending.get("at", 0)) > PENDING_SECONDS:
        raise OidcError("sign-in took too long")
    return pending


def exchange(
    client: Client, pending: dict[str, Any], code: str, redirect_uri: str
) -> dict[str, Any]:
    """Trade the code (with the PKCE verifier) for tokens and return the id_token's checked claims."""
    endpoints = discover(client)
    try:
        with _session(client, endpoints, redirect_uri) as oauth:
            token = oauth.fetch_token(
                endpoints.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=pending["verifier"],
                timeout=client.timeout,
            )
    except Exception as error:  # requests and Authlib's OAuthError alike: the exchange failed
        raise OidcError(f"token request refused: {error.__class__.__name__}: {error}") from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise OidcError("no id_token in the token response")
    return validate_id_token(
        client, endpoints, id_token, pending["nonce"], token.get("access_token")
    )


def validate_id_token(
    client: Client,
    endpoints: Endpoints,
    id_token: str,
    nonce: str,
    access_token: str | None = None,
) -> dict[str, Any]:
    """The id_token's claims after checking its signature, issuer, audience, expiry and nonce."""
    registry = JWSRegistry(algorithms=ALGORITHMS, strict_check_header=False)
    try:
        keys = KeySet.import_key_set(_get_json(endpoints.jwks_uri, client.timeout))  # type: ignore[arg-type]
        decoded = jwt.decode(id_token, keys, registry=registry)
    except (JoseError, ValueError) as error:
        raise OidcError(f"id_token signature: {error.__class__.__name__}") from None
    params: dict[str, Any] = {"nonce": nonce, "client_id": client.client_id}
    if access_token:
        params["access_token"] = access_token
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {
            "iss": {"essential": True, "value": endpoints.issuer},
            "aud": {"essential": True, "value": client.client_id},
            "exp": {"essential": True},
            "sub": {"essential": True},
            "nonce": {"essential": True},
        },
        params,
    )
    try:
        claims.validate(leeway=LEEWAY_SECONDS)
    except JoseError as error:
        raise OidcError(f"id_token claims: {error.__class__.__name__}: {error}") from None
    return dict(claims)
