"""A list whose validity column is not recognised never imports silently without validity."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.ismap.conftest import HEADER, csv_bytes, sample_rows, xlsx_bytes
from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.ismap.matching import valid_until_from_audit_end
from vendorguard.ismap.models import ImportStatus, IsmapImport, IsmapRegistration

# A header the importer has never seen for the audited period.
UNKNOWN = [*HEADER[:4], "評価の基準期間", "更新予定", *HEADER[6:]]


def registrations() -> dict[str, IsmapRegistration]:
    return {r.registration_number: r for r in db.session.scalars(select(IsmapRegistration))}


def test_cli_refuses_a_list_without_a_validity_column_and_names_the_header_row(app, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_bytes(header=UNKNOWN))
    result = app.test_cli_runner().invoke(args=["vg", "ismap-import", "--file", str(path)])
    assert result.exit_code == 1
    assert "有効性を決める列（監査対象期間 または 有効期限）が見つかりません" in result.output
    assert "見出し行（3行目）: 登録番号 / 登録日 / クラウドサービス名" in result.output
    assert "評価の基準期間 / 更新予定 / 備考" in result.output
    assert "--validity-column" in result.output
    assert registrations() == {}
    (record,) = db.session.scalars(select(IsmapImport)).all()
    assert record.status == ImportStatus.FAILED


def test_cli_imports_with_the_column_named_on_the_command_line(app, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(header=UNKNOWN))
    result = app.test_cli_runner().invoke(
        args=["vg", "ismap-import", "--file", str(path), "--validity-column", "評価の基準期間"]
    )
    assert result.exit_code == 0, result.output
    found = registrations()
    assert found["C21-0001-1"].audit_period_end.isoformat() == "2025-03-31"
    assert found["C21-0001-1"].valid_until == valid_until_from_audit_end(
        found["C21-0001-1"].audit_period_end
    )


def test_web_import_asks_for_the_column_then_validity_dates_appear(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    page = client.post(
        "/admin/ismap/import",
        data={"list_kind": "ismap", "file": (io.BytesIO(xlsx_bytes(header=UNKNOWN)), "list.xlsx")},
        content_type="multipart/form-data",
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "有効性を決める列の指定" in html
    assert '<option value="評価の基準期間">評価の基準期間</option>' in html
    assert registrations() == {}  # nothing imported without validity
    pending = html.split('name="pending" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/admin/ismap/import/mapping",
        data={
            "pending": pending,
            "filename": "list.xlsx",
            "list_kind": "ismap",
            "column": "評価の基準期間",
            "meaning": "audit_period",
        },
    )
    assert response.status_code == 302
    found = registrations()
    assert len(found) == len(sample_rows())
    assert found["C21-0001-1"].valid_until is not None
    assert found["C22-0003-1"].audit_period_end.isoformat() == "2024-12-31"
    listing = client.get("/admin/ismap/?q=C21-0001-1").get_data(as_text=True)
    until = found["C21-0001-1"].valid_until
    assert f"{until.year}年{until.month}月{until.day}日" in listing


@pytest.mark.parametrize(
    "period_header", ["監査の対象期間", "外部監査の対象期間", "監査対象期間（終了日）"]
)
def test_known_variants_import_with_validity(app, period_header):
    from vendorguard.ismap import services

    header = [*HEADER[:4], period_header, "", *HEADER[6:]]  # no 有効期限 column at all
    rows = [[*row[:5], "", *row[6:]] for row in sample_rows()]
    record = services.import_file(db.session, csv_bytes(header=header, rows=rows), "l.csv", "ismap")
    assert record.ok, record.error
    found = registrations()
    assert found["C21-0001-1"].audit_period_end.isoformat() == "2025-03-31"
    assert found["C21-0001-1"].valid_until == valid_until_from_audit_end(
        found["C21-0001-1"].audit_period_end
    )


def test_mapping_without_a_kept_file_sends_back_to_the_upload(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/admin/ismap/import/mapping",
        data={"pending": "documents/2026/01/x", "list_kind": "ismap", "column": "x"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/admin/ismap/import"
    )
    assert registrations() == {}
