"""Columns and tables of a register, and matching a file's header row to them by text.

A header matches a column when its text, after NFKC (full-width → half-width), without spaces,
marks such as ※ or （必須）, and case-folded, equals the column's label or one of its synonyms,
in Japanese or in the reader's language. A header that matches nothing is never dropped silently:
the person chooses a column for it or explicitly ignores it (the mapping step).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask_babel import force_locale

from vendorguard.imports.reading import HEADER_SEARCH_ROWS, Row, is_blank

if TYPE_CHECKING:
    from vendorguard.imports.lookups import Lookups

IGNORE = "__ignore__"
_MARKS = re.compile(r"[※*＊]|[(（]必須[)）]|[(（]任意[)）]")


def header_key(value: Any) -> str:
    """How header texts are compared."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    text = _MARKS.sub("", unicodedata.normalize("NFKC", text))
    return re.sub(r"\s+", "", text).casefold()


@dataclass(frozen=True)
class Column:
    """One column of a table: its key, its Japanese header, how a cell is read."""

    key: str
    label: Any  # a lazy string: the header the template writes
    parse: Callable[[Any, Lookups], Any]
    synonyms: tuple[str, ...] = ()
    required: bool = False  # a new record needs it
    export_only: bool = False  # computed by the app (exports carry it): recognised, never imported
    note: Any = ""  # the instructions sheet's explanation
    choices: Callable[[Lookups], list[str]] | None = None  # the template's drop-down
    width: int = 16

    def header_keys(self) -> set[str]:
        """Every header text (normalised) that names this column."""
        texts = {str(self.label), *self.synonyms}
        with force_locale("ja"):
            texts.add(str(self.label))
        return {header_key(text) for text in texts}


@dataclass(frozen=True)
class Table:
    """One table of a register: a sheet of an .xlsx, or a whole CSV file."""

    key: str
    label: Any  # lazy: the sheet's name in the template
    columns: Sequence[Column]
    handler: Any  # imports.handlers.Handler
    sheet_synonyms: tuple[str, ...] = ()

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    def sheet_keys(self) -> set[str]:
        texts = {str(self.label), *self.sheet_synonyms}
        with force_locale("ja"):
            texts.add(str(self.label))
        return {header_key(text) for text in texts}

    def match(self, cells: Row) -> dict[int, str]:
        """Column index -> column key for the headers this table knows (first one wins)."""
        by_text = {text: column.key for column in self.columns for text in column.header_keys()}
        found: dict[int, str] = {}
        for index, cell in enumerate(cells):
            key = by_text.get(header_key(cell))
            if key is not None and key not in found.values():
                found[index] = key
        return found


@dataclass
class SheetLayout:
    """Where a table's header is in a sheet and what each header cell means."""

    table: str
    sheet: str
    header_row: int  # 1-based, as a spreadsheet numbers rows
    headers: list[str]  # header cells as text, by index
    known: dict[int, str]  # index -> column key
    unknown: list[int] = field(default_factory=list)  # indexes people must decide on

    def as_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "headers": self.headers,
            "known": {str(i): k for i, k in self.known.items()},
            "unknown": self.unknown,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SheetLayout:
        return cls(
            table=data["table"],
            sheet=data["sheet"],
            header_row=data["header_row"],
            headers=data["headers"],
            known={int(i): k for i, k in data["known"].items()},
            unknown=list(data.get("unknown", [])),
        )


def find_header(table: Table, sheet: str, rows: Any) -> SheetLayout | None:
    """Scan the first rows for the one naming most of the table's columns (at least two)."""
    best: tuple[int, int, Row, dict[int, str]] | None = None
    for number, cells in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            break
        if is_blank(cells):
            continue
        known = table.match(cells)
        if len(known) >= 2 and (best is None or len(known) > len(best[3])):
            best = (number, len(known), cells, known)
    if best is None:
        return None
    number, _count, cells, known = best
    headers = ["" if cell is None else " ".join(str(cell).split()) for cell in cells]
    unknown: list[int] = []
    for index, text in enumerate(headers):
        if index in known or not text:
            continue
        # A second header for a known column is as unclear as an unknown one: people decide.
        unknown.append(index)
    return SheetLayout(table.key, sheet, number, headers, known, unknown)
