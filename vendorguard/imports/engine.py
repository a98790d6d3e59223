"""Running a file through a register: every row read, checked and saved through the services.

Preview and apply are the same run. Each row's write goes through ``write``, which drops what a
refused row left unsaved and the run goes on to report every problem; the whole run is one transaction
that the preview always rolls back and the apply commits only when no row was refused (all or
nothing). Saving goes through the feature services, so their rules hold and the audit capture
writes one entry per change; a row whose values equal the record is not saved at all (unchanged).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from flask_babel import gettext as _
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session, scoped_session

from vendorguard.core.errors import DomainError
from vendorguard.imports.cells import CellError
from vendorguard.imports.columns import IGNORE, SheetLayout, Table
from vendorguard.imports.lookups import Lookups
from vendorguard.imports.reading import Row, is_blank

CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"
STATUSES = (CREATED, UPDATED, UNCHANGED, ERROR)
MAX_ROWS = 100_000  # a bound on every loop; more than any city's register
PROGRESS_EVERY = 500


class RowRefused(DomainError):
    """A row that cannot be saved; ``column`` is the column key the reason belongs to."""

    def __init__(self, message: str, column: str = ""):
        super().__init__(message)
        self.column = column


@dataclass
class Outcome:
    """What saving one row did."""

    status: str
    label: str  # the record's key as people read it
    changes: list[str] = field(default_factory=list)  # column keys whose value changed


class Handler(Protocol):
    """Saves one row of a table through its feature's services."""

    permission: str
    field_columns: dict[str, str]  # a service's error field -> column key

    def key(self, values: dict[str, Any]) -> tuple[Any, ...] | None: ...

    def save(self, session: Session, lookups: Lookups, values: dict[str, Any]) -> Outcome: ...


@dataclass
class RowReport:
    """One data row of the file as the preview lists it."""

    sheet: str
    row: int
    status: str
    label: str = ""
    changes: list[str] = field(default_factory=list)  # header texts
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (cell, header, message)

    def as_json(self) -> list[Any]:
        return [self.sheet, self.row, self.status, self.label, self.changes, self.errors]


@dataclass
class Report:
    """A whole run: per-row results, counts and notes about columns."""

    rows: list[RowReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        result = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            result[row.status] += 1
        return result

    @property
    def ok(self) -> bool:
        return not any(row.status == ERROR for row in self.rows)


FAIL_FAST = "vendorguard.imports.fail_fast"


class ApplyStopped(Exception):
    """An apply met a refused row: it stops there, since nothing will be saved anyway."""


def write(session: Session, action: Callable[..., Any], *args: Any) -> Any:
    """Call a service; if it refuses, forget whatever it left unsaved, so the next row starts clean.

    The services check everything before they change an object and flush at the end, so a refusal
    (a DomainError) leaves at most unflushed attribute values or an object not yet saved; those
    are dropped here. No SAVEPOINT per row: on SQLite ten thousand of them cost more than the rows
    themselves (benchmarks/import_bench.py), and the run's own SAVEPOINT undoes everything anyway
    (always for a preview; for an apply whenever a row is refused).
    """
    if session.new:
        # Earlier rows' records waiting for their batch (``create``) go out first, so that what
        # a refusal drops below is only this row's (the service would flush them anyway).
        session.flush()
    try:
        return action(session, *args)
    except DomainError:
        for obj in list(session.new):
            session.expunge(obj)
        session.expire_all()
        raise


FLUSH_EVERY = 500  # rows whose new records wait for one batched flush (INSERT … VALUES of many)


class FlushLater:
    """The session as a service sees it when its own flush may wait for the run's next batch."""

    def __init__(self, session: Session):
        self._session = session

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    def flush(self, objects: Any = None) -> None:
        """Left to ``run_table``, which flushes every ``FLUSH_EVERY`` rows and at the table's end."""


def settle(session: Session) -> None:
    """Flush, then do now, inside the batched audit trail, what the commit would do first.

    The commit's own hooks (the risk tier of every engagement the rows touched is recomputed
    before the commit) flush once per engagement; here they see the session through
    ``FlushLater``, so their changes go out in batched statements when a query needs them or at
    the end, and their audit entries are chained in batches like the rows'. Queries still flush
    first (autoflush), so what the hooks read is what they would read at the commit. An apply
    settles every batch: what the hooks hold for the commit (every new engagement) is let go
    batch by batch, so memory stays bounded; at the commit they find nothing left to do.
    """
    real = session() if isinstance(session, scoped_session) else session  # db.session in a job
    real.flush()
    real.dispatch.before_commit(cast(Session, FlushLater(real)))
    real.flush()


def _flush_batch(session: Session) -> None:
    if session.info.get(FAIL_FAST):  # an apply: what is saved is kept, so settle it now
        settle(session)
    else:  # a preview is undone at its end: only the rows' own checks matter
        session.flush()


def create(session: Session, action: Callable[..., Any], *args: Any) -> Any:
    """``write`` for a service that creates a record: its flush waits for the run's next batch.

    Only for creations whose rules read nothing a pending row could change: the service's checks
    run as always (its queries see what is flushed; the run itself refuses a key twice in a file,
    and child tables run after the table is flushed), but ten thousand new rows become twenty
    batched INSERTs instead of ten thousand flushes. A refused row leaves nothing pending (the
    services check before they add).
    """
    before = set(session.new)
    try:
        with session.no_autoflush:
            return action(FlushLater(session), *args)
    except DomainError:
        for obj in list(session.new):
            if obj not in before:
                session.expunge(obj)
        raise


def _cell_name(index: int, row: int) -> str:
    return f"{get_column_letter(index + 1)}{row}"


def columns_in_use(table: Table, layout: SheetLayout, decisions: dict[str, str]) -> dict[int, str]:
    """Index -> column key: the recognised headers plus the people's choices; ignored ones left out."""
    mapping = {i: k for i, k in layout.known.items() if not table.column(k).export_only}
    for index in layout.unknown:
        chosen = decisions.get(str(index), IGNORE)
        if chosen != IGNORE:
            mapping[index] = chosen
    return mapping


def run_table(
    session: Session,
    lookups: Lookups,
    table: Table,
    layout: SheetLayout,
    decisions: dict[str, str],
    rows: Iterator[Row],
    report: Report,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Read, check and save every data row below the header of one sheet."""
    mapping = columns_in_use(table, layout, decisions)
    headers = layout.headers
    seen: dict[tuple[Any, ...], int] = {}
    noted_blank: set[int] = set()
    for number, cells in enumerate(rows, start=1):
        if number <= layout.header_row:
            continue
        if number > MAX_ROWS + layout.header_row:
            report.notes.append(_("%(max)d行を超える部分は読み込んでいません。", max=MAX_ROWS))
            break
        if is_blank(cells):
            continue
        line = RowReport(layout.sheet, number, ERROR)
        values: dict[str, Any] = {}
        for index, key in mapping.items():
            raw = cells[index] if index < len(cells) else None
            try:
                values[key] = table.column(key).parse(raw, lookups)
            except CellError as error:
                line.errors.append((_cell_name(index, number), headers[index], error.message))
        for index, text in enumerate(headers):
            if not text and index < len(cells) and index not in noted_blank:
                if not is_blank((cells[index],)):
                    noted_blank.add(index)
                    report.notes.append(
                        _(
                            "%(sheet)s %(column)s列は見出しがないため取り込みません（%(row)d行目などに値があります）。",
                            sheet=layout.sheet,
                            column=get_column_letter(index + 1),
                            row=number,
                        )
                    )
        try:
            if not line.errors:
                _save_row(session, lookups, table, mapping, headers, values, seen, line)
        finally:
            report.rows.append(line)
        if number % FLUSH_EVERY == 0:
            _flush_batch(session)
        if progress is not None and len(report.rows) % PROGRESS_EVERY == 0:
            progress(len(report.rows))
    _flush_batch(session)  # the table's last batch, before a child table looks for its parents


def _column_cell(
    mapping: dict[int, str], headers: list[str], key: str, row: int
) -> tuple[str, str]:
    for index, mapped in mapping.items():
        if mapped == key:
            return _cell_name(index, row), headers[index]
    return "", ""


def _save_row(
    session: Session,
    lookups: Lookups,
    table: Table,
    mapping: dict[int, str],
    headers: list[str],
    values: dict[str, Any],
    seen: dict[tuple[Any, ...], int],
    line: RowReport,
) -> None:
    handler: Handler = table.handler
    try:
        key = handler.key(values)
        if key is not None:
            if key in seen:
                raise RowRefused(
                    _("%(row)d行目と同じものを指しています（重複）。", row=seen[key]),
                    column=key_column(table),
                )
            seen[key] = line.row
        outcome = handler.save(session, lookups, values)
    except RowRefused as error:
        cell, header = _column_cell(mapping, headers, error.column, line.row)
        line.errors.append((cell, header, error.message))
    except DomainError as error:
        column = handler.field_columns.get(error.field or "", "")
        cell, header = _column_cell(mapping, headers, column, line.row)
        line.errors.append((cell, header, error.message))
    if line.errors:
        if session.info.get(FAIL_FAST):
            raise ApplyStopped
        return
    line.status, line.label = outcome.status, outcome.label
    line.changes = [str(table.column(key).label) for key in outcome.changes]


def key_column(table: Table) -> str:
    """The column a table's rows are matched on (its first column)."""
    return table.columns[0].key
