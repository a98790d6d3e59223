"""``flask vg storage-check``: objects without rows, rows without objects, removing orphans."""

from __future__ import annotations

import io
import os
import time

from vendorguard.documents.models import ContractDocument, DateStyle, DocumentKind
from vendorguard.extensions import db
from vendorguard.storage import get_storage, new_key
from vendorguard.storage.check import check, key_columns


def document_row(engagement, key: str, version: int) -> ContractDocument:
    row = ContractDocument(
        arrangement_id=engagement.id,
        kind=DocumentKind.APPENDIX,
        version=version,
        storage_key=key,
        sha256="0" * 64,
        size=3,
        filename=f"a_v{version}.docx",
        articles=[],
        clause_version_ids=[],
        waivers=[],
        date_style=DateStyle.WAREKI,
        template="appendix.docx",
    )
    db.session.add(row)
    db.session.commit()
    return row


def age(storage, key: str, seconds: int) -> None:
    path = storage.root.joinpath(*key.split("/"))
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_documents_take_part_through_their_key_column():
    assert (ContractDocument, "storage_key") in list(key_columns())


def test_reports_both_kinds_of_inconsistency_and_removes_only_old_orphans(app, make):
    storage = get_storage(app)
    engagement = make.engagement()
    present, missing = new_key("documents"), new_key("documents")
    storage.put(present, io.BytesIO(b"doc"))
    document_row(engagement, present, 1)
    lost = document_row(engagement, missing, 2)
    old_orphan, young_orphan = new_key("documents"), new_key("evidence")
    storage.put(old_orphan, io.BytesIO(b"left over"))
    storage.put(young_orphan, io.BytesIO(b"upload being committed"))
    age(storage, old_orphan, 2 * 3600)

    report = check(db.session, storage)
    assert (report.objects, report.references) == (3, 2)
    assert sorted(info.key for info in report.orphans) == sorted([old_orphan, young_orphan])
    assert [(ref.table, ref.row_id, ref.key) for ref in report.missing] == [
        ("contract_document", lost.id, missing)
    ]

    runner = app.test_cli_runner()
    result = runner.invoke(args=["vg", "storage-check"])
    assert result.exit_code == 1
    assert old_orphan in result.output and young_orphan in result.output
    assert f"contract_document #{lost.id} -> {missing}" in result.output
    assert storage.exists(old_orphan)  # only reported without --remove-orphans

    result = runner.invoke(args=["vg", "storage-check", "--remove-orphans"])
    assert result.exit_code == 1  # the row without object is still there
    assert f"削除しました / removed: {old_orphan}" in result.output
    assert not storage.exists(old_orphan)
    assert storage.exists(young_orphan) and storage.exists(present)
    assert db.session.get(ContractDocument, lost.id) is not None  # rows are never deleted


def test_a_consistent_store_passes(app, make):
    storage = get_storage(app)
    key = new_key("documents")
    storage.put(key, io.BytesIO(b"doc"))
    document_row(make.engagement(), key, 1)
    result = app.test_cli_runner().invoke(args=["vg", "storage-check"])
    assert result.exit_code == 0, result.output
    assert "整合しています" in result.output


def test_orphans_can_be_removed_at_once_with_min_age_zero(app):
    storage = get_storage(app)
    key = new_key("evidence")
    storage.put(key, io.BytesIO(b"x"))
    result = app.test_cli_runner().invoke(
        args=["vg", "storage-check", "--remove-orphans", "--min-age-minutes", "0"]
    )
    assert result.exit_code == 0, result.output
    assert not storage.exists(key)


def test_against_s3(app, make, moto_s3, bucket):
    app.config.update(
        STORAGE_URL=f"s3://{bucket}/vg", S3_ENDPOINT_URL=moto_s3.endpoint, S3_REGION="us-east-1"
    )
    storage = get_storage(app)
    key, orphan = new_key("documents"), new_key("documents")
    storage.put(key, io.BytesIO(b"doc"))
    storage.put(orphan, io.BytesIO(b"orphan"))
    document_row(make.engagement(), key, 1)
    result = app.test_cli_runner().invoke(
        args=["vg", "storage-check", "--remove-orphans", "--min-age-minutes", "0"]
    )
    assert result.exit_code == 0, result.output
    assert orphan in result.output and f"s3://{bucket}/vg" in result.output
    assert storage.exists(key) and not storage.exists(orphan)


def test_storage_down_is_reported_not_a_traceback(app, moto_s3, bucket):
    app.config.update(
        STORAGE_URL=f"s3://{bucket}/vg",
        S3_ENDPOINT_URL=moto_s3.endpoint,
        S3_REGION="us-east-1",
        S3_MAX_ATTEMPTS=1,
    )
    moto_s3.stop()
    result = app.test_cli_runner().invoke(args=["vg", "storage-check"])
    assert result.exit_code == 1
    assert "接続できませんでした" in result.output
