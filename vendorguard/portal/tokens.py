"""Signed tokens for set-password links and single-request upload links.

A token carries an id and a random nonce, signed with the app's secret key. The database keeps
only the nonce's sha256, so neither a leaked table nor a forged signature opens anything.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

INVITATION_SALT = "portal-invitation"
UPLOAD_LINK_SALT = "upload-link"
QUESTIONNAIRE_LINK_SALT = "questionnaire-link"


@dataclass(frozen=True)
class TokenPayload:
    """What a valid signature vouches for: the row's id and the nonce to compare with its hash."""

    id: int
    nonce: str


def new_nonce() -> str:
    """A fresh random nonce (256 bits)."""
    return secrets.token_urlsafe(32)


def hash_nonce(nonce: str) -> str:
    """The value stored in the database for a nonce."""
    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()


def nonce_matches(nonce: str, stored_hash: str) -> bool:
    """Compare a nonce with its stored hash in constant time."""
    return hmac.compare_digest(hash_nonce(nonce), stored_hash)


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _dump(salt: str, row_id: int, nonce: str) -> str:
    return _serializer(salt).dumps({"id": row_id, "n": nonce})


def _load(salt: str, token: str) -> TokenPayload | None:
    # Expiry is decided by the row's expires_at (shown to people as a date), not by the
    # signature's age, so an expired link can say "expired" instead of "invalid".
    try:
        data = _serializer(salt).loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("id"), int)
        or not isinstance(data.get("n"), str)
    ):
        return None
    return TokenPayload(data["id"], data["n"])


def invitation_token(invitation_id: int, nonce: str) -> str:
    """The token in a set-password link."""
    return _dump(INVITATION_SALT, invitation_id, nonce)


def read_invitation_token(token: str) -> TokenPayload | None:
    """The payload of a set-password token, or None when it was not signed by us."""
    return _load(INVITATION_SALT, token)


def upload_link_token(link_id: int, nonce: str) -> str:
    """The token in a single-request upload link."""
    return _dump(UPLOAD_LINK_SALT, link_id, nonce)


def read_upload_link_token(token: str) -> TokenPayload | None:
    """The payload of an upload-link token, or None when it was not signed by us."""
    return _load(UPLOAD_LINK_SALT, token)


def questionnaire_link_token(request_id: int, nonce: str) -> str:
    """The token in a single-questionnaire answer link (questionnaires)."""
    return _dump(QUESTIONNAIRE_LINK_SALT, request_id, nonce)


def read_questionnaire_link_token(token: str) -> TokenPayload | None:
    """The payload of a questionnaire-link token, or None when it was not signed by us."""
    return _load(QUESTIONNAIRE_LINK_SALT, token)
