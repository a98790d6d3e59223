"""Fixtures for the catalog tests: the shipped catalog, a request context, typical arrangements."""

from __future__ import annotations

import pytest

from vendorguard.catalog.seed import ensure_catalog
from vendorguard.extensions import db


@pytest.fixture
def catalog(app):
    """The shipped requirements and approved clause texts, committed."""
    added = ensure_catalog(db.session)
    db.session.commit()
    return added


@pytest.fixture
def ja(app):
    """A request context in Japanese, for code that reads the locale (gettext, rule wording)."""
    with app.test_request_context("/", headers={"Accept-Language": "ja"}):
        yield
