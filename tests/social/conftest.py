"""Fixtures for the social account tests."""
from __future__ import annotations

import pytest

from tests.conftest import login


@pytest.fixture
def login_as(client):
    """``login_as(user)``, signing out whoever was signed in first (tests switch users)."""

    def switch(user):
        client.post("/logout")
        login(client, user)

    return switch
