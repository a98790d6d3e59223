"""Build item 6: the same machinery for cloud services under contract and for SNS accounts,
generated from their own pages with the real catalog and read back from the .docx."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.documents.conftest import body_texts, read_docx, table_rows
from vendorguard.auth.roles import Role
from vendorguard.cloud.models import TermsType
from vendorguard.documents.models import ContractDocument, DocumentKind
from vendorguard.extensions import db
from vendorguard.storage import get_storage

CLOUD_CONTRACT_HIGH = [
    "CL-01",
    "CL-02",
    "CL-03",
    "CL-04",
    "CL-05",
    "CL-06",
    "CL-07",
    "CL-08",
    "CL-10",
    "CL-12",
]
SNS_ALL = [f"SNS-{n:02d}" for n in range(1, 9)]


def generated(app, client, arrangement, kind=None) -> tuple[ContractDocument, bytes]:
    response = client.post(
        f"/documents/arrangement/{arrangement.id}/generate", follow_redirects=True
    )
    assert "（第1版）を作成しました" in response.get_data(as_text=True)
    query = select(ContractDocument).where(ContractDocument.arrangement_id == arrangement.id)
    if kind is not None:
        query = query.where(ContractDocument.kind == kind)
    document = db.session.scalars(query).one()
    return document, get_storage(app).read_bytes(document.storage_key)


def headings(data: bytes) -> list[str]:
    return [p.text for p in read_docx(data).paragraphs if p.style.name == "条見出し"]


def test_cloud_service_under_contract_gets_its_security_requirements(
    app, client, login_as, make, shipped_catalog
):
    department = make.department("情報政策課")
    provider = make.contractor("出石クラウド株式会社", address="兵庫県豊岡市出石町内町1番地")
    service = make.cloud_service(
        department=department,
        terms_type=TermsType.CONTRACT,
        title="電子申請サービス",
        provider_contractor_id=provider.id,
        handles_high_confidentiality=True,
        data_location="日本国内（東京リージョン）",
        governing_law="日本法",
        jurisdiction="神戸地方裁判所",
        purpose="各種申請の受付",
    )
    login_as(make.user(Role.OFFICER, department=department))
    detail = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert (
        f'/documents/arrangement/{service.id}"' in detail
    )  # reachable from the service's own page
    page = client.get(f"/documents/arrangement/{service.id}").get_data(as_text=True)
    assert "クラウドサービス利用に係るセキュリティ要件" in page and "作成する" in page

    document, data = generated(app, client, service, DocumentKind.CLOUD_REQUIREMENTS)
    assert document.template == "cloud_requirements.docx"
    record = db.session.scalars(
        select(ContractDocument).where(ContractDocument.kind == DocumentKind.CLOUD_USE_RECORD)
    ).one()
    # Together the provider's document and the city's record cover every applicable requirement;
    # the provider signs none of the city's own duties (manager, approval, use).
    covered = {
        code
        for doc in (document, record)
        for article in doc.articles
        for code in article["requirement_codes"]
    }
    assert covered == set(CLOUD_CONTRACT_HIGH)
    provider_codes = {code for a in document.articles for code in a["requirement_codes"]}
    assert not provider_codes & {"CL-01", "CL-04", "CL-05", "CL-06", "CL-07"}
    texts = body_texts(data)
    assert texts[0] == "クラウドサービス利用に係るセキュリティ要件"
    rows = {row[0]: row[1] for row in table_rows(data)[0]}
    assert rows["サービス名"] == "電子申請サービス" and rows["受注者"] == "出石クラウド株式会社"
    assert (
        rows["データの保管場所"] == "日本国内（東京リージョン）"
        and rows["合意管轄裁判所"] == "神戸地方裁判所"
    )
    assert rows["取り扱う情報"] == "機密性2以上の情報を取り扱う"
    assert headings(data) == [a["heading"] for a in document.articles]
    for heading in (
        "（データの保存場所、準拠法及び管轄裁判所）",
        "（事故発生時の通知）",
        "（監査報告書等の提出）",
        "（再委託先の管理）",
        "（仕様等の変更の通知）",
        "（契約終了時のデータの返却及び消去）",
    ):
        assert heading in headings(data), heading
    assert "（外部サービス管理者）" not in headings(data)
    assert "受注者は、発注者データを日本国内（東京リージョン）に保存しなければならない。" in (
        "\n".join(texts)
    )
    signature = table_rows(data)[-1]
    assert signature[3][:3] == ["受注者", "住所", "兵庫県豊岡市出石町内町1番地"]

    record_data = get_storage(app).read_bytes(record.storage_key)
    assert body_texts(record_data)[0] == "外部サービス利用承認記録"
    assert "（外部サービス管理者）" in headings(record_data)
    assert "（利用申請及び承認）" in headings(record_data)


def test_standard_terms_service_offers_no_document_and_says_why(
    client, login_as, make, shipped_catalog
):
    department = make.department()
    service = make.cloud_service(
        department=department, terms_type=TermsType.STANDARD_TERMS, title="地図サービス"
    )
    login_as(make.user(Role.OFFICER, department=department))
    page = client.get(f"/documents/arrangement/{service.id}").get_data(as_text=True)
    assert "この文書は作成できません" in page
    assert "約款（利用規約）による外部サービスは個別の契約を結ばないため" in page
    assert "契約形態を「個別契約」にすると作成できるようになります" in page
    assert 'action="/documents/arrangement/' not in page  # no button that can only fail
    coverage = client.get(f"/catalog/coverage/{service.id}").get_data(as_text=True)
    assert "文書は作成しません" in coverage and "文書を作成できます" not in coverage
    response = client.post(f"/documents/arrangement/{service.id}/generate")
    assert "約款（利用規約）による外部サービス" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ContractDocument.id))) == 0


def test_sns_account_gets_its_operating_procedure(app, client, login_as, make, shipped_catalog):
    department = make.department("広報課")
    owner = make.user(Role.SNS_OWNER, department=department, name="広報課長 山田")
    account = make.social_account(
        department=department,
        title="豊岡市公式X",
        handle="@toyooka_city",
        responsible_officer_id=owner.id,
        operators="広報係 佐藤\n広報係 鈴木",
        posting_rules="市政情報、イベント、防災情報",
        purpose="市政情報の発信",
        official_list_url="https://www.city.example.jp/sns",
        credential_custodian="広報係長",
        recovery_contact="koho@city.example.jp",
    )
    login_as(owner)
    detail = client.get(f"/social-accounts/{account.id}").get_data(as_text=True)
    assert f'/documents/arrangement/{account.id}"' in detail

    document, data = generated(app, client, account)
    assert document.kind == DocumentKind.SNS_PROCEDURE
    assert {code for a in document.articles for code in a["requirement_codes"]} == set(SNS_ALL)
    rows = {row[0]: row[1] for row in table_rows(data)[0]}
    assert rows["責任者"] == "広報課長 山田" and rows["運用担当者"] == "広報係 佐藤\n広報係 鈴木"
    assert rows["投稿してよい内容"] == "市政情報、イベント、防災情報"
    text = "\n".join(body_texts(data))
    # responsible person and operators, what may be posted, impersonation, hijack response
    for heading in (
        "（目的及び責任者）",
        "（発信する情報）",
        "（なりすまし対策）",
        "（乗っ取り・なりすまし発生時の対応）",
    ):
        assert heading in headings(data), heading
    for words in (
        "本アカウントの責任者は広報課長 山田とし",
        "（1）広報係 佐藤",
        "（2）広報係 鈴木",
        "（1）市政情報、イベント、防災情報",
        "次に掲げる情報は、本アカウントで発信してはならない。",
        "（1）機密性2以上の情報",
        "市公式サイト（https://www.city.example.jp/sns）に本アカウントを掲載し",
        "プラットフォームの運営事業者に報告する",
        "koho@city.example.jp",
    ):
        assert words in text, words
    assert text.count("なりすまし対策") == 1  # said once, by the clause library, not twice
