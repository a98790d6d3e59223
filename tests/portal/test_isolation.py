"""Contractor A's user against every URL of contractor B's requests and files: 403 or 404, nothing changes.

The URLs come from the application's URL map (every rule, not only the portal's), filled with
B's ids; links and invitations are tried with A's own genuine token, the strongest key A holds.
"""

from __future__ import annotations

import io

from sqlalchemy import func, select

from tests.conftest import login
from tests.portal.conftest import make_request, make_submission, pdf_bytes, stored_keys
from vendorguard.auth.models import User
from vendorguard.evidence.models import EvidenceFile, EvidenceSubmission, UploadLink
from vendorguard.extensions import db
from vendorguard.portal import services, tokens
from vendorguard.portal.models import Invitation
from vendorguard.storage import get_storage


def _snapshot(app) -> tuple:
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    db.session.expire_all()
    return (
        count(EvidenceSubmission),
        count(EvidenceFile),
        count(UploadLink),
        count(Invitation),
        tuple(db.session.scalars(select(UploadLink.revoked_at).order_by(UploadLink.id))),
        tuple(db.session.scalars(select(User.archived_at).order_by(User.id))),
        tuple(db.session.scalars(select(User.password_hash).order_by(User.id))),
        sorted(stored_keys(app)),
    )


def test_contractor_a_gets_403_or_404_for_every_url_of_contractor_bs_requests_and_files(
    app, make, two_contractors
):
    a, b = two_contractors
    storage = get_storage(app)
    b_submission = make_submission(b.request, user=b.user, storage=storage, name="B社の報告書.pdf")
    b_file = db.session.scalars(
        select(EvidenceFile).where(EvidenceFile.submission_id == b_submission.id)
    ).one()
    b_cloud = make.cloud_service(provider_contractor_id=b.contractor.id)
    b_cloud_request = make_request(b_cloud, title="B社クラウドの認証")
    b_link, _ = services.create_upload_link(db.session, b.request, created_by=None, days=14)
    a_link, a_nonce = services.create_upload_link(db.session, a.request, created_by=None, days=14)
    b_invitation, _ = services.reinvite_contractor_user(db.session, b.user, invited_by=None, days=7)
    db.session.commit()
    a_token = tokens.upload_link_token(a_link.id, a_nonce)
    b_ids = {
        "request_id": b.request.id,
        "file_id": b_file.id,
        "submission_id": b_submission.id,
        "link_id": b_link.id,
        "contractor_id": b.contractor.id,
        "user_id": b.user.id,
        "arrangement_id": b.engagement.id,
        "engagement_id": b.engagement.id,
        "service_id": b_cloud.id,
        "evidence_requirement_id": b.request.evidence_requirement_id,
        "invitation_id": b_invitation.id,
        "token": a_token,
    }
    client = app.test_client()
    login(client, a.user)
    before = _snapshot(app)

    checked, failures = set(), []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.arguments or not rule.arguments <= b_ids.keys():
            continue
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **{name: b_ids[name] for name in rule.arguments})
        urls = [url]
        if "request_id" in rule.arguments:  # the same page for B's cloud-service request
            with app.test_request_context():
                urls.append(
                    url_for(
                        rule.endpoint,
                        **{
                            **{n: b_ids[n] for n in rule.arguments},
                            "request_id": b_cloud_request.id,
                        },
                    )
                )
        for target in urls:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if method == "GET":
                    response = client.get(target)
                else:  # a real upload body, so upload endpoints are tried for real
                    response = client.post(
                        target,
                        data={
                            "comment": "B社になりすまし",
                            "files": [(io.BytesIO(pdf_bytes()), "x.pdf")],
                        },
                        content_type="multipart/form-data",
                    )
                checked.add(rule.endpoint)
                # The API never takes a session cookie (401 before any lookup); a contractor's token
                # is fenced the same way in tests/api/test_api_walk.py.
                refusals = (401, 403, 404) if rule.endpoint.startswith("api.") else (403, 404)
                if response.status_code not in refusals:
                    failures.append(f"{method} {target} ({rule.endpoint}): {response.status_code}")
                elif (
                    b"B\xe7\xa4\xbe" in response.data
                ):  # "B社" must not appear on a refusal page either
                    failures.append(f"{method} {target} ({rule.endpoint}): names B")
    assert not failures, "\n".join(failures)
    portal_rules = {
        r.endpoint
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("portal.") and r.arguments
    }
    assert portal_rules <= checked, f"portal URLs not tried: {sorted(portal_rules - checked)}"
    assert _snapshot(app) == before
    # And A's own link still works for A's request: the refusals above were about B, not a broken link.
    assert client.get(f"/portal/link/{a.request.id}/{a_token}").status_code == 200
