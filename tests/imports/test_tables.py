"""Child tables (certifications, information items, subcontractors), CSV encodings, `vg import`
and the background pass."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.imports.files import csv_bytes, xlsx
from vendorguard.auth.roles import Role
from vendorguard.classification.models import Axis
from vendorguard.contractors import corporate_number as cn
from vendorguard.contractors.models import Certification, CertificationKind, Contractor
from vendorguard.engagements.models import Engagement, InformationItem, Subcontractor
from vendorguard.extensions import db
from vendorguard.imports import runs, worker
from vendorguard.imports.models import ImportBatch, ImportRun, RunState

NUMBER = cn.make("700000000001")
SUB_NUMBER = cn.make("700000000002")


def test_contractors_with_certifications_in_one_workbook(make, importer):
    admin = make.user(Role.ADMIN)
    data = xlsx(
        {
            "説明": [["この台帳の説明"]],
            "委託事業者": [
                ["法人番号", "委託事業者名", "よみがな"],
                [NUMBER, "みほん株式会社", "ミホン"],
            ],
            "認証": [
                ["法人番号", "種類", "登録番号", "有効期限"],
                [NUMBER, "ISMS", "IS 123", "令和9年3月31日"],
                [NUMBER, "プライバシーマーク", "10820001", "2028/3/31"],
            ],
        }
    )
    batch = importer(admin, "contractors", data, apply=True)
    assert batch.summary["counts"]["created"] == 3, batch.rows
    contractor = db.session.scalars(select(Contractor)).one()
    kinds = {c.kind: c.valid_until for c in db.session.scalars(select(Certification))}
    assert contractor.corporate_number == NUMBER
    assert kinds == {
        CertificationKind.ISMS: date(2027, 3, 31),
        CertificationKind.PRIVACY_MARK: date(2028, 3, 31),
    }
    again = importer(admin, "contractors", data, apply=True)
    assert again.summary["counts"]["unchanged"] == 3
    assert not any("説明" in note for note in again.summary["notes"])  # the template's own sheet


def test_engagement_with_items_and_subcontractors(make, importer):
    scheme = make.schemes()
    admin = make.user(Role.ADMIN)
    dept = make.department(name="税務課")
    make.contractor(name="委託先株式会社", corporate_number=NUMBER)
    level = scheme.levels_for(Axis.CONFIDENTIALITY)[-1]
    data = xlsx(
        {
            "業務委託": [
                [
                    "契約番号",
                    "件名",
                    "所管課",
                    "委託事業者",
                    "契約開始日",
                    "契約終了日",
                    "再委託の可否",
                ],
                ["R8-500", "課税システム", "税務課", "委託先株式会社", "R8.4.1", "R9.3.31", "可"],
            ],
            "取扱情報": [["契約番号", "情報の名称", "機密性"], ["R8-500", "課税情報", level.label]],
            "再委託先": [
                ["契約番号", "再委託先の名称", "法人番号", "上位の委託先", "許諾した者", "許諾日"],
                ["R8-500", "再委託株式会社", SUB_NUMBER, "", "税務課長", "令和8年4月1日"],
                ["R8-500", "再々委託株式会社", "", "再委託株式会社", "税務課長", "令和8年4月2日"],
            ],
        }
    )
    batch = importer(admin, "engagements", data, apply=True)
    assert batch.summary["counts"]["created"] == 4, batch.rows
    engagement = db.session.scalars(select(Engagement)).one()
    assert engagement.department_id == dept.id and engagement.subcontracting_allowed
    item = db.session.scalars(select(InformationItem)).one()
    assert (item.name, item.confidentiality_level_id) == ("課税情報", level.id)
    sub, below = db.session.scalars(select(Subcontractor).order_by(Subcontractor.id)).all()
    assert (sub.corporate_number, sub.tier, sub.approved_on) == (SUB_NUMBER, 1, date(2026, 4, 1))
    assert (below.parent_id, below.tier) == (sub.id, 2)  # the chain from 上位の委託先
    again = importer(admin, "engagements", data, apply=True)
    assert again.summary["counts"] == {"created": 0, "updated": 0, "unchanged": 4, "error": 0}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp932"])
def test_csv_in_each_encoding(make, importer, encoding):
    admin = make.user(Role.ADMIN)
    rows = [
        ["法人番号", "委託事業者名", "よみがな", "所在地"],
        [NUMBER, "髙橋システム株式会社", "たかはし", "兵庫県豊岡市～"],
    ]
    batch = importer(
        admin, "contractors", csv_bytes(rows, encoding), filename="list.csv", apply=True
    )
    assert batch.encoding == encoding and batch.status.value == "applied", batch.rows
    contractor = db.session.scalars(select(Contractor)).one()
    assert contractor.name == "髙橋システム株式会社" and contractor.name_kana == "タカハシ"


def test_csv_of_a_child_table_and_an_update(make, importer):
    admin = make.user(Role.ADMIN)
    contractor = make.contractor(corporate_number=NUMBER)
    rows = [["法人番号", "種類", "登録番号", "有効期限"], [NUMBER, "ISMS", "IS 1", "2027/3/31"]]
    importer(
        admin,
        "contractors",
        csv_bytes(rows),
        filename="certs.csv",
        table="certifications",
        apply=True,
    )
    rows[1][3] = "2028/3/31"
    batch = importer(
        admin,
        "contractors",
        csv_bytes(rows),
        filename="certs.csv",
        table="certifications",
        apply=True,
    )
    assert batch.rows[0][2] == "updated" and batch.rows[0][4] == ["有効期限"]
    certification = db.session.scalars(select(Certification)).one()
    assert (certification.contractor_id, certification.valid_until) == (
        contractor.id,
        date(2028, 3, 31),
    )


def test_a_file_that_is_no_register_is_refused_with_a_message(make, importer):
    from vendorguard.core.errors import DomainError

    admin = make.user(Role.ADMIN)
    with pytest.raises(DomainError, match="見出し行が見つかりません"):
        importer(admin, "contractors", csv_bytes([["a", "b"], ["1", "2"]]), filename="x.csv")
    with pytest.raises(DomainError, match=r"\.xls"):
        importer(admin, "contractors", b"\xd0\xcf\x11\xe0" + b"\0" * 100, filename="x.xls")
    with pytest.raises(DomainError, match="文字コード"):
        importer(admin, "contractors", b"\x82\xa0\x85\x40,\xfe\n", filename="x.csv")


def test_vg_import_dry_run_then_apply(app, make, tmp_path):
    admin = make.user(Role.ADMIN)
    path = tmp_path / "list.csv"
    path.write_bytes(
        csv_bytes(
            [["法人番号", "委託事業者名", "よみがな", "FAX"], [NUMBER, "株式会社A", "エー", "x"]],
            "cp932",
        )
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["vg", "import", "contractors", str(path), "--as", admin.email])
    assert result.exit_code == 1 and "FAX" in result.output
    result = runner.invoke(
        args=["vg", "import", "contractors", str(path), "--as", admin.email, "--ignore-unknown"]
    )
    assert result.exit_code == 0 and "created=1" in result.output
    assert db.session.scalars(select(Contractor)).all() == []
    result = runner.invoke(
        args=[
            "vg",
            "import",
            "contractors",
            str(path),
            "--as",
            admin.email,
            "--ignore-unknown",
            "--apply",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(Contractor)).one().name == "株式会社A"
    assert db.session.scalars(select(ImportBatch)).all() == []


def test_background_pass_commits_its_outcome(app, make, importer):
    admin = make.user(Role.ADMIN)
    batch = importer(
        admin,
        "contractors",
        csv_bytes([["法人番号", "委託事業者名", "よみがな"], [NUMBER, "株式会社B", "ビー"]]),
        filename="b.csv",
    )
    app.config["IMPORT_SYNC"] = False
    runs.begin(db.session, batch, worker.APPLY)
    db.session.commit()
    worker.start(app, batch.id, worker.APPLY)
    assert worker.wait(app, batch.id, timeout=60)
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).status.value == "applied"
    assert db.session.scalars(select(Contractor)).one().name == "株式会社B"
    run = runs.of(db.session, batch.id)
    assert (run.mode, run.state, run.rows_done) == ("apply", RunState.DONE, 1)
    assert run.finished_at is not None


def test_progress_is_seen_by_others_while_the_pass_holds_its_transaction(
    app, client, make, importer, login_as
):
    """Another worker (here: another connection, and the page) reads the run from the database."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer at a time: progress is not written during a pass")
    admin = make.user(Role.ADMIN)
    batch = importer(
        admin,
        "contractors",
        csv_bytes([["法人番号", "委託事業者名", "よみがな"], [NUMBER, "株式会社B", "ビー"]]),
        filename="b.csv",
    )
    runs.begin(db.session, batch, worker.PREVIEW)
    db.session.commit()
    # The pass's own transaction has written and is still open …
    db.session.get_one(ImportBatch, batch.id).rows_done = 7
    db.session.flush()
    runs.report_progress(db.engine, batch.id, 500)
    # … and what it reported is visible elsewhere all the same.
    with db.engine.connect() as other:
        seen = other.execute(
            select(ImportRun.rows_done, ImportRun.state).where(ImportRun.batch_id == batch.id)
        ).one()
    assert (seen.rows_done, seen.state) == (500, RunState.RUNNING)
    db.session.rollback()
    login_as(admin)
    page = client.get("/imports/contractors/preview")
    assert "500行まで読みました" in page.get_data(as_text=True)
    assert page.headers["Refresh"] == "3"


def test_a_workbook_with_macros_is_refused_like_any_upload(make, importer):
    import io
    import zipfile

    from vendorguard.core.errors import DomainError

    admin = make.user(Role.ADMIN)
    data = io.BytesIO(xlsx({"委託事業者": [["法人番号", "委託事業者名", "よみがな"]]}))
    with zipfile.ZipFile(data, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    with pytest.raises(DomainError, match="マクロ"):
        importer(admin, "contractors", data.getvalue())
    assert db.session.scalars(select(ImportBatch)).all() == []


def test_a_row_the_service_refuses_leaves_nothing_behind_for_the_next_rows(make, importer):
    make.schemes()
    admin = make.user(Role.ADMIN)
    dept = make.department(name="税務課")
    contractor = make.contractor(corporate_number=NUMBER)
    existing = make.engagement(
        department=dept, contractor=contractor, contract_number="R8-700", title="元の件名"
    )
    header = ["契約番号", "件名", "所管課", "委託事業者の法人番号", "契約開始日", "契約終了日"]
    data = csv_bytes(
        [
            header,
            [
                "R8-700",
                "変えた件名",
                "税務課",
                NUMBER,
                "2026/4/1",
                "2025/3/31",
            ],  # ends before it starts
            ["R8-701", "新しい業務", "税務課", NUMBER, "2026/4/1", "2027/3/31"],
        ]
    )
    batch = importer(admin, "engagements", data, filename="e.csv")
    first, second = batch.rows
    assert first[2] == "error" and first[5][0][:2] == ["F2", "契約終了日"]
    assert second[2] == "created"
    db.session.expire_all()
    assert db.session.get(Engagement, existing.id).title == "元の件名"
    batch = importer(admin, "engagements", data, filename="e.csv", apply=True)
    assert batch.status.value == "failed"
    assert db.session.scalars(select(Engagement.contract_number)).all() == ["R8-700"]
