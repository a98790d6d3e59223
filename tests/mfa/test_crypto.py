"""TOTP secrets at rest, code checking with one step of drift, recovery code hashes, the QR code."""

from __future__ import annotations

import re

import pyotp
import pytest

from vendorguard.mfa import crypto
from vendorguard.mfa.services import required_roles


def test_the_stored_secret_is_encrypted_and_needs_the_secret_key():
    secret = crypto.new_secret()
    stored = crypto.encrypt(secret, "key-one")
    assert secret not in stored and len(secret) == 32
    assert crypto.decrypt(stored, "key-one") == secret
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt(stored, "key-two")


def test_a_code_of_the_previous_current_or_next_step_matches_and_no_other():
    secret = crypto.new_secret()
    totp = pyotp.TOTP(secret)
    now = 1_800_000_015.0  # the middle of a step
    step = int(now // 30)
    for offset in (-1, 0, 1):
        assert crypto.matching_step(secret, totp.at(now + offset * 30), now) == step + offset
    for offset in (-3, -2, 2, 3):
        candidate = totp.at(now + offset * 30)
        if candidate not in {totp.at(now + o * 30) for o in (-1, 0, 1)}:
            assert crypto.matching_step(secret, candidate, now) is None
    assert crypto.matching_step(secret, "12345", now) is None
    assert crypto.matching_step(secret, "abcdef", now) is None


def test_codes_are_read_as_typed():
    assert crypto.normalise_code(" １２３ ４５６ ") == "123456"
    assert crypto.normalise_code("ABCD-EFGH-JKMN") == "abcdefghjkmn"


def test_recovery_codes_are_random_and_only_a_salted_hash_is_kept():
    codes = {crypto.new_recovery_code() for _ in range(50)}
    assert len(codes) == 50
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", c) for c in codes)
    code = codes.pop()
    salt_a, salt_b = crypto.new_salt(), crypto.new_salt()
    assert crypto.recovery_hash(code, salt_a) != crypto.recovery_hash(code, salt_b)
    assert crypto.recovery_hash(code.upper(), salt_a) == crypto.recovery_hash(code, salt_a)
    assert code.replace("-", "") not in crypto.recovery_hash(code, salt_a)


def test_the_qr_code_is_inline_svg_drawn_locally():
    uri = crypto.provisioning_uri(
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "a@city.example.jp", "vendorguard"
    )
    assert uri.startswith(
        "otpauth://totp/vendorguard:a%40city.example.jp?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    )
    svg = str(crypto.qr_svg(uri))
    assert svg.startswith("<svg") and "<path" in svg and "href" not in svg  # nothing fetched


def test_required_roles_setting():
    assert required_roles("admin, procurement,auditor") == {"admin", "procurement", "auditor"}
    assert required_roles("") == frozenset()
    assert required_roles("*") == {
        "admin",
        "procurement",
        "officer",
        "sns_owner",
        "auditor",
        "contractor",
    }
    with pytest.raises(ValueError, match="MFA_REQUIRED_ROLES"):
        required_roles("admin,boss")
