"""The document lint passes for every document type, on the demo city and on engagements with and
without personal information, My Number, subcontracting and cloud use; and it catches what a legal
officer would send back."""

from __future__ import annotations

import io
import itertools
from datetime import date

import pytest
from docx import Document
from sqlalchemy import select

from vendorguard.arrangements.models import Arrangement
from vendorguard.catalog.services import CoverageIncomplete, ensure_catalog
from vendorguard.city import services as city
from vendorguard.cloud.models import TermsType
from vendorguard.documents import services
from vendorguard.documents.lint import lint_docx
from vendorguard.documents.models import DocumentKind
from vendorguard.extensions import db
from vendorguard.storage import get_storage

CITY = city.CityData(
    name="みほん市",
    address="みほん県みほん市中央町1番1号",
    mayor_title="市長",
    mayor_name="見本 一郎",
    security_department="情報政策課",
)


@pytest.fixture
def catalog_and_city(app):
    ensure_catalog(db.session)
    city.save(db.session, CITY)
    db.session.commit()


def generate_all(app, arrangement) -> dict[DocumentKind, bytes]:
    """Every document the arrangement gets, as stored bytes."""
    out = {}
    for kind in services.document_kinds(arrangement):
        document, data = services.generate_appendix_with_data(
            db.session, get_storage(app), arrangement, None, kind=kind
        )
        out[kind] = data
    return out


def text_of(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.parametrize(
    "personal, my_number, subcontracting, approved_subcontractor",
    [
        combo
        for combo in itertools.product((False, True), repeat=4)
        if combo[2]
        or not combo[3]  # an approved subcontractor only where subcontracting is allowed
    ],
)
def test_lint_passes_for_engagements(
    app, make, catalog_and_city, personal, my_number, subcontracting, approved_subcontractor
):
    engagement = make.engagement(
        contractor=make.contractor("但馬システム株式会社", address="みほん県みほん市城南町1番1号"),
        title="住民記録システム運用保守業務",
        handles_personal_info=personal,
        handles_my_number=my_number,
        subcontracting_allowed=subcontracting,
        work_locations="本庁舎3階 市民課執務室",
    )
    if approved_subcontractor:
        make.subcontractor(engagement, name="城崎データ株式会社", approved_on=date(2026, 4, 10))
    db.session.expire_all()
    (data,) = generate_all(app, db.session.get(Arrangement, engagement.id)).values()
    assert lint_docx(data, "みほん市") == []
    text = text_of(data)
    assert text.count("（以下「発注者」という。）") == 1 and "関係法令の遵守" in text
    # Each clause paragraph stays its own numbered paragraph, conditions or not.
    assert "2　発注者は、受注者が本特記事項に違反したときは、本契約の全部又は一部を解除" in text
    if personal or my_number:
        assert "2　受注者及び従事者は、本業務に関して知り得た個人情報" in text
    if subcontracting:
        assert "再委託の許諾" in text
    else:
        # Prohibited outright: no written-approval escape hatch.
        assert (
            "受注者は、本業務の全部又は一部を第三者に委託（以下「再委託」という。）してはならない。"
            in text
        )
        assert "ただし" not in text.split("（再委託の制限）")[1].split("（")[0]


def test_lint_passes_for_a_printing_job_without_personal_information(app, make, catalog_and_city):
    engagement = make.engagement(
        title="広報紙の印刷業務", contractor=make.contractor("みほん印刷株式会社")
    )
    (data,) = generate_all(app, db.session.get(Arrangement, engagement.id)).values()
    assert lint_docx(data, "みほん市") == []
    text = text_of(data)
    assert "（関係法令の遵守）" in text and "個人情報の取扱い" not in text
    # The labelled blanks the register cannot fill.
    assert "（所在地を記入）" in text and "（代表者の職・氏名を記入し、押印）" in text


@pytest.mark.parametrize("high", [True, False])
def test_lint_passes_for_both_cloud_documents(app, make, catalog_and_city, high):
    service = make.cloud_service(
        title="電子申請サービス",
        provider_contractor_id=make.contractor(
            "出石クラウド株式会社", address="東京都千代田区1-1"
        ).id,
        terms_type=TermsType.CONTRACT,
        handles_high_confidentiality=high,
        data_location="日本国内",
    )
    documents = generate_all(app, db.session.get(Arrangement, service.id))
    assert set(documents) == {DocumentKind.CLOUD_REQUIREMENTS, DocumentKind.CLOUD_USE_RECORD}
    for data in documents.values():
        assert lint_docx(data, "みほん市") == []
    provider = text_of(documents[DocumentKind.CLOUD_REQUIREMENTS])
    assert "外部サービス管理者" not in provider and "東京都千代田区1-1" in provider
    assert "外部サービス管理者" in text_of(documents[DocumentKind.CLOUD_USE_RECORD])


def test_lint_passes_for_the_sns_procedure(app, make, catalog_and_city):
    account = make.social_account(
        title="みほん市公式X",
        handle="@example_city",
        operators="広報係 佐藤\n広報係 鈴木",
        operating_procedure="1. 投稿は担当者が起案する。\n2. 係長が確認して公開する。",
        posting_rules="市政情報\nイベント",
    )
    (data,) = generate_all(app, db.session.get(Arrangement, account.id)).values()
    assert lint_docx(data, "みほん市") == []
    text = text_of(data)
    assert "（1）投稿は担当者が起案する。" in text and "（2）係長が確認して公開する。" in text
    assert text.count("機密性2以上の情報") == 1  # the prohibition is said once


def test_lint_passes_on_every_document_of_the_demo_city(app):
    from vendorguard.demo.services import seed_demo

    seed_demo(db.session, password="demo-password-123")
    db.session.commit()
    checked = dict.fromkeys(DocumentKind, 0)
    for arrangement in db.session.scalars(select(Arrangement).order_by(Arrangement.id)).all():
        try:
            documents = generate_all(app, arrangement)
        except CoverageIncomplete:
            continue
        for kind, data in documents.items():
            assert lint_docx(data, "みほん市") == [], (arrangement.title, kind)
            assert "豊岡" not in text_of(data), (arrangement.title, kind)
            checked[kind] += 1
    assert all(checked.values()), checked  # every document type was checked at least once


def test_lint_catches_what_a_legal_officer_sends_back(app, make, catalog_and_city):
    from tests.documents.test_lint_samples import broken_document

    problems = {p.kind for p in lint_docx(broken_document(), "みほん市")}
    assert problems == {"template", "term", "reference", "blank", "city", "items"}


def test_versions_page_shows_the_lint_of_the_newest_versions(
    app, client, make, login_as, catalog_and_city
):
    from vendorguard.auth.roles import Role

    department = make.department("情報政策課")
    service = make.cloud_service(
        department=department,
        title="電子申請サービス",
        provider_name="出石クラウド株式会社",
        terms_type=TermsType.CONTRACT,
    )
    login_as(make.user(Role.ADMIN))
    client.post(f"/documents/arrangement/{service.id}/generate")
    page = client.get(f"/documents/arrangement/{service.id}").get_data(as_text=True)
    assert "最新版の検査" in page
    assert page.count("指摘なし") == 2  # the provider's requirements and the city's record


def test_download_name_keeps_japanese_and_its_fallback_has_no_doubled_hyphens(
    app, client, make, login_as, catalog_and_city
):
    from urllib.parse import quote

    from vendorguard.auth.roles import Role

    engagement = make.engagement(contract_number="R9-情政-001", title="窓口業務")
    login_as(make.user(Role.ADMIN))
    client.post(f"/documents/arrangement/{engagement.id}/generate")
    from vendorguard.documents.models import ContractDocument

    stored = db.session.scalars(select(ContractDocument)).one()
    assert stored.filename == "情報セキュリティに関する特記事項_R9-情政-001_v1.docx"
    header = client.get(f"/documents/{stored.id}/download").headers["Content-Disposition"]
    assert 'filename="appendix_R9-001_v1.docx"' in header
    assert f"filename*=UTF-8''{quote(stored.filename, safe='')}" in header
