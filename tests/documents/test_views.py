"""Document pages: who may see and generate, download headers, the comparison page, query counts."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from tests.documents.conftest import add_gap_requirement
from vendorguard.auth.roles import Role
from vendorguard.catalog import clause_services
from vendorguard.catalog.models import Clause, ClauseVersion
from vendorguard.documents import views
from vendorguard.documents.models import ContractDocument, DateStyle, DocumentKind
from vendorguard.extensions import db
from vendorguard.storage import StorageError, get_storage


def count_documents() -> int:
    return db.session.scalar(select(func.count(ContractDocument.id)))


@pytest.fixture
def setting(make):
    """An engagement of the 市民課 and the people around it."""
    department = make.department("市民課")
    other = make.department("税務課")
    engagement = make.engagement(
        department=department, title="住民記録システム保守", contract_number="R8-00042"
    )
    return {
        "engagement": engagement,
        "procurement": make.user(Role.PROCUREMENT),
        "officer": make.user(Role.OFFICER, department=department),
        "other_officer": make.user(Role.OFFICER, department=other),
        "auditor": make.user(Role.AUDITOR),
        "sns_owner": make.user(Role.SNS_OWNER, department=department),
    }


def versions_url(engagement) -> str:
    return f"/documents/arrangement/{engagement.id}"


def generate(client, engagement, **data):
    return client.post(
        f"/documents/arrangement/{engagement.id}/generate", data=data, follow_redirects=True
    )


def test_procurement_generates_and_sees_the_new_version(client, login_as, setting, shipped_catalog):
    login_as(setting["procurement"])
    page = client.get(versions_url(setting["engagement"])).get_data(as_text=True)
    assert (
        "情報セキュリティに関する特記事項" in page
        and "作成する" in page
        and "まだ作成された版はありません" in page
    )
    response = generate(client, setting["engagement"], date_style="western")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "情報セキュリティに関する特記事項（第1版）を作成しました。" in html
    assert "情報セキュリティに関する特記事項_R8-00042_v1.docx" in html
    document = db.session.scalars(select(ContractDocument)).one()
    assert (
        document.created_by_id == setting["procurement"].id
        and document.date_style == DateStyle.WESTERN
    )
    generate(client, setting["engagement"])
    assert [
        d.version
        for d in db.session.scalars(select(ContractDocument).order_by(ContractDocument.version))
    ] == [1, 2]


def test_the_departments_officer_may_generate_another_department_may_only_look(
    client, login_as, setting, shipped_catalog
):
    login_as(setting["other_officer"])
    page = client.get(versions_url(setting["engagement"])).get_data(as_text=True)
    assert "作成する" not in page
    assert (
        client.post(f"/documents/arrangement/{setting['engagement'].id}/generate").status_code
        == 403
    )
    assert count_documents() == 0
    client.post("/logout")
    login_as(setting["officer"])
    assert "（第1版）を作成しました" in generate(client, setting["engagement"]).get_data(
        as_text=True
    )


def test_auditors_read_only_and_others_are_kept_out(client, login_as, setting, make):
    login_as(setting["auditor"])
    assert client.get(versions_url(setting["engagement"])).status_code == 200
    assert (
        client.post(f"/documents/arrangement/{setting['engagement'].id}/generate").status_code
        == 403
    )
    client.post("/logout")
    login_as(setting["sns_owner"])  # holds no engagement.view
    assert client.get(versions_url(setting["engagement"])).status_code == 403
    client.post("/logout")
    contractor_user = make.user(Role.CONTRACTOR)
    login_as(contractor_user)
    assert client.get(versions_url(setting["engagement"])).status_code == 403


def test_unknown_ids_are_404(client, login_as, setting):
    login_as(setting["procurement"])
    for url in (
        "/documents/arrangement/999999",
        "/documents/999999/download",
        "/documents/999999/diff",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/documents/arrangement/999999/generate").status_code == 404


def test_coverage_gaps_are_explained_with_the_missing_codes(
    client, login_as, setting, shipped_catalog
):
    add_gap_requirement("TST-03")
    add_gap_requirement("TST-04")
    setting["engagement"].segment_internet = True  # both apply; no clause covers them
    db.session.commit()
    login_as(setting["procurement"])
    html = generate(client, setting["engagement"]).get_data(as_text=True)
    assert "承認済みの条項がなく、適用除外も記録されていません：TST-03、TST-04" in html
    assert count_documents() == 0


def test_storage_failure_tells_the_user_and_records_nothing(
    client, login_as, setting, shipped_catalog, monkeypatch
):
    class Down:
        def put(self, key, fileobj, max_bytes=None):
            raise StorageError("ファイルの保存先（オブジェクトストレージ）に接続できませんでした。")

    monkeypatch.setattr(views, "get_storage", lambda: Down())
    login_as(setting["procurement"])
    html = generate(client, setting["engagement"]).get_data(as_text=True)
    assert "ファイルの保存先（オブジェクトストレージ）に接続できませんでした。" in html
    assert count_documents() == 0


def test_generation_against_s3_and_storage_down(
    app, client, login_as, setting, shipped_catalog, moto_s3, bucket
):
    app.config.update(
        STORAGE_URL=f"s3://{bucket}/vg",
        S3_ENDPOINT_URL=moto_s3.endpoint,
        S3_REGION="us-east-1",
        S3_MAX_ATTEMPTS=1,
    )
    login_as(setting["procurement"])
    generate(client, setting["engagement"])
    document = db.session.scalars(select(ContractDocument)).one()
    body = (
        moto_s3.client().get_object(Bucket=bucket, Key=f"vg/{document.storage_key}")["Body"].read()
    )
    assert hashlib.sha256(body).hexdigest() == document.sha256
    moto_s3.stop()
    html = generate(client, setting["engagement"]).get_data(as_text=True)
    assert "接続できませんでした" in html
    assert count_documents() == 1
    moto_s3.start()
    generate(client, setting["engagement"])
    assert count_documents() == 2


def test_download_is_the_stored_file_as_an_attachment(
    client, login_as, setting, shipped_catalog, app
):
    login_as(setting["officer"])
    generate(client, setting["engagement"])
    document = db.session.scalars(select(ContractDocument)).one()
    response = client.get(f"/documents/{document.id}/download")
    assert response.status_code == 200
    assert response.mimetype == views.DOCX_MIME
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="appendix_R8-00042_v1.docx"')
    assert disposition.endswith(
        "filename*=UTF-8''" + quote("情報セキュリティに関する特記事項_R8-00042_v1.docx", safe="")
    )
    assert response.data == get_storage(app).read_bytes(document.storage_key)
    assert hashlib.sha256(response.data).hexdigest() == document.sha256
    assert int(response.headers["Content-Length"]) == document.size


def test_a_missing_object_is_reported_not_a_crash(client, login_as, setting, shipped_catalog, app):
    login_as(setting["procurement"])
    generate(client, setting["engagement"])
    document = db.session.scalars(select(ContractDocument)).one()
    get_storage(app).delete(document.storage_key)
    html = client.get(f"/documents/{document.id}/download", follow_redirects=True).get_data(
        as_text=True
    )
    assert "保存されたファイルが見つかりません" in html


def test_diff_page_shows_what_changed_since_the_previous_version(
    client, login_as, setting, shipped_catalog, make
):
    login_as(setting["procurement"])
    generate(client, setting["engagement"])
    first = db.session.scalars(select(ContractDocument)).one()
    html = client.get(f"/documents/{first.id}/diff").get_data(as_text=True)
    assert "最初の版のため、比較する版はありません。" in html and first.sha256 in html
    # The security office revises one clause: its first paragraph changes, the others go.
    revised = next(a for a in first.articles if len(a["paragraphs"]) > 1)
    clause = db.session.get(ClauseVersion, revised["clause_version_id"]).clause_id
    old_text = revised["paragraphs"][0]["text"]
    admin = make.user(Role.ADMIN)
    clause = db.session.get(Clause, clause)
    version = clause_services.revise_clause(
        db.session,
        clause,
        clause_services.ClauseData(
            title=clause.title,
            heading=revised["heading"].strip("（）"),
            body="受注者は、改訂された義務を負う。" + old_text[-6:],
            requirement_codes=revised["requirement_codes"],
            sort_order=clause.sort_order,
        ),
        admin,
    )
    clause_services.approve_version(db.session, version, admin)
    db.session.commit()
    generate(client, setting["engagement"])
    second = db.session.scalars(select(ContractDocument).where(ContractDocument.version == 2)).one()
    html = client.get(f"/documents/{second.id}/diff").get_data(as_text=True)
    unchanged = len(first.articles) - 1
    assert "第1版からの変更点" in html and "変更 1" in html and f"変更なし {unchanged}" in html
    # Within the paragraph: the common start stays plain, the rewritten words are deleted/inserted.
    assert f"<p>{old_text[:5]}<del>" in html and "<ins>改訂された義務を負</ins>" in html
    dropped = revised["paragraphs"][1]["text"]
    assert f"<p><del>{dropped[:8]}" in html  # the dropped paragraph
    # The clause versions used are named as people know them, not by database ids.
    assert f"{clause.code}</span> {version.title} 第2版" in html
    assert "approved" not in html and "承認）" in html


def test_diff_against_another_arrangements_version_is_404(
    client, login_as, setting, shipped_catalog, make
):
    login_as(setting["procurement"])
    generate(client, setting["engagement"])
    other = make.engagement()
    generate(client, other)
    mine, theirs = db.session.scalars(select(ContractDocument).order_by(ContractDocument.id)).all()
    assert client.get(f"/documents/{mine.id}/diff?against={theirs.id}").status_code == 404


def test_draft_social_accounts_documents_stay_in_their_department(client, login_as, make):
    department = make.department()
    account = make.social_account(department=department)
    login_as(make.user(Role.OFFICER))
    assert client.get(versions_url(account)).status_code == 404  # a draft they must not know exists
    client.post("/logout")
    login_as(make.user(Role.SNS_OWNER, department=department))
    assert client.get(versions_url(account)).status_code == 200


def add_versions(engagement, user, count: int) -> None:
    db.session.add_all(
        [
            ContractDocument(
                arrangement_id=engagement.id,
                kind=DocumentKind.APPENDIX,
                version=n,
                storage_key=f"documents/{engagement.id}/{n}",
                sha256="a" * 64,
                size=100,
                filename=f"情報セキュリティに関する特記事項_v{n}.docx",
                articles=[{"number": 1}],
                clause_version_ids=[],
                waivers=[],
                date_style=DateStyle.WAREKI,
                template="appendix.docx",
                created_by_id=user.id,
            )
            for n in range(1, count + 1)
        ]
    )
    db.session.commit()


def test_versions_list_runs_the_same_queries_for_5_and_500_rows(
    client, login_as, make, count_queries
):
    user = make.user(Role.PROCUREMENT)
    small, large = make.engagement(), make.engagement()
    add_versions(small, user, 5)
    add_versions(large, user, 500)
    login_as(user)
    counts = []
    for engagement in (small, large):
        with count_queries() as counter:
            response = client.get(f"{versions_url(engagement)}?per_page=200")
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
    html = response.get_data(as_text=True)
    assert (
        "第500版" in html and "第301版" in html and "第300版" not in html
    )  # newest first, 200 a page


def test_pages_link_back_to_the_arrangements_own_page(client, login_as, make):
    admin = make.user(Role.ADMIN)
    login_as(admin)
    for arrangement, path in (
        (make.engagement(), "/engagements/"),
        (make.cloud_service(), "/cloud-services/"),
        (make.social_account(), "/social-accounts/"),
    ):
        html = client.get(versions_url(arrangement)).get_data(as_text=True)
        assert f'href="{path}{arrangement.id}"' in html, path
