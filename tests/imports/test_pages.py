"""The import pages: upload, mapping step, preview with problems next to the cell, apply, discard,
the template, permissions (officers only into their own department) and constant query counts."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.conftest import login
from tests.imports.files import csv_bytes, xlsx
from vendorguard.auth.roles import Role
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db
from vendorguard.imports.models import ImportBatch

HEADER = ["契約番号", "件名", "所管課", "委託事業者の法人番号", "契約開始日", "契約終了日"]


@pytest.fixture(autouse=True)
def sync(app):
    """Passes run inside the request (IMPORT_SYNC), so a test sees the finished preview at once."""
    app.config["IMPORT_SYNC"] = True


def _upload(client, register: str, data: bytes, filename: str, table: str = ""):
    form = {"file": (io.BytesIO(data), filename)}
    if table:
        form["table"] = table
    return client.post(f"/imports/{register}/", data=form, content_type="multipart/form-data")


def test_upload_mapping_preview_apply(app, client, make):
    make.schemes()
    dept = make.department(name="情報政策課")
    contractor = make.contractor()
    admin = make.user(Role.ADMIN)
    login(client, admin)
    rows = [["業務委託台帳"], [], HEADER + ["担当者メモ"]]
    rows.append(
        [
            "R8-100",
            "保守業務",
            "情報政策課",
            contractor.corporate_number,
            "令和8年4月1日",
            "令和9年3月31日",
            "x",
        ]
    )
    rows.append(
        [
            "R8-101",
            "運用業務",
            "福祉課",
            contractor.corporate_number,
            "令和8年4月1日",
            "令和9年3月31日",
            "",
        ]
    )
    response = _upload(client, "engagements", xlsx({"業務委託": rows}), "台帳.xlsx")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/imports/engagements/mapping"
    )

    page = client.get("/imports/engagements/mapping").get_data(as_text=True)
    assert "担当者メモ" in page and "読まない（取り込まない）" in page
    # Nothing chosen: refused, never a silent drop.
    page = client.post("/imports/engagements/mapping", data={}).get_data(as_text=True)
    assert "担当者メモ" in page and "選んでください" in page
    response = client.post(
        "/imports/engagements/mapping", data={"column-engagements-6": "description"}
    )
    assert response.status_code == 302

    page = client.get("/imports/engagements/preview").get_data(as_text=True)
    assert "R8-100" in page and "C5" in page and "福祉課" in page
    assert "台帳に反映する" not in page  # an error row blocks the apply
    response = client.post("/imports/engagements/apply")
    assert db.session.scalar(select(func.count()).select_from(Engagement)) == 0

    rows[4][2] = dept.name
    _upload(client, "engagements", xlsx({"業務委託": rows}), "台帳.xlsx")
    client.post("/imports/engagements/mapping", data={"column-engagements-6": "description"})
    page = client.get("/imports/engagements/preview?status=created").get_data(as_text=True)
    assert "台帳に反映する" in page and "R8-101" in page
    response = client.post("/imports/engagements/apply")
    assert response.status_code == 302
    page = client.get("/imports/engagements/preview").get_data(as_text=True)
    assert "反映しました" in page
    engagement = db.session.scalars(
        select(Engagement).where(Engagement.contract_number == "R8-100")
    ).one()
    assert engagement.description == "x"
    # Only the person's latest file is kept; discarding removes it and its stored object.
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 1
    client.post("/imports/engagements/discard")
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_officer_imports_only_into_their_department(app, client, make):
    make.schemes()
    own, other = make.department(name="情報政策課"), make.department(name="福祉課")
    contractor = make.contractor()
    officer = make.user(Role.OFFICER, department=own)
    login(client, officer)
    rows = [HEADER]
    rows.append(
        ["R8-200", "自課の業務", own.name, contractor.corporate_number, "2026/4/1", "2027/3/31"]
    )
    rows.append(
        ["R8-201", "他課の業務", other.name, contractor.corporate_number, "2026/4/1", "2027/3/31"]
    )
    _upload(client, "engagements", csv_bytes(rows), "台帳.csv")
    page = client.get("/imports/engagements/preview").get_data(as_text=True)
    assert "ご自分の所属の分だけ" in page
    batch = db.session.scalars(select(ImportBatch)).one()
    statuses = {row[3] or row[1]: row[2] for row in batch.rows}
    assert statuses["R8-200"] == "created" and list(statuses.values()).count("error") == 1


@pytest.mark.parametrize(
    "role, register, status",
    [
        (Role.PROCUREMENT, "cloud", 403),
        (Role.OFFICER, "contractors", 403),
        (Role.AUDITOR, "engagements", 403),
        (Role.SNS_OWNER, "social", 200),
        (Role.SNS_OWNER, "engagements", 403),
        (Role.ADMIN, "nothing", 404),
    ],
)
def test_who_may_import_what_follows_the_permission_table(client, make, role, register, status):
    login(client, make.user(role))
    assert client.get(f"/imports/{register}/").status_code == status


def test_template_has_headers_drop_downs_and_instructions(client, make):
    make.schemes()
    make.department(name="情報政策課")
    login(client, make.user(Role.ADMIN))
    response = client.get("/imports/engagements/template.xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames[:4] == ["説明", "業務委託", "取扱情報", "再委託先"]
    sheet = workbook["業務委託"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["契約番号", "件名", "所管課"]
    choices = workbook["選択肢"]
    listed = {cell.value for column in choices.iter_cols() for cell in column}
    assert "情報政策課" in listed and "四半期ごと" in listed
    formulas = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert formulas and all(
        f.startswith("='選択肢'!") or f.startswith("=選択肢!") for f in formulas
    )
    assert "使い方" in [cell.value for cell in workbook["説明"]["A"]]
    # The template itself imports: headers recognised, no row, nothing to decide.
    _upload(client, "engagements", response.get_data(), "template.xlsx")
    batch = db.session.scalars(select(ImportBatch)).one()
    assert batch.status.value == "previewed" and batch.rows == []


def test_preview_page_query_count_does_not_grow(app, client, make, count_queries):
    make.schemes()
    dept = make.department(name="情報政策課")
    contractor = make.contractor()
    login(client, make.user(Role.ADMIN))

    def upload(n: int) -> None:
        rows = [HEADER] + [
            [
                f"R8-{i:04d}",
                f"業務{i}",
                dept.name,
                contractor.corporate_number,
                "2026/4/1",
                "2027/3/31",
            ]
            for i in range(n)
        ]
        _upload(client, "engagements", csv_bytes(rows), "台帳.csv")

    upload(5)
    with count_queries() as few:
        assert client.get("/imports/engagements/preview").status_code == 200
    upload(500)
    with count_queries() as many:
        page = client.get("/imports/engagements/preview?page=3").get_data(as_text=True)
    assert "R8-0" in page
    assert few.count == many.count
