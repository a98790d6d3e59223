"""Reading an uploaded file as sheets of rows, streamed: openpyxl read-only or the csv reader.

Nothing here holds a whole file in memory: an .xlsx is read from a temporary file with openpyxl's
read-only mode, a CSV is decoded as it is read. The encoding of a CSV is decided once, when it is
uploaded (a BOM says UTF-8; else the whole file is tried as UTF-8, then as CP932).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from flask_babel import gettext as _

from vendorguard.core import workbooks
from vendorguard.core.errors import DomainError

XLSX, CSV = "xlsx", "csv"
UTF8_BOM, UTF8, CP932 = "utf-8-sig", "utf-8", "cp932"
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024  # an .xlsx is a zip: refuse decompression bombs
CHUNK = 64 * 1024
# How far down a header row may sit below title rows (merged titles, dates, notes).
HEADER_SEARCH_ROWS = 30

Row = tuple[Any, ...]


def file_kind(head: bytes, filename: str) -> str:
    """``xlsx`` or ``csv`` from the first bytes; anything else is refused with a message."""
    if head.startswith(b"PK\x03\x04"):
        return XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DomainError(
            _(
                "古い形式の Excel ファイル（.xls）は読み込めません。.xlsx または CSV で保存してください。"
            )
        )
    if filename.lower().endswith((".xlsx", ".xlsm")) or head.lstrip().startswith(b"%PDF"):
        raise DomainError(
            _(
                "Excel ファイル（.xlsx）として読み込めません。ファイルが壊れていないか確認してください。"
            )
        )
    if b"\x00" in head[:4096]:
        raise DomainError(_("CSV または Excel（.xlsx）のファイルではありません。"))
    return CSV


def csv_encoding(stream: IO[bytes]) -> str:
    """UTF-8 with BOM, UTF-8 or CP932, read through once in chunks; refused when it is none of them."""
    head = stream.read(3)
    if head == codecs.BOM_UTF8:
        return UTF8_BOM
    for encoding in (UTF8, CP932):
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := stream.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise DomainError(
        _(
            "文字コードを判別できません。UTF-8 または Shift_JIS（CP932）の CSV として保存してください。"
        )
    )


def check_xlsx(stream: IO[bytes]) -> None:
    """Refuse a broken workbook or one that would expand beyond ``MAX_UNZIPPED_BYTES``."""
    workbooks.check_xlsx(stream, MAX_UNZIPPED_BYTES)


def _csv_rows(stream: IO[bytes], encoding: str) -> Iterator[Row]:
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    sample = text.read(4096)
    text.seek(0)
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    for row in csv.reader(text, delimiter=delimiter):
        yield tuple(row)


@contextmanager
def sheets(
    stream: IO[bytes], kind: str, encoding: str
) -> Iterator[list[tuple[str, Iterator[Row]]]]:
    """(sheet name, rows) for every sheet; a CSV is one sheet named ``""``. ``stream`` is seekable."""
    if kind == CSV:
        yield [("", _csv_rows(stream, encoding))]
        return
    with workbooks.xlsx_sheets(stream) as found:
        yield found


def is_blank(row: Row) -> bool:
    """A row with nothing but empty cells and spaces."""
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)
