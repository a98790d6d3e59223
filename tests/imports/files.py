"""Building the files people upload: .xlsx workbooks (with title rows) and CSV in three encodings."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook


def xlsx(sheets: dict[str, Sequence[Sequence[Any]]], merge_title: bool = False) -> bytes:
    """A workbook with one sheet per entry; ``merge_title`` merges the first row's cells A1:E1."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        if merge_title:
            sheet.merge_cells("A1:E1")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], encoding: str = "utf-8-sig") -> bytes:
    """A CSV file in ``encoding`` (utf-8-sig writes the BOM)."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)
