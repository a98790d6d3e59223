"""Property-based test of the whole API against its own OpenAPI document, served live.

schemathesis reads /api/v1/openapi.json from a server on 127.0.0.1, generates requests for every
operation (valid and edge-case parameters and bodies) with an administrator's read-write token on
a populated register, and checks each response: no server error, status and content type as
documented, body and headers valid against the document's schemas. Bounded: ``MAX_EXAMPLES`` per
operation (about a minute in all on the CI machine). Marked ``schemathesis``: CI runs it once (SQLite).
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.helpers import bearer, token_for
from tests.api.walk_table import API_EXPECTED
from tests.test_authorization import _users, build_world

MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_token(app, make):
    """A populated register (every kind of record, both departments) and an admin's token."""
    world, own_dept = build_world(make)
    users = _users(make, own_dept, world.own["contractor_id_of_user"])
    app.config["API_RATE_LIMIT"] = 100_000  # the generator is not the client being limited
    return token_for(users["admin"])


def _property_test(operation, token: str, calls: Counter):
    """A Hypothesis test sending ``operation``'s generated cases and checking every response."""

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case):
        calls[operation.label] += 1
        case.call_and_validate(headers=bearer(token), checks=CHECKS, timeout=30)

    return check


@pytest.mark.schemathesis
@pytest.mark.slow
def test_the_api_keeps_its_openapi_document(live_server, api_token):
    # Each operation's strategy driven by Hypothesis directly (schemathesis' pytest loader
    # ``from_fixture`` does not run under pytest 9), every failure collected with its operation.
    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")
    failures, operations, calls = [], 0, Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        check = _property_test(operation, api_token, calls)
        try:
            check()
        except Exception as error:  # a failed check: keep going to report every operation
            failures.append(f"{operation.label}: {error}")
    assert operations == len(API_EXPECTED)  # every operation of the document was exercised
    assert sum(calls.values()) >= operations * 5, calls
    assert not failures, "\n\n".join(failures)
