"""The shared CSV / xlsx writer: formulas never run, encodings as documented, rows streamed."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import openpyxl
import pytest

from vendorguard.core.export import (
    CP932,
    UTF8_BOM,
    csv_bytes,
    csv_chunks,
    neutralise,
    to_cp932,
    write_xlsx,
)

DANGEROUS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x")']


def _read_csv(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


@pytest.mark.parametrize("text", DANGEROUS)
def test_each_dangerous_prefix_gets_a_quote_in_csv(text):
    rows = _read_csv(csv_bytes(["件名"], [[text]]), "utf-8-sig")
    assert rows[1] == ["'" + text]


@pytest.mark.parametrize("text", ["住民記録", "R9-0001", "a=b", " =1", "", "'quoted"])
def test_harmless_text_is_left_alone(text):
    assert neutralise(text) == text


def test_numbers_dates_and_none_are_not_text():
    assert [neutralise(v) for v in (-5, 1.5, None, date(2027, 4, 1))] == [
        "-5",
        "1.5",
        "",
        "2027-04-01",
    ]


def test_a_header_that_looks_like_a_formula_is_neutralised_too():
    assert _read_csv(csv_bytes(["=A1"], []), "utf-8-sig")[0] == ["'=A1"]


def test_utf8_csv_starts_with_a_bom_and_uses_crlf():
    data = csv_bytes(["結果", "件名"], [["作成", "𠮷野家の委託"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "結果,件名\r\n作成,𠮷野家の委託\r\n"


def test_cp932_csv_has_no_bom_and_replaces_what_it_cannot_hold():
    data = csv_bytes(["件名"], [["髙橋〜工務店 − 𠮷野家 😀"]], encoding=CP932)
    assert not data.startswith(b"\xef\xbb\xbf")
    assert _read_csv(data, "cp932")[1] == ["髙橋～工務店 － ?野家 ?"]
    assert to_cp932("①Ⅱ㈱") == "①Ⅱ㈱"  # NEC specials are in CP932


def test_an_unknown_encoding_is_refused():
    with pytest.raises(ValueError):
        list(csv_chunks(["a"], [], encoding="latin-1"))  # type: ignore[arg-type]


def test_csv_is_streamed_while_rows_are_read():
    read = []

    def rows():
        for n in range(10_000):
            read.append(n)
            yield [n, "住民基本台帳システム運用保守業務委託" * 2]

    chunks = csv_chunks(["番号", "件名"], rows(), UTF8_BOM)
    assert next(chunks) == b"\xef\xbb\xbf"
    first = next(chunks)
    assert 64 * 1024 <= len(first) < 4 * 70 * 1024  # about 64 Ki characters, UTF-8 encoded
    assert len(read) < 10_000  # the first chunk left before the last row was read
    rest = b"".join(chunks)
    assert len(_read_csv(b"\xef\xbb\xbf" + first + rest, "utf-8-sig")) == 10_001


def test_xlsx_round_trip_keeps_text_as_text(tmp_path):
    target = tmp_path / "out.xlsx"
    rows = [[text, n, date(2027, 4, n + 1)] for n, text in enumerate(DANGEROUS)]
    rows.append(["住民記録\x00\x07", None, None])
    write_xlsx(target, ["件名", "番号", "日付"], iter(rows), sheet_title="一覧")
    sheet = openpyxl.load_workbook(target)["一覧"]
    read = list(sheet.iter_rows(values_only=True))
    assert read[0] == ("件名", "番号", "日付")
    assert [row[0] for row in read[1:-1]] == DANGEROUS
    assert [row[1] for row in read[1:-1]] == list(range(len(DANGEROUS)))
    assert read[1][2].date() == date(2027, 4, 1)
    assert read[-1][0] == "住民記録??"  # controls the format cannot hold
    for row in sheet.iter_rows(min_row=2, max_row=len(DANGEROUS) + 1, max_col=1):
        assert row[0].data_type == "s" and row[0].quotePrefix
    # and no formula anywhere in the sheet's XML
    with zipfile.ZipFile(target) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
