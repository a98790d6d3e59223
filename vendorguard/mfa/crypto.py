"""The secrets of the second factor: TOTP secrets encrypted at rest, code checking with one step of
drift, recovery codes with salted hashes, and the enrolment QR code drawn locally."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from markupsafe import Markup

STEP_SECONDS = 30  # RFC 6238's default, what every authenticator app uses
DRIFT_STEPS = 1  # a code of the previous or the next step is accepted too (clock drift)
DIGITS = 6
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed by hand
RECOVERY_GROUPS, RECOVERY_GROUP_LENGTH = 3, 4  # "abcd-efgh-jkmn": 12 characters, ~59 bits


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted (SECRET_KEY changed since it was stored)."""


def _fernet(secret_key: str) -> Fernet:
    # A key of its own, derived from SECRET_KEY: a database dump alone does not give the secrets.
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"vendorguard-mfa", info=b"totp-secret"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    """A fresh TOTP secret: 32 base32 characters (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def encrypt(secret: str, secret_key: str) -> str:
    """The secret as stored: Fernet (AES-128-CBC + HMAC-SHA256) under a key from ``secret_key``."""
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def decrypt(stored: str, secret_key: str) -> str:
    """The secret from its stored form; ``SecretUnreadable`` when the key does not fit."""
    try:
        return _fernet(secret_key).decrypt(stored.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable() from None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str) -> Markup:
    """The QR code of ``uri`` as inline SVG, drawn here (no image service sees the secret)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    return Markup(svg)  # noqa: S704  (segno's own SVG: no user input reaches it unescaped)


def normalise_code(code: str) -> str:
    """A code as typed, without spaces and hyphens, lower-case (full-width digits made ASCII)."""
    code = code.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return re.sub(r"[\s\-]", "", code).lower()


def is_totp_code(code: str) -> bool:
    """Whether a normalised code has the shape of a TOTP code (six digits)."""
    return len(code) == DIGITS and code.isdigit()


def current_step(now: float | None = None) -> int:
    """The 30-second step of ``now`` (Unix time)."""
    return int((time.time() if now is None else now) // STEP_SECONDS)


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The step (current ±1) whose code ``code`` is, or None. Every candidate is compared in
    constant time."""
    if not is_totp_code(code):
        return None
    totp = pyotp.TOTP(secret)
    step = current_step(now)
    found = None
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            found = candidate
    return found


def new_recovery_code() -> str:
    """A recovery code as shown to the user: ``abcd-efgh-jkmn``."""
    groups = (
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH))
        for _ in range(RECOVERY_GROUPS)
    )
    return "-".join(groups)


def new_salt() -> str:
    """A random 128-bit salt, hex."""
    return secrets.token_hex(16)


def recovery_hash(code: str, salt: str) -> str:
    """The stored form of a recovery code: sha256 over its salt and the normalised code."""
    return hashlib.sha256(f"{salt}:{normalise_code(code)}".encode()).hexdigest()
