"""The demo city (``flask vg seed-demo``) in the test database, for tests that look at whole pages
the way people see them: the accessibility crawl, the English UI sample, the screenshots."""

from __future__ import annotations

from tests.factories import PASSWORD
from vendorguard.demo import services
from vendorguard.demo.data import USER_DOMAIN
from vendorguard.extensions import db

# One demo login per point of view. The security office is the officer of 情報政策課 (JOHO), the
# department the admin also sits in; "officer" is a line department's (市民課).
ACCOUNTS = {
    "security_office": "officer",
    "procurement": "procurement",
    "officer": "officer-shimin",
    "auditor": "auditor",
    "sns_owner": "sns",
    "contractor": "contractor",
    "admin": "admin",  # last: the crawl gives its page budget to the admin-only pages
}


def seed_demo_city() -> dict[str, str]:
    """Seed the demo city with the test password; return point of view -> e-mail address."""
    logins = services.seed_demo(db.session, password=PASSWORD)
    assert logins, "the test database was not empty"
    db.session.commit()
    return {view: f"{mailbox}@{USER_DOMAIN}" for view, mailbox in ACCOUNTS.items()}


def sign_in(page, base_url: str, email: str) -> None:
    """Sign in through the login form of a Playwright page."""
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{email} could not sign in"
