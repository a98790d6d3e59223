"""Reading a published ISMAP list (Excel .xlsx or CSV) into rows, mapping columns by header text.

The exact layout of the government's file is not fixed (FACTS §2), so nothing here depends on
column positions: the header row is found by its text, and a required column that cannot be
found stops the import with the header's name. The columns looked for are in ``columns``; the
file is opened (and refused when it is no list) by ``sheets``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _

from vendorguard.core.dates import era_for_key, era_pattern
from vendorguard.core.errors import DomainError
from vendorguard.ismap.columns import COLUMNS, PERIOD_FIELDS, REQUIRED, map_header, normalise_header
from vendorguard.ismap.sheets import csv_rows, kind_of, xlsx_sheets

HEADER_SEARCH_ROWS = 20
MAX_ROWS = 20000
MAX_NUMBER_LENGTH = 50
MAX_NAME_LENGTH = 300


# "更新申請中", "更新審査中", "更新手続き中" …: a renewal was filed and is not decided yet.
RENEWAL_PENDING = re.compile(r"更新(?:申請|審査|手続き?|評価)中|更新申請(?:済|受付)")


class ValidityColumnMissing(DomainError):
    """The list has no column that decides validity; ``header`` lets a person pick one."""

    def __init__(self, message: str, header: list[str], header_line: int):
        super().__init__(message)
        self.header = header
        self.header_line = header_line


@dataclass
class ListRow:
    """One registration as read from the file."""

    line: int
    registration_number: str
    service_name: str = ""
    provider_name: str = ""
    registered_on: date | None = None
    audit_period_end: date | None = None
    valid_until: date | None = None
    remarks: str = ""

    @property
    def renewal_pending(self) -> bool:
        return bool(RENEWAL_PENDING.search(self.remarks))


@dataclass
class ParsedList:
    """What a file holds: its rows, the warnings about rows it skipped, and how it was read."""

    rows: list[ListRow]
    warnings: list[str] = field(default_factory=list)
    header_line: int = 0
    headers: dict[str, str] = field(default_factory=dict)  # column key -> header text as found


# -- dates -------------------------------------------------------------------------------------

_DATE = re.compile(
    rf"(?P<era>{era_pattern()})"
    r"\s*(?P<ey>\d{1,2}|元)\s*[年./-]\s*(?P<em>\d{1,2})\s*[月./-]\s*(?P<ed>\d{1,2})"
    r"|(?<!\d)(?P<y>\d{4})\s*[年./-]\s*(?P<m>\d{1,2})\s*[月./-]\s*(?P<d>\d{1,2})"
    r"|(?<!\d)(?P<cy>\d{4})(?P<cm>\d{2})(?P<cd>\d{2})(?!\d)",
    re.IGNORECASE,
)


def _dates_in(text: str) -> list[date]:
    found = []
    for match in _DATE.finditer(unicodedata.normalize("NFKC", text)):
        try:
            if match["era"]:
                era_year = 1 if match["ey"] == "元" else int(match["ey"])
                # Lenient on purpose: lists carry 平成32年 written after the era changed.
                year = era_for_key(match["era"]).offset + era_year
                found.append(date(year, int(match["em"]), int(match["ed"])))
            elif match["y"]:
                found.append(date(int(match["y"]), int(match["m"]), int(match["d"])))
            else:
                found.append(date(int(match["cy"]), int(match["cm"]), int(match["cd"])))
        except ValueError:  # 2025/02/30 and the like: not a date
            continue
    return found


def parse_date(value: Any) -> date | None:
    """The date a cell holds; for a period (「2024年4月1日～2025年3月31日」) its END date.

    Understands Excel dates, 2025/03/31, 2025-03-31, 2025年3月31日, 令和7年3月31日, R7.3.31, 20250331.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = int(value)
        if 19000101 <= number <= 29991231:
            return parse_date(str(number))
        if 1 <= number < 2958466:  # an Excel serial day number that was not formatted as a date
            return date(1899, 12, 30) + timedelta(days=number)
        return None
    found = _dates_in(str(value))
    return found[-1] if found else None


# -- reading the table ---------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as trimmed text, kept as published (integral numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.strip() for line in text.strip().split("\n"))


def _one_line(value: Any, limit: int = MAX_NAME_LENGTH) -> str:
    return " ".join(_text(value).split())[:limit]


# -- header ---------------------------------------------------------------------------------------


def _shown(cells: Iterable[Any]) -> str:
    shown = " / ".join(_one_line(cell) for cell in cells if _one_line(cell))
    return shown[:300] + ("…" if len(shown) > 300 else "")


def _missing_error(best: list[Any] | None, mapping: dict[str, int]) -> DomainError:
    missing = [COLUMNS[key] for key in REQUIRED if key not in mapping]
    names = "".join(f"「{spec.name}」" for spec in missing)
    if best is None:
        return DomainError(
            _(
                "見出し行が見つかりません（先頭%(rows)d行に文字がありません）。",
                rows=HEADER_SEARCH_ROWS,
            )
        )
    accepted = "、".join(f"{spec.name}＝「{'」「'.join(spec.examples[:3])}」" for spec in missing)
    return DomainError(
        _(
            "列%(names)sが見つかりません。見出し行: %(header)s（読み取れる見出しの例: %(accepted)s）",
            names=names,
            header=_shown(best),
            accepted=accepted,
        )
    )


def _find_header(
    rows: Iterator[Sequence[Any]],
) -> tuple[int, list[Any], dict[str, int], list[Any] | None, dict[str, int]]:
    """Scan the first rows; return (line, header cells, mapping, best failed row, its mapping)."""
    best: list[Any] | None = None
    best_mapping: dict[str, int] = {}
    for line, row in enumerate(rows, start=1):
        cells = list(row)
        mapping = map_header(cells)
        if all(key in mapping for key in REQUIRED):
            return line, cells, mapping, None, {}
        if any(_one_line(cell) for cell in cells) and (
            best is None or len(mapping) > len(best_mapping)
        ):
            best, best_mapping = cells, mapping
        if line >= HEADER_SEARCH_ROWS:
            break
    return 0, [], {}, best, best_mapping


# -- rows -------------------------------------------------------------------------------------------


def _cell(cells: list[Any], index: int | None) -> Any:
    return cells[index] if index is not None and index < len(cells) else None


def _period_end(cells: list[Any], index: int | None, header: list[Any]) -> tuple[date | None, bool]:
    """End date of a period column; a merged heading over 開始 / 終了 leaves the end in the next,
    untitled column, so those neighbours are read too. Returns (date, whether text was there)."""
    if index is None:
        return None, False
    values = [_cell(cells, index)]
    for extra in (index + 1, index + 2):
        if extra < len(header) and normalise_header(header[extra]) == "":
            values.append(_cell(cells, extra))
        else:
            break
    dates = [parse_date(value) for value in values if value not in (None, "")]
    dates = [d for d in dates if d is not None]
    return (dates[-1] if dates else None), any(_text(value) for value in values)


def _read_rows(
    rows: Iterator[Sequence[Any]], header_line: int, header: list[Any], mapping: dict[str, int]
) -> ParsedList:
    parsed = ParsedList(
        rows=[],
        header_line=header_line,
        headers={key: _one_line(header[index]) for key, index in mapping.items()},
    )
    seen: dict[str, int] = {}
    for line, raw in enumerate(rows, start=header_line + 1):
        cells = list(raw)
        if line - header_line > MAX_ROWS:
            raise DomainError(_("行数が多すぎます（上限 %(limit)d 行）。", limit=MAX_ROWS))
        if not any(_text(cell) for cell in cells):
            continue  # blank rows between blocks are common in published lists
        number = re.sub(
            r"\s+", "", unicodedata.normalize("NFKC", _text(_cell(cells, mapping["number"])))
        ).upper()
        if not number:
            parsed.warnings.append(
                _("%(line)d行目: 登録番号がないため読み飛ばしました。", line=line)
            )
            continue
        if len(number) > MAX_NUMBER_LENGTH:
            parsed.warnings.append(
                _("%(line)d行目: 登録番号が長すぎるため読み飛ばしました。", line=line)
            )
            continue
        if number in seen:
            parsed.warnings.append(
                _(
                    "%(line)d行目: 登録番号「%(number)s」は%(first)d行目と重複しているため読み飛ばしました。",
                    line=line,
                    number=number,
                    first=seen[number],
                )
            )
            continue
        seen[number] = line
        row = ListRow(
            line=line,
            registration_number=number,
            service_name=_one_line(_cell(cells, mapping["service"])),
            provider_name=_one_line(_cell(cells, mapping["provider"])),
            remarks=_text(_cell(cells, mapping.get("remarks"))),
        )
        raw_registered = _cell(cells, mapping.get("registered_on"))
        row.registered_on = parse_date(raw_registered)
        if row.registered_on is None and _text(raw_registered):
            parsed.warnings.append(
                _(
                    "%(line)d行目: 登録日「%(value)s」を日付として読み取れませんでした。",
                    line=line,
                    value=_one_line(raw_registered, 60),
                )
            )
        for key in PERIOD_FIELDS:
            value, had_text = _period_end(cells, mapping.get(key), header)
            setattr(row, "audit_period_end" if key == "audit_period" else "valid_until", value)
            if value is None and had_text:
                parsed.warnings.append(
                    _(
                        "%(line)d行目: %(column)sを日付として読み取れませんでした。",
                        line=line,
                        column=parsed.headers[key],
                    )
                )
        parsed.rows.append(row)
    return parsed


def _validity_mapping(
    header: list[Any],
    mapping: dict[str, int],
    line: int,
    validity_column: str | None,
    validity_kind: str,
) -> dict[str, int]:
    """The mapping with a column that decides validity, or ValidityColumnMissing naming the header.

    Without it every registration would be imported with no validity at all, silently.
    """
    if any(key in mapping for key in PERIOD_FIELDS) and not validity_column:
        return mapping
    texts = [_one_line(cell) for cell in header]
    if validity_column:
        if validity_kind not in PERIOD_FIELDS:
            raise DomainError(_("有効性を決める列の意味を選んでください。"))
        wanted = normalise_header(validity_column)
        for index, text in enumerate(texts):
            if text and normalise_header(text) == wanted:
                chosen = {k: v for k, v in mapping.items() if v != index}
                for key in PERIOD_FIELDS:
                    chosen.pop(key, None)
                chosen[validity_kind] = index
                return chosen
        raise ValidityColumnMissing(
            _(
                "指定された列「%(column)s」が見出し行（%(line)d行目）にありません。見出し行: %(header)s",
                column=validity_column,
                line=line,
                header=_shown(header),
            ),
            [t for t in texts if t],
            line,
        )
    raise ValidityColumnMissing(
        _(
            "有効性を決める列（%(audit)s または %(valid)s）が見つかりません。見出し行（%(line)d行目）: "
            "%(header)s（読み取れる見出しの例: 「%(examples)s」）。列を指定して取り込み直してください。",
            audit=COLUMNS["audit_period"].name,
            valid=COLUMNS["valid_until"].name,
            line=line,
            header=_shown(header),
            examples="」「".join(
                COLUMNS["audit_period"].examples[:3] + COLUMNS["valid_until"].examples[:2]
            ),
        ),
        [t for t in texts if t],
        line,
    )


def parse_list(
    data: bytes,
    filename: str = "",
    validity_column: str | None = None,
    validity_kind: str = "audit_period",
) -> ParsedList:
    """Read a published list; raise DomainError (in Japanese) when the file cannot be used at all.

    ``validity_column``: the header text of the column that decides validity, when a person chose
    it (``validity_kind``: ``audit_period`` or ``valid_until``); otherwise it is found by its text.
    """
    if not data:
        raise DomainError(_("ファイルが空です。"))
    best: list[Any] | None = None
    best_mapping: dict[str, int] = {}
    if kind_of(data, filename) == "xlsx":
        tables: Iterable[tuple[str, Iterator[Sequence[Any]]]] = xlsx_sheets(data)
    else:
        tables = [("", csv_rows(data))]
    try:
        for _sheet, rows in tables:
            rows = iter(rows)
            line, header, mapping, candidate, candidate_mapping = _find_header(rows)
            if line:
                mapping = _validity_mapping(header, mapping, line, validity_column, validity_kind)
                parsed = _read_rows(rows, line, header, mapping)
                if not parsed.rows:
                    raise DomainError(
                        _("登録番号のある行が1件もありません。ファイルの内容を確認してください。")
                    )
                return parsed
            if candidate is not None and (
                best is None or len(candidate_mapping) > len(best_mapping)
            ):
                best, best_mapping = candidate, candidate_mapping
    except csv.Error as error:
        raise DomainError(
            _("CSV として読み込めません（%(reason)s）。", reason=str(error))
        ) from error
    finally:
        close = getattr(tables, "close", None)
        if close is not None:
            close()
    raise _missing_error(best, best_mapping)


def header_texts(data: bytes, filename: str = "") -> list[str]:
    """The texts of the list's header row (empty when no header row can be found)."""
    tables = xlsx_sheets(data) if kind_of(data, filename) == "xlsx" else [("", csv_rows(data))]
    try:
        for _sheet, rows in tables:
            line, header, _mapping, _best, _best_mapping = _find_header(iter(rows))
            if line:
                return [text for text in (_one_line(cell) for cell in header) if text]
    finally:
        close = getattr(tables, "close", None)
        if close is not None:
            close()
    return []
