"""Uploaded operating procedures: stored through the storage layer, downloaded as attachments,
withdrawn rather than deleted, and as private as their account."""

from __future__ import annotations

import hashlib
import io
from urllib.parse import quote

from sqlalchemy import select

from vendorguard.approvals.models import ApprovalState
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.social.models import SocialProcedureFile
from vendorguard.storage import get_storage

CONTENT = b"%PDF-1.4\n" + "SNS運用手順（観光課）".encode() * 50


def upload(client, account, content=CONTENT, name="SNS運用手順.pdf"):
    """Post a file to the account's procedure upload."""
    return client.post(
        f"/social-accounts/{account.id}/procedures",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_owner_uploads_downloads_and_withdraws_a_procedure(app, client, make, login_as):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    account = make.social_account(department=department)
    login_as(owner)
    response = upload(client, account)
    assert "運用手順のファイル「SNS運用手順.pdf」を登録しました。" in response.get_data(
        as_text=True
    )
    record = db.session.scalars(select(SocialProcedureFile)).one()
    assert record.sha256 == hashlib.sha256(CONTENT).hexdigest() and record.size == len(CONTENT)
    assert record.uploaded_by_id == owner.id and record.storage_key.startswith("social/")
    assert get_storage(app).read_bytes(record.storage_key) == CONTENT

    html = client.get(f"/social-accounts/{account.id}").get_data(as_text=True)
    assert "SNS運用手順.pdf" in html and "運用手順が登録されていません" not in html
    download = client.get(f"/social-accounts/procedures/{record.id}")
    assert download.data == CONTENT and download.mimetype == "application/octet-stream"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert quote("SNS運用手順.pdf", safe="") in download.headers["Content-Disposition"]

    client.post(f"/social-accounts/procedures/{record.id}/archive")
    db.session.expire_all()
    assert db.session.get(SocialProcedureFile, record.id).archived_at is not None
    assert get_storage(app).exists(record.storage_key)  # kept: nothing with history is deleted
    html = client.get(f"/social-accounts/{account.id}").get_data(as_text=True)
    assert "運用手順が登録されていません" in html
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "social_procedure_file")
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == ["create", "archive"]


def test_wrong_or_empty_files_are_refused(app, client, make, login_as):
    department = make.department()
    account = make.social_account(department=department)
    login_as(make.user(Role.SNS_OWNER, department=department))
    html = upload(client, account, name="手順.exe").get_data(as_text=True)
    assert "運用手順のファイルは pdf、docx、xlsx、txt のいずれかにしてください。" in html
    html = upload(client, account, content=b"", name="手順.pdf").get_data(as_text=True)
    assert "空のファイル（0バイト）は受け付けられません。" in html
    # Checked by content, as evidence is: a program renamed .pdf is refused.
    html = upload(client, account, content=b"MZ\x90\x00" + b"\x00" * 200, name="手順.pdf").get_data(
        as_text=True
    )
    assert "プログラム（実行ファイル・スクリプト）は受け付けられません。" in html
    html = client.post(
        f"/social-accounts/{account.id}/procedures", data={}, follow_redirects=True
    ).get_data(as_text=True)
    assert "ファイルを選んでください。" in html
    assert db.session.scalars(select(SocialProcedureFile)).first() is None
    assert [o.key for o in get_storage(app).iter_objects("social/")] == []  # nothing left behind


def test_procedure_files_follow_their_accounts_visibility(client, make, login_as):
    mine, theirs = make.department(), make.department()
    draft = make.social_account(department=theirs)
    published = make.social_account(department=theirs, approval_state=ApprovalState.APPROVED)
    login_as(make.user(Role.SNS_OWNER, department=theirs))
    upload(client, draft)
    upload(client, published)
    draft_file, published_file = db.session.scalars(
        select(SocialProcedureFile).order_by(SocialProcedureFile.id)
    )

    login_as(make.user(Role.SNS_OWNER, department=mine))
    assert client.get(f"/social-accounts/procedures/{draft_file.id}").status_code == 404
    assert client.get(f"/social-accounts/procedures/{published_file.id}").status_code == 200
    assert upload(client, published).status_code == 403
    assert (
        client.post(f"/social-accounts/procedures/{published_file.id}/archive").status_code == 403
    )
    login_as(make.user(Role.AUDITOR))
    assert client.get(f"/social-accounts/procedures/{draft_file.id}").status_code == 200
    assert client.post(f"/social-accounts/procedures/{draft_file.id}/archive").status_code == 403
    login_as(make.user(Role.PROCUREMENT))
    assert client.get(f"/social-accounts/procedures/{published_file.id}").status_code == 403
    assert client.get("/social-accounts/procedures/424242").status_code == 403
    login_as(make.user(Role.ADMIN))
    assert client.get("/social-accounts/procedures/424242").status_code == 404
