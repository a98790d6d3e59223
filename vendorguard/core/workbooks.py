"""Opening an uploaded .xlsx safely: the zip checked against decompression bombs, then every sheet
read row by row with openpyxl's read-only mode. The register import and the ISMAP list both read
their workbooks here."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from flask_babel import gettext as _

from vendorguard.core.errors import DomainError

Row = tuple[Any, ...]


def _unreadable() -> DomainError:
    return DomainError(
        _("Excel ファイル（.xlsx）として読み込めません。ファイルが壊れていないか確認してください。")
    )


def check_xlsx(stream: IO[bytes], limit: int) -> None:
    """Refuse a broken workbook or one whose parts would expand beyond ``limit`` bytes."""
    try:
        with zipfile.ZipFile(stream) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise _unreadable() from error
    if total > limit:
        raise DomainError(_("Excel ファイルの展開後の大きさが上限を超えています。"))


@contextmanager
def xlsx_sheets(stream: IO[bytes]) -> Iterator[list[tuple[str, Iterator[Row]]]]:
    """(sheet name, rows) for every sheet of the workbook in ``stream`` (seekable), open while
    the block runs."""
    import openpyxl  # only Excel files need it

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (KeyError, InvalidFileException …)
        raise _unreadable() from error
    try:
        found = []
        for sheet in workbook.worksheets:
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # some writers store wrong dimensions; read what is there
            found.append((sheet.title, sheet.iter_rows(values_only=True)))
        yield found
    finally:
        workbook.close()
