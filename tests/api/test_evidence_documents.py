"""Contractors submit evidence through the API with the portal's checks; documents are generated and
downloaded; notifications are the user's own."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import func, select

from tests.api.helpers import bearer, token_for
from tests.portal.conftest import multipart, pdf_bytes, stored_keys
from vendorguard.auth.roles import Role
from vendorguard.documents.models import ContractDocument
from vendorguard.evidence.models import EvidenceSubmission, RequestStatus
from vendorguard.extensions import db


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_contractor_sees_and_answers_only_its_own_requests(app, client, two_contractors):
    a, b = two_contractors
    headers = bearer(token_for(a.user))
    listed = client.get("/api/v1/evidence-requests", headers=headers).get_json()
    assert [row["id"] for row in listed] == [a.request.id]
    assert (
        client.get(f"/api/v1/evidence-requests/{b.request.id}", headers=headers).status_code == 404
    )
    etag = client.get(f"/api/v1/evidence-requests/{a.request.id}", headers=headers).headers["ETag"]
    response = client.post(
        f"/api/v1/evidence-requests/{a.request.id}/submissions",
        data=multipart([(pdf_bytes("report"), "報告書.pdf")], comment="上期分"),
        content_type="multipart/form-data",
        headers={**headers, "If-Match": etag},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["comment"] == "上期分" and body["files"][0]["filename"] == "報告書.pdf"
    submission = db.session.scalars(select(EvidenceSubmission)).one()
    assert (submission.submitted_via, submission.submitted_by_id) == ("portal", a.user.id)
    assert db.session.get(type(a.request), a.request.id).status == RequestStatus.SUBMITTED
    stale = client.post(
        f"/api/v1/evidence-requests/{a.request.id}/submissions",
        data=multipart([(pdf_bytes("again"), "再提出.pdf")]),
        content_type="multipart/form-data",
        headers={**headers, "If-Match": etag},
    )
    assert stale.status_code == 412 and _count(EvidenceSubmission) == 1
    others = client.post(
        f"/api/v1/evidence-requests/{b.request.id}/submissions",
        data=multipart([(pdf_bytes("x"), "x.pdf")]),
        content_type="multipart/form-data",
        headers=headers,
    )
    assert others.status_code == 404


def test_a_refused_file_stores_nothing_and_says_why_in_japanese(app, client, two_contractors):
    a = two_contractors[0]
    before = stored_keys(app)
    response = client.post(
        f"/api/v1/evidence-requests/{a.request.id}/submissions",
        data=multipart([(b"MZ\x90\x00 not a document", "invoice.pdf")]),
        content_type="multipart/form-data",
        headers=bearer(token_for(a.user)),
    )
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == "validation_error"
    assert "ファイルは保存されていません" in body["message"]
    assert _count(EvidenceSubmission) == 0 and stored_keys(app) == before


def test_internal_users_cannot_submit_for_the_contractor(client, two_contractors, make):
    a = two_contractors[0]
    response = client.post(
        f"/api/v1/evidence-requests/{a.request.id}/submissions",
        data=multipart([(pdf_bytes("x"), "x.pdf")]),
        content_type="multipart/form-data",
        headers=bearer(token_for(make.user(Role.ADMIN))),
    )
    assert response.status_code == 403 and _count(EvidenceSubmission) == 0


def test_generate_and_download_a_document(client, make, shipped_catalog):
    department = make.department()
    engagement = make.engagement(department=department)
    headers = bearer(token_for(make.user(Role.OFFICER, department=department)))
    response = client.post(
        f"/api/v1/arrangements/{engagement.id}/documents", json={}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made[0]["version"] == 1 and made[0]["kind"] == "appendix"
    content = client.get(made[0]["download_url"], headers=headers)
    assert content.status_code == 200
    assert "attachment" in content.headers["Content-Disposition"]
    assert zipfile.ZipFile(io.BytesIO(content.get_data())).testzip() is None
    stored = db.session.get(ContractDocument, made[0]["id"])
    assert len(content.get_data()) == stored.size
    listed = client.get(f"/api/v1/arrangements/{engagement.id}/documents", headers=headers)
    assert [row["id"] for row in listed.get_json()] == [made[0]["id"]]
    other = make.engagement()  # another department's: the officer may read, not generate
    refused = client.post(f"/api/v1/arrangements/{other.id}/documents", json={}, headers=headers)
    assert refused.status_code == 403 and _count(ContractDocument) == 1
