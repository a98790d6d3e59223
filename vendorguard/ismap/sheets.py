"""Opening a published ISMAP list: CSV text in whichever encoding it came, the sheets of an .xlsx
(``core.workbooks``: a zip checked against decompression bombs first), and refusing what
is neither (.xls, PDF, a web page) with a message that says what to send instead."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _

from vendorguard.core import workbooks
from vendorguard.core.errors import DomainError

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # an .xlsx is a zip: refuse decompression bombs


def decode_text(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else Shift_JIS (CP932), else UTF-16 with BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(
        _(
            "文字コードを判別できません。UTF-8 または Shift_JIS（CP932）の CSV として保存してください。"
        )
    )


def csv_rows(data: bytes) -> Iterator[list[Any]]:
    """The rows of a CSV (or tab-separated) file."""
    text = decode_text(data)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def xlsx_sheets(data: bytes) -> Iterator[tuple[str, Iterator[tuple[Any, ...]]]]:
    """(title, rows) of every sheet of an .xlsx file."""
    stream = io.BytesIO(data)
    workbooks.check_xlsx(stream, MAX_UNZIPPED_BYTES)
    stream.seek(0)
    with workbooks.xlsx_sheets(stream) as found:
        yield from found


def kind_of(data: bytes, filename: str) -> str:
    """ "xlsx" or "csv", from the content first (a name can lie); anything else is refused."""
    head = data[:512].lstrip()
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DomainError(
            _(
                "古い形式の Excel ファイル（.xls）は読み込めません。.xlsx または CSV で保存してください。"
            )
        )
    if head.startswith(b"%PDF"):
        raise DomainError(
            _("PDF ファイルは読み込めません。Excel（.xlsx）または CSV の一覧を指定してください。")
        )
    if head[:15].lower().startswith((b"<!doctype html", b"<html")):
        raise DomainError(
            _(
                "一覧ファイルではなく Web ページ（HTML）が返されました。.xlsx または .csv ファイルの URL を指定してください。"
            )
        )
    if filename.lower().endswith(".xlsx"):
        raise DomainError(
            _(
                "Excel ファイル（.xlsx）として読み込めません。ファイルが壊れていないか確認してください。"
            )
        )
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DomainError(_("CSV または Excel（.xlsx）のファイルではありません。"))
    return "csv"
