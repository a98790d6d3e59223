"""The glue to the real clause catalog."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from tests.documents.conftest import body_texts, read_docx, table_rows
from vendorguard.auth.roles import Role
from vendorguard.catalog import services as catalog
from vendorguard.documents import services
from vendorguard.extensions import db
from vendorguard.storage import get_storage

REQUIRED = [f"OUT-{n:02d}" for n in range(1, 14)] + ["MN-01", "MN-03"]


@pytest.fixture
def my_number_engagement(app, make):
    """My Number work with one approved subcontractor, the catalog shipped and approved."""
    catalog.ensure_catalog(db.session)
    db.session.commit()
    contractor = make.contractor("但馬情報システム株式会社")
    engagement = make.engagement(
        contractor=contractor,
        title="住民記録システム運用保守業務委託",
        contract_number="R8-00100",
        handles_personal_info=True,
        handles_my_number=True,
        segment_my_number=True,
        subcontracting_allowed=True,
        starts_on=date(2026, 4, 1),
        ends_on=date(2027, 3, 31),
    )
    make.subcontractor(engagement, name="豊岡データ入力株式会社", work_scope="データ入力")
    return engagement


def test_my_number_engagement_gets_every_required_article(app, make, my_number_engagement):
    user = make.user(Role.PROCUREMENT)
    document = services.generate_appendix(db.session, get_storage(app), my_number_engagement, user)
    db.session.commit()
    covered = {code for article in document.articles for code in article["requirement_codes"]}
    assert set(REQUIRED) <= covered, sorted(set(REQUIRED) - covered)
    data = get_storage(app).read_bytes(document.storage_key)
    text = "\n".join(body_texts(data))
    facts = {row[0]: row[1] for row in table_rows(data)[0]}
    assert facts["受注者"] == "但馬情報システム株式会社"
    assert facts["契約期間"] == "令和8年4月1日から令和9年3月31日まで"
    assert "豊岡データ入力株式会社" in text
    headings = [p.text for p in read_docx(data).paragraphs if p.style.name == "条見出し"]
    assert len(headings) == len(document.articles) and headings[0].startswith("（")
    # Each required item, read back from the Word file: the article covering it is there with its
    # heading and its own numbered first paragraph (第n条　…), not just listed in the snapshot.
    paragraphs = [p.text for p in read_docx(data).paragraphs]
    for code in REQUIRED:
        article = next(a for a in document.articles if code in a["requirement_codes"])
        first = article["paragraphs"][0]
        assert article["heading"] in headings, code
        assert f"{article['label']}　{first['text']}" in paragraphs, code
        assert paragraphs.index(article["heading"]) + 1 == paragraphs.index(
            f"{article['label']}　{first['text']}"
        )
    assert "但馬情報システム株式会社（以下「受注者」という。）" in text
    numbers = [
        p.text.split("　")[0]
        for p in read_docx(data).paragraphs
        if p.style.name == "条文" and p.text.startswith("第")
    ]
    assert numbers == [f"第{n}条" for n in range(1, len(document.articles) + 1)]
    assert document.clause_version_ids == sorted(
        {a["clause_version_id"] for a in document.articles}
    )


def test_a_clause_edit_makes_a_new_version_and_the_old_file_stays_byte_identical(
    app, make, my_number_engagement
):
    from vendorguard.catalog import clause_services
    from vendorguard.catalog.models import Clause

    admin = make.user(Role.ADMIN)
    storage = get_storage(app)
    first = services.generate_appendix(db.session, storage, my_number_engagement, admin)
    db.session.commit()
    first_bytes = storage.read_bytes(first.storage_key)

    clause = db.session.scalars(db.select(Clause).where(Clause.code == "ENG-07")).one()
    latest = clause_services.latest_version(db.session, clause)
    body = latest.body.replace("全ての責任を負わなければならない", "一切の責任を負う")
    draft = clause_services.revise_clause(
        db.session,
        clause,
        clause_services.ClauseData(
            title=clause.title,
            heading=latest.title,
            body=body,
            requirement_codes=[r.code for r in latest.requirements],
            sort_order=clause.sort_order,
        ),
        admin,
    )
    clause_services.approve_version(db.session, draft, admin)
    db.session.commit()

    second = services.generate_appendix(db.session, storage, my_number_engagement, admin)
    db.session.commit()
    assert (
        second.version == 2
        and draft.id in second.clause_version_ids
        and latest.id not in second.clause_version_ids
    )
    assert storage.read_bytes(first.storage_key) == first_bytes
    assert hashlib.sha256(first_bytes).hexdigest() == first.sha256
    changed = [c for c in services.diff_versions(first, second) if c.status != "unchanged"]
    assert [(c.status, c.heading) for c in changed] == [("changed", "（再委託の制限）")]


def test_a_document_made_before_a_clause_edit_downloads_byte_identical(
    app, client, login_as, make, my_number_engagement
):
    """Through the download URL, as procurement would fetch it for the contract file."""
    from vendorguard.catalog import clause_services
    from vendorguard.catalog.models import Clause
    from vendorguard.documents.models import ContractDocument

    login_as(make.user(Role.PROCUREMENT))
    client.post(f"/documents/arrangement/{my_number_engagement.id}/generate")
    first = db.session.scalars(db.select(ContractDocument)).one()
    before = client.get(f"/documents/{first.id}/download").data
    assert hashlib.sha256(before).hexdigest() == first.sha256

    admin = make.user(Role.ADMIN)
    clause = db.session.scalars(db.select(Clause).where(Clause.code == "ENG-01")).one()
    latest = clause_services.latest_version(db.session, clause)
    draft = clause_services.revise_clause(
        db.session,
        clause,
        clause_services.ClauseData(
            title=clause.title,
            heading=latest.title,
            body=latest.body + "\n受注者は、年1回、遵守状況を書面で報告しなければならない。",
            requirement_codes=[r.code for r in latest.requirements],
            sort_order=clause.sort_order,
        ),
        admin,
    )
    clause_services.approve_version(db.session, draft, admin)
    db.session.commit()
    assert draft.number == latest.number + 1

    response = client.post(
        f"/documents/arrangement/{my_number_engagement.id}/generate", follow_redirects=True
    )
    assert "（第2版）を作成しました" in response.get_data(as_text=True)
    second = db.session.scalars(
        db.select(ContractDocument).where(ContractDocument.version == 2)
    ).one()
    assert draft.id in second.clause_version_ids and latest.id in first.clause_version_ids
    after = client.get(f"/documents/{first.id}/download").data
    assert after == before  # the old version is exactly what was generated then
    newer = client.get(f"/documents/{second.id}/download").data
    assert "遵守状況を書面で報告" in "\n".join(
        body_texts(newer)
    ) and "遵守状況を書面で報告" not in "\n".join(body_texts(after))
    html = client.get(f"/documents/{second.id}/diff").get_data(as_text=True)
    assert (
        "第1版からの変更点" in html
        and "<ins>受注者は、年1回、遵守状況を書面で報告しなければならない。</ins>" in html
    )
