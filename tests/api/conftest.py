"""Fixtures of other test packages the API tests reuse (pytest finds fixtures through conftest)."""

from tests.documents.conftest import shipped_catalog  # noqa: F401
from tests.portal.conftest import two_contractors  # noqa: F401
