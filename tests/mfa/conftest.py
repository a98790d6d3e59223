"""Enrolled users and TOTP codes for the MFA tests."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyotp
import pytest

from vendorguard.core import settings
from vendorguard.extensions import db
from vendorguard.mfa import crypto, queries, services


def settle() -> None:
    """Wait until at least three seconds remain in the current 30-second step, so a code computed
    now is still judged against the same step when the request arrives."""
    while 30 - time.time() % 30 < 3:
        time.sleep(0.5)


def code(secret: str, offset: int = 0) -> str:
    """The TOTP code of the step ``offset`` steps from now."""
    return pyotp.TOTP(secret).at(time.time() + offset * 30)


@dataclass
class Enrolled:
    secret: str
    codes: list[str]


@pytest.fixture
def enrol(app):
    """``enrol(user)`` gives the user a confirmed authenticator (confirmed with the previous
    step's code, so the current and next steps' codes are still unused) and recovery codes."""

    def enrolling(user) -> Enrolled:
        key = settings.current().secret_key
        settle()
        services.start_enrolment(db.session, user, key)
        found = queries.credential(db.session, user.id)
        secret = crypto.decrypt(found.secret_encrypted, key)
        codes = services.confirm_enrolment(db.session, user, code(secret, -1), key)
        db.session.commit()
        return Enrolled(secret, codes)

    return enrolling
