"""Lists as downloads: ``GET <list url>?format=xlsx|csv[&encoding=cp932]`` gives every row the
list's filters select (not one page) through the shared writer in :mod:`vendorguard.core.export`.

Each feature's ``exports.py`` defines an :class:`ExportTable` (Japanese header + a row generator
over the list's own statement); the list view asks :func:`requested_format` and, when set, returns
:func:`respond`. The list URL is kept, so the permission of the page is the permission of its
export and no route needs its own rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from flask import flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from werkzeug.wrappers import Response as WerkzeugResponse

from vendorguard.core import export as export_file
from vendorguard.core.timeutil import TOKYO, today_tokyo
from vendorguard.extensions import db

# Same cap as the audit log export: one spreadsheet, well below Excel's 1,048,576 rows.
MAX_EXPORT_ROWS = 100_000
# Rows read from the database per round trip while the file is written.
BATCH_ROWS = 1000

ExportFormat = Literal["xlsx", "csv"]


@dataclass(frozen=True)
class ExportTable:
    """One list's spreadsheet: file stem, sheet title, header and the rows of a statement."""

    file_stem: str
    sheet_title: Callable[[], str]
    header: Callable[[], Sequence[str]]
    rows: Callable[[Select[Any]], Iterator[Sequence[Any]]]


def requested_format() -> ExportFormat | None:
    """``xlsx`` or ``csv`` when the list was asked for as a file, else ``None`` (the page)."""
    value = request.args.get("format", "")
    return value if value in ("xlsx", "csv") else None  # type: ignore[return-value]


def requested_encoding() -> export_file.Encoding:
    """The CSV encoding: ``?encoding=cp932`` for Shift_JIS tools, UTF-8 with BOM otherwise."""
    return export_file.CP932 if request.args.get("encoding") == "cp932" else export_file.UTF8_BOM


def page_args() -> dict[str, str]:
    """The current query string without the export and paging parameters (the list's filters)."""
    return {
        key: value
        for key, value in request.args.items()
        if key not in ("format", "encoding", "page") and value
    }


def count_rows(stmt: Select[Any]) -> int:
    """How many rows ``stmt`` selects (ordering and eager loads dropped)."""
    return db.session.execute(
        select(func.count()).select_from(stmt.order_by(None).subquery())
    ).scalar_one()


def streamed(stmt: Select[Any]) -> Select[Any]:
    """``stmt`` read in batches while the file is written, so memory stays bounded."""
    return stmt.execution_options(yield_per=BATCH_ROWS)


def respond(
    fmt: ExportFormat, stmt: Select[Any], table: ExportTable, endpoint: str, **values: Any
) -> WerkzeugResponse:
    """The file of every row of ``stmt``; over the cap, back to the list with a message."""
    total = count_rows(stmt)
    if total > MAX_EXPORT_ROWS:
        flash(
            _(
                "該当する行が%(total)d件あり、一度に出力できる%(max)d件を超えています。"
                "絞り込んでから出力してください。",
                total=total,
                max=MAX_EXPORT_ROWS,
            ),
            "error",
        )
        return redirect(url_for(endpoint, **{**values, **page_args()}))
    filename = f"{table.file_stem}-{today_tokyo():%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        return export_file.xlsx_response(
            table.header(), table.rows(stmt), filename, sheet_title=table.sheet_title()
        )
    encoding = requested_encoding()
    chunks = export_file.csv_chunks(table.header(), table.rows(stmt), encoding)
    return export_file.csv_response(stream_with_context(chunks), filename, encoding)


def local_day(moment: datetime | None) -> date | None:
    """A stored UTC moment as the Japan-time date a clerk sees (a real date cell in .xlsx)."""
    return None if moment is None else moment.astimezone(TOKYO).date()


def yes_no(value: bool) -> str:
    """A flag as the word the pages show."""
    return str(_("はい") if value else _("いいえ"))


def local_moment(moment: datetime | None) -> datetime | None:
    """A stored UTC moment as Japan time to the second, without a zone (Excel has none)."""
    if moment is None:
        return None
    return moment.astimezone(TOKYO).replace(tzinfo=None, microsecond=0)
