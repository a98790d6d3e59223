"""The test client behaves like production: each request has its own app context, ``g`` and
database session, separate from the test's own."""

from __future__ import annotations

import pytest
from flask import g
from flask.globals import app_ctx

from vendorguard.extensions import db


def test_each_request_has_its_own_app_context_g_and_session(app, client):
    seen = []

    @app.get("/_probe")
    def probe():
        seen.append((app_ctx._get_current_object(), db.session(), "marker" in g))
        g.marker = True
        return ""

    client.get("/_probe")
    client.get("/_probe")
    (first_ctx, first_session, first_marked), (second_ctx, second_session, second_marked) = seen
    assert first_ctx is not second_ctx and first_session is not second_session
    assert app_ctx._get_current_object() not in (first_ctx, second_ctx)
    assert db.session() not in (first_session, second_session)
    assert not first_marked and not second_marked  # nothing in g survives a request
    assert "marker" not in g


def test_a_request_after_uncommitted_test_changes_fails_loudly(app, client, make):
    department = make.department(name="市民課")
    department.name = "税務課"  # not committed: the request's own session could not see it
    with pytest.raises(pytest.fail.Exception, match="commit the test's changes"):
        client.get("/login")
    db.session.flush()  # flushed is not committed either
    with pytest.raises(pytest.fail.Exception, match="commit the test's changes"):
        client.get("/login")
    db.session.commit()
    assert client.get("/login").status_code == 200
