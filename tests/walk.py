"""Shared machinery of the route × role walks: every method of every rule, sent like a browser
would (POST with a valid CSRF token for the signed-in user), and a snapshot of the whole database
to prove that a refused request changed nothing."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from werkzeug.routing import Rule

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD
from vendorguard.extensions import db

IGNORED_METHODS = {"HEAD", "OPTIONS"}  # answered by Werkzeug/Flask for every GET rule
CSRF_REFUSAL = "フォームの有効期限が切れたか、不正な送信です。"  # the app's CSRFError page


def methods_of(rule: Rule) -> list[str]:
    """Every method the rule accepts that a view handles, in a fixed order."""
    return sorted(rule.methods - IGNORED_METHODS)


def database_state() -> dict[str, tuple[int, str]]:
    """Row count and a hash of all rows of every table but the records marker (a cache's
    validator, renewed by any committed write: what changed shows in the tables themselves)."""
    state = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name == "change_marker":
                continue
            rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            state[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    """Names of the tables whose rows differ between two snapshots."""
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


class Browser:
    """A test client that behaves like a signed-in browser: it knows its CSRF token."""

    def __init__(self, app, user=None) -> None:
        self.client = app.test_client()
        self.user = user
        self.token = ""
        self.sign_in()

    def sign_in(self) -> None:
        """Sign in through the real form (with its CSRF token) and fetch this session's token."""
        login_page = self.client.get("/login").get_data(as_text=True)
        if self.user is None:
            self.token = csrf_token_from(login_page)
            return
        response = self.client.post(
            "/login",
            data={
                "email": self.user.email,
                "password": PASSWORD,
                "csrf_token": csrf_token_from(login_page),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        # Signing in starts a new session, so the token is taken from a page of the new one.
        self.token = csrf_token_from(self.client.get("/account/password").get_data(as_text=True))

    def send(self, url: str, method: str):
        """One request; state-changing methods carry the token as a form field and a header
        (the streaming upload views read the header)."""
        if method == "GET":
            return self.client.get(url)
        response = self.client.open(
            url,
            method=method,
            data={"csrf_token": self.token},
            headers={"X-CSRFToken": self.token},
        )
        # The token must pass wherever the request gets as far as checking it; otherwise the walk
        # would only ever see the CSRF refusal.
        refused_token = response.status_code == 400 and CSRF_REFUSAL in response.get_data(
            as_text=True
        )
        assert not refused_token, f"CSRF token refused: {method} {url}"
        return response
