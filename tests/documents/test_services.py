"""Generating, storing and versioning documents; comparing versions."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.documents.conftest import (
    Article,
    add_gap_requirement,
    body_texts,
    sample_articles,
    table_rows,
)
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.catalog import services as catalog
from vendorguard.cloud.models import TermsType
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.documents import services
from vendorguard.documents.diff import diff_articles
from vendorguard.documents.docx_writer import numbered_articles
from vendorguard.documents.models import ContractDocument, DocumentKind, ImmutableDocument
from vendorguard.extensions import db
from vendorguard.storage import StorageError, get_storage
from vendorguard.storage.local import LocalStorage


class BrokenStorage(LocalStorage):
    """Storage whose writes fail (a full disk, an unreachable bucket)."""

    def put(self, key, fileobj, max_bytes=None):
        raise StorageError("保存先に接続できませんでした。")


def count_documents() -> int:
    return db.session.scalar(select(func.count(ContractDocument.id)))


def test_generate_stores_the_file_first_and_records_a_version(app, make):
    contractor = make.contractor("但馬情報システム株式会社", address="兵庫県豊岡市城南町1番1号")
    engagement = make.engagement(
        contractor=contractor, contract_number="R8-00042", title="住民記録システム保守"
    )
    user = make.user(Role.PROCUREMENT)
    storage = get_storage(app)
    document = services.generate_from_articles(
        db.session,
        storage,
        engagement,
        user,
        sample_articles(),
        waivers=[{"requirement_code": "OUT-03", "reason": "保守のみのため"}],
    )[0]
    db.session.commit()
    stored = storage.read_bytes(document.storage_key)
    assert document.sha256 == hashlib.sha256(stored).hexdigest() and document.size == len(stored)
    assert document.version == 1 and document.kind == DocumentKind.APPENDIX
    assert document.filename == "情報セキュリティに関する特記事項_R8-00042_v1.docx"
    assert document.created_by_id == user.id and document.template == "appendix.docx"
    assert document.clause_version_ids == [11, 12, 13]
    assert document.articles[1] == {
        "number": 2,
        "label": "第2条",
        "heading": "（秘密の保持）",
        "clause_version_id": 12,
        "requirement_codes": ["OUT-07", "PI-02"],
        "paragraphs": [
            {"label": "第2条", "text": sample_articles()[1].paragraphs[0]},
            {"label": "2", "text": sample_articles()[1].paragraphs[1]},
            {"label": "3", "text": sample_articles()[1].paragraphs[2]},
        ],
    }
    assert document.waivers == [{"requirement_code": "OUT-03", "reason": "保守のみのため"}]
    assert "但馬情報システム株式会社" in "".join(body_texts(stored))
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "contract_document")
    ).one()
    assert event.action == "generate" and event.after["sha256"] == document.sha256


def test_versions_increment_and_old_versions_download_byte_identical(app, make):
    engagement = make.engagement()
    storage = get_storage(app)
    first = services.generate_from_articles(
        db.session, storage, engagement, None, sample_articles()
    )[0]
    db.session.commit()
    first_bytes = storage.read_bytes(first.storage_key)
    edited = sample_articles()
    edited[1] = Article(
        "秘密の保持", ["受注者は、業務上知り得た情報を第三者に漏らしてはならない。"], 21, ["OUT-07"]
    )
    second = services.generate_from_articles(db.session, storage, engagement, None, edited)[0]
    db.session.commit()
    assert (first.version, second.version) == (1, 2)
    assert second.filename.endswith("_v2.docx") and second.storage_key != first.storage_key
    assert storage.read_bytes(first.storage_key) == first_bytes
    assert hashlib.sha256(first_bytes).hexdigest() == first.sha256
    assert services.previous_version(db.session, second).id == first.id
    assert services.previous_version(db.session, first) is None


def test_storage_failure_leaves_no_row(app, make, tmp_path):
    engagement = make.engagement()
    with pytest.raises(StorageError):
        services.generate_from_articles(
            db.session, BrokenStorage(tmp_path / "s"), engagement, None, sample_articles()
        )[0]
    db.session.rollback()
    assert count_documents() == 0


def test_a_row_that_cannot_be_saved_takes_its_object_with_it(app, make, monkeypatch):
    engagement = make.engagement()
    storage = get_storage(app)
    services.generate_from_articles(db.session, storage, engagement, None, sample_articles())[0]
    db.session.commit()
    monkeypatch.setattr(
        services, "next_version", lambda session, arrangement_id, kind: 1
    )  # a clash
    with pytest.raises(IntegrityError):
        services.generate_from_articles(db.session, storage, engagement, None, sample_articles())[0]
    db.session.rollback()
    assert count_documents() == 1
    assert len([o.key for o in storage.iter_objects()]) == 1  # only the first version's object


def test_documents_are_immutable(app, make):
    document = services.generate_from_articles(
        db.session, get_storage(app), make.engagement(), None, sample_articles()
    )[0]
    db.session.commit()
    document.sha256 = "0" * 64
    with pytest.raises(ImmutableDocument):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(ContractDocument, document.id))
    with pytest.raises(ImmutableDocument):
        db.session.flush()
    db.session.rollback()


def test_archived_arrangements_and_standard_terms_services_get_no_document(app, make):
    storage = get_storage(app)
    archived = make.engagement(archived_at=utcnow())
    standard = make.cloud_service(terms_type=TermsType.STANDARD_TERMS)
    for arrangement, words in ((archived, "アーカイブ済み"), (standard, "約款")):
        with pytest.raises(DomainError) as caught:
            services.generate_from_articles(
                db.session, storage, arrangement, None, sample_articles()
            )[0]
        assert words in caught.value.message
    assert count_documents() == 0


def test_cloud_and_social_documents(app, make):
    storage = get_storage(app)
    provider = make.contractor("クラウド株式会社")
    cloud = make.cloud_service(
        terms_type=TermsType.CONTRACT,
        provider_contractor_id=provider.id,
        title="電子申請サービス",
        data_location="日本国内",
    )
    document = services.generate_from_articles(db.session, storage, cloud, None, sample_articles())[
        0
    ]
    assert document.kind == DocumentKind.CLOUD_REQUIREMENTS
    assert (
        document.filename == "クラウドサービス利用に係るセキュリティ要件_電子申請サービス_v1.docx"
    )
    texts = "".join(body_texts(storage.read_bytes(document.storage_key)))
    assert "クラウド株式会社（以下「受注者」という。）" in texts
    officer = make.user(Role.SNS_OWNER, name="広報課長")
    account = make.social_account(
        title="豊岡市公式 X",
        responsible_officer_id=officer.id,
        operators="佐藤\n鈴木",
        posting_rules="",
    )
    document = services.generate_from_articles(db.session, storage, account, None, [])[0]
    assert document.kind == DocumentKind.SNS_PROCEDURE
    assert document.filename == "SNS運用手順_豊岡市公式_X_v1.docx"
    rows = {row[0]: row[1] for row in table_rows(storage.read_bytes(document.storage_key))[0]}
    assert rows["責任者"] == "広報課長"
    assert rows["投稿してよい内容"] == "（未設定）"  # missing posting rules are visible on paper


def test_generate_appendix_asks_the_catalog_and_keeps_its_waivers(app, make, shipped_catalog):
    requirement = add_gap_requirement()
    engagement = make.engagement(segment_internet=True)
    catalog.record_waiver(db.session, engagement, requirement, "保守のみ", make.user(Role.ADMIN))
    db.session.commit()
    articles = catalog.render_articles(db.session, engagement, date_style="western")
    document = services.generate_appendix(
        db.session, get_storage(app), engagement, None, date_style="western"
    )
    assert document.date_style == "western"
    assert [(w["requirement_code"], w["reason"]) for w in document.waivers] == [
        ("TST-01", "保守のみ")
    ]
    assert [a["clause_version_id"] for a in document.articles] == [
        a.clause_version_id for a in articles
    ]
    assert [a["heading"] for a in document.articles] == [
        f"（{a.heading.strip('（）')}）" for a in articles
    ]
    # Without a choice, the template's 日付表記 (和暦) decides, for the clauses' dates too.
    document = services.generate_appendix(db.session, get_storage(app), make.engagement(), None)
    assert document.date_style == "wareki"


def test_generate_appendix_is_refused_while_coverage_has_gaps(app, make, shipped_catalog):
    add_gap_requirement("TST-03")
    add_gap_requirement("TST-04")
    engagement = make.engagement(segment_internet=True)
    with pytest.raises(catalog.CoverageIncomplete) as caught:
        services.generate_appendix(db.session, get_storage(app), engagement, None)
    assert caught.value.codes == ["TST-03", "TST-04"] and "TST-03、TST-04" in caught.value.message
    assert count_documents() == 0 and [o.key for o in get_storage(app).iter_objects()] == []


def snapshot(articles):
    return numbered_articles(articles)


def test_diff_shows_changed_added_removed_and_renumbered_articles():
    old = snapshot(sample_articles())
    new_articles = sample_articles()
    new_articles[1] = Article(
        "秘密の保持",
        [
            "受注者は、この契約による業務に関して知り得た情報を第三者に漏らしてはならない。",
            "前項の規定は、この契約が終了し、又は解除された後においても同様とする。",
        ],
        21,
        ["OUT-07"],
    )
    del new_articles[0]
    new_articles.append(
        Article(
            "事故の公表",
            ["発注者は、事故が発生したときは、これを公表することができる。"],
            30,
            ["OUT-12"],
        )
    )
    changes = diff_articles(old, snapshot(new_articles))
    assert [(c.status, c.heading) for c in changes] == [
        ("removed", "（基本的事項）"),
        ("changed", "（秘密の保持）"),
        ("unchanged", "（再委託の制限）"),
        ("added", "（事故の公表）"),
    ]
    changed = changes[1]
    assert (changed.old_label, changed.new_label, changed.renumbered) == ("第2条", "第1条", True)
    assert [p.op for p in changed.paragraphs] == ["replace", "equal", "delete"]
    segments = [(s.op, s.text) for s in changed.paragraphs[0].segments]
    assert ("delete", "他") in segments and ("insert", "第三者") in segments
    assert any(line.startswith("-第2条　受注者は") for line in changed.unified)
    assert any(line.startswith("+第1条　受注者は") for line in changed.unified)
    assert changes[2].renumbered and changes[2].unified == ()


def test_diff_versions_uses_the_stored_snapshots(app, make):
    storage = get_storage(app)
    engagement = make.engagement()
    first = services.generate_from_articles(
        db.session, storage, engagement, None, sample_articles()
    )[0]
    edited = sample_articles()
    edited[2] = Article(
        "再委託の制限",
        ["受注者は、発注者の書面による許諾を得なければ、業務を第三者に委託してはならない。"],
        31,
        ["OUT-08", "MN-01"],
    )
    second = services.generate_from_articles(db.session, storage, engagement, None, edited)[0]
    db.session.commit()
    statuses = [(c.status, c.new_label) for c in services.diff_versions(first, second)]
    assert statuses == [("unchanged", "第1条"), ("unchanged", "第2条"), ("changed", "第3条")]
    assert [c.status for c in services.diff_versions(None, first)] == ["added"] * 3


def test_filenames_never_carry_path_characters(make):
    engagement = make.engagement(contract_number='R8/../001 "x"')
    name = services.filename_for(DocumentKind.APPENDIX, engagement, 3)
    assert name == "情報セキュリティに関する特記事項_R8_.._001_x_v3.docx"
    assert "/" not in name and "\\" not in name
