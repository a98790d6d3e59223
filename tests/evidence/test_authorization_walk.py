"""Every evidence route, for every role, on the own and another department's engagement.

Mirrors tests/test_authorization.py (whose EXPECTED table the lead keeps): these are the entries
the evidence pages need there.
"""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import select

from tests.evidence.helpers import day, requirement, store
from tests.walk import Browser, changed_tables, database_state, methods_of
from vendorguard.auth.roles import Role
from vendorguard.evidence import services
from vendorguard.evidence.models import Cadence, EvidenceFile, EvidenceProvider
from vendorguard.extensions import db

A, P, O, S, U, C = "admin", "procurement", "officer", "sns_owner", "auditor", "contractor"
INTERNAL = {A, P, O, S, U}
READ = {A, P, O, U}
CHANGE = ({A, P, O}, {O})  # (allowed, own department only)
EXPECTED = {
    "evidence.requests": (INTERNAL, set()),
    "evidence.arrangement": (READ, set()),
    "evidence.request_detail": (READ, set()),
    "evidence.download": (READ, set()),
    **{
        f"evidence.{name}": CHANGE
        for name in (
            "generate",
            "requirement_new",
            "requirement_edit",
            "requirement_archive",
            "requirement_restore",
            "request_new",
            "upload",
            "review",
            "request_close",
        )
    },
}


def _ids(make, department) -> dict[str, int]:
    engagement = make.engagement(department=department)
    item = requirement(
        db.session,
        engagement,
        title="点検記録",
        cadence=Cadence.AD_HOC,
        provider=EvidenceProvider.INTERNAL,
    )
    created = services.create_adhoc_request(
        db.session,
        engagement,
        services.AdhocData(due_on=day("2099-03-02"), requirement_id=item.id),
        day("2026-01-05"),
    )
    submission = services.submit(db.session, created, [store()], "", via="internal")
    db.session.commit()
    file_id = db.session.scalars(
        select(EvidenceFile.id).where(EvidenceFile.submission_id == submission.id)
    ).one()
    return {
        "arrangement_id": engagement.id,
        "evidence_requirement_id": item.id,
        "request_id": created.id,
        "submission_id": submission.id,
        "file_id": file_id,
    }


def test_every_evidence_route_has_an_expectation(app):
    endpoints = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("evidence.")
    }
    assert endpoints == set(EXPECTED)


@pytest.mark.walk
@pytest.mark.parametrize("role", (None, A, P, O, S, U, C), ids=lambda r: r or "anonymous")
def test_each_role_gets_exactly_what_it_should(app, make, role):
    """Every method of every evidence rule; a refused request changes nothing in the database."""
    app.config["WTF_CSRF_ENABLED"] = True
    own_department, other_department = make.department(), make.department()
    sides = {"own": _ids(make, own_department), "other": _ids(make, other_department)}
    users = {
        A: make.user(Role.ADMIN),
        P: make.user(Role.PROCUREMENT),
        O: make.user(Role.OFFICER, department=own_department),
        S: make.user(Role.SNS_OWNER, department=own_department),
        U: make.user(Role.AUDITOR),
        C: make.user(Role.CONTRACTOR, contractor_id=make.contractor().id),
    }
    browser = Browser(app, users[role] if role else None)
    failures, trials = [], 0
    state = database_state()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if not rule.endpoint.startswith("evidence."):
            continue
        allowed, own_only = EXPECTED[rule.endpoint]
        for method in methods_of(rule):
            for side in ("own", "other") if rule.arguments else ("own",):
                with app.test_request_context():
                    url = url_for(
                        rule.endpoint, **{arg: sides[side][arg] for arg in rule.arguments}
                    )
                response = browser.send(url, method)
                status, trials = response.status_code, trials + 1
                refused = True
                if role is None:
                    ok, want = status == 302 and "/login" in response.location, "login"
                elif role in allowed and not (side == "other" and role in own_only):
                    ok, want = status not in (401, 403, 404, 405) and status < 500, "allowed"
                    refused = False
                else:
                    ok, want = status == 403, "403"
                label = f"{role} {method} {url} ({side})"
                if not ok:
                    failures.append(f"{label}: {status}, want {want}")
                after = database_state()
                if refused and after != state:
                    failures.append(f"{label}: refused but changed {changed_tables(state, after)}")
                state = after
    print(f"evidence walk, {role or 'anonymous'}: {trials} (rule, method, side) trials")
    assert not failures, "\n".join(failures)
