"""Reading list files: formats, encodings, header mapping by text, dates and periods."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from vendorguard.core.errors import DomainError
from vendorguard.ismap.columns import map_header
from vendorguard.ismap.matching import valid_until_from_audit_end
from vendorguard.ismap.parsing import parse_date, parse_list
from vendorguard.ismap.sheets import decode_text

from .conftest import HEADER, csv_bytes, sample_rows, xlsx_bytes


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024年4月1日～2025年3月31日", date(2025, 3, 31)),
        ("2024年4月1日〜2025年3月31日", date(2025, 3, 31)),
        ("2025/03/31", date(2025, 3, 31)),
        ("2025-3-31", date(2025, 3, 31)),
        ("令和7年3月31日", date(2025, 3, 31)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("R7.3.31", date(2025, 3, 31)),
        ("R6.4.1～R7.3.31", date(2025, 3, 31)),
        ("２０２５年３月３１日まで", date(2025, 3, 31)),
        ("20250331", date(2025, 3, 31)),
        (datetime(2025, 3, 31, 0, 0), date(2025, 3, 31)),
        (date(2025, 3, 31), date(2025, 3, 31)),
        (45747, date(2025, 3, 31)),  # an Excel serial day number
        ("2025/02/30", None),
        ("未定", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_and_the_end_of_periods(value, expected):
    assert parse_date(value) == expected


def test_validity_is_audit_end_plus_one_day_plus_sixteen_months():
    # 2025-03-31 + 1 day = 2025-04-01; + 16 months = 2026-08-01 (FACTS §2)
    assert valid_until_from_audit_end(date(2025, 3, 31)) == date(2026, 8, 1)
    # a day that does not exist in the target month falls back to its last day
    assert valid_until_from_audit_end(date(2024, 10, 30)) == date(2026, 2, 28)
    assert valid_until_from_audit_end(date(2023, 12, 31)) == date(2025, 5, 1)


def test_headers_are_mapped_by_text_with_synonyms_and_normalisation():
    mapping = map_header(
        [
            "No.",
            "ＩＳＭＡＰ登録番号",
            "サービス の\n名称",
            "申請者",
            "登録年月日",
            "有効期間",
            "備 考",
        ]
    )
    assert mapping == {
        "number": 1,
        "service": 2,
        "provider": 3,
        "registered_on": 4,
        "valid_until": 5,
        "remarks": 6,
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_in_each_encoding_reads_the_same(encoding):
    parsed = parse_list(csv_bytes(encoding=encoding), "list.csv")
    assert [row.registration_number for row in parsed.rows] == [r[0] for r in sample_rows()]
    first = parsed.rows[0]
    assert first.service_name == "テストクラウド基盤サービス"
    assert first.provider_name == "株式会社テストクラウド"
    assert first.registered_on == date(2021, 3, 12)
    assert first.audit_period_end == date(2025, 3, 31)
    assert parsed.rows[2].renewal_pending and not parsed.rows[3].renewal_pending
    assert parsed.header_line == 2


def test_cp932_is_used_when_the_bytes_are_not_utf8():
    raw = "登録番号,サービス名,事業者名\n".encode("cp932")
    assert decode_text(raw).startswith("登録番号")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_xlsx_with_title_rows_blank_rows_and_excel_dates():
    parsed = parse_list(xlsx_bytes(), "list.xlsx")
    assert len(parsed.rows) == 5
    assert parsed.header_line == 3
    assert parsed.rows[1].registered_on == date(2021, 4, 1)
    assert parsed.rows[2].audit_period_end == date(2024, 12, 31)
    assert parsed.headers["provider"] == "クラウドサービス事業者名"


def test_a_renamed_required_header_is_named_in_the_error():
    header = ["番号"] + HEADER[1:]
    with pytest.raises(DomainError) as caught:
        parse_list(xlsx_bytes(header=header), "list.xlsx")
    message = caught.value.message
    assert "列「登録番号」が見つかりません。" in message
    assert "見出し行: 番号 / 登録日 / クラウドサービス名" in message


def test_two_missing_headers_are_both_named():
    with pytest.raises(DomainError) as caught:
        parse_list("登録番号,名前,会社\nC1,a,b\n".encode(), "list.csv")
    assert "列「サービス名称」「事業者名」が見つかりません。" in caught.value.message


def test_rows_without_a_number_and_duplicates_are_skipped_with_a_warning():
    rows = sample_rows()[:2] + [
        ["", "", "番号のないサービス", "某社", "", "", ""],
        sample_rows()[0],
    ]
    parsed = parse_list(csv_bytes(rows=rows), "list.csv")
    assert [row.registration_number for row in parsed.rows] == ["C21-0001-1", "C21-0002-1"]
    assert parsed.warnings == [
        "5行目: 登録番号がないため読み飛ばしました。",
        "6行目: 登録番号「C21-0001-1」は3行目と重複しているため読み飛ばしました。",
    ]


def test_an_unreadable_date_is_a_warning_not_a_failure():
    rows = [["C21-0001-1", "そのうち", "サービス", "会社", "調整中", "", ""]]
    parsed = parse_list(csv_bytes(rows=rows), "list.csv")
    assert parsed.rows[0].registered_on is None and parsed.rows[0].audit_period_end is None
    assert len(parsed.warnings) == 2 and "登録日「そのうち」" in parsed.warnings[0]


def test_period_split_under_a_merged_heading_takes_the_end_column():
    rows = [["C21-0001-1", "サービス", "会社", "2024/4/1", "2025/3/31"]]
    parsed = parse_list(
        csv_bytes(header=["登録番号", "サービス名", "事業者名", "監査対象期間", ""], rows=rows),
        "list.csv",
    )
    assert parsed.rows[0].audit_period_end == date(2025, 3, 31)


@pytest.mark.parametrize(
    "data, filename, expected",
    [
        (b"", "a.csv", "ファイルが空です。"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.xls", "古い形式の Excel"),
        (b"%PDF-1.7\n", "a.pdf", "PDF ファイルは読み込めません。"),
        (b"<!DOCTYPE html><html><body>ISMAP</body></html>", "list", "Web ページ（HTML）"),
        (b"PK\x03\x04broken", "a.xlsx", "Excel ファイル（.xlsx）として読み込めません。"),
        (b"\x81\x00\xff\xfe\x00garbage", "a.csv", "CSV または Excel"),
        ("あいう,えお\n1,2\n".encode(), "a.csv", "見出し行: あいう / えお"),
        (
            "登録番号,サービス名,事業者名,有効期限\n".encode(),
            "a.csv",
            "登録番号のある行が1件もありません。",
        ),
    ],
)
def test_unusable_files_get_a_clear_message(data, filename, expected):
    with pytest.raises(DomainError) as caught:
        parse_list(data, filename)
    assert expected in caught.value.message


def test_a_file_in_neither_utf8_nor_cp932_is_refused():
    with pytest.raises(DomainError) as caught:
        parse_list(b"\x82\xa0\x82" + b"\xfd\xfd\xfd", "a.csv")
    assert "文字コードを判別できません。" in caught.value.message


def test_a_workbook_that_would_expand_past_the_limit_is_refused(monkeypatch):
    from vendorguard.ismap import sheets

    data = xlsx_bytes()
    parse_list(data, "list.xlsx")  # within the limit: read
    monkeypatch.setattr(sheets, "MAX_UNZIPPED_BYTES", len(data))  # its parts expand past this
    with pytest.raises(DomainError, match="展開後の大きさが上限を超えています"):
        parse_list(data, "list.xlsx")
