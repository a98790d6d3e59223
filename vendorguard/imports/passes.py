"""A pass over a kept file: every row run through the register, then kept or undone.

``preview`` always undoes the rows it saved, ``apply`` keeps them only when every row went through
(all or nothing) — both inside a SAVEPOINT of the caller's transaction, whose outcome the batch then
records, so the caller's one commit keeps the batch up to date. Services never commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.orm import Session

from vendorguard.audit.capture import batched
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.imports import reading
from vendorguard.imports.columns import IGNORE
from vendorguard.imports.engine import FAIL_FAST, ApplyStopped, Report, run_table, settle
from vendorguard.imports.lookups import Lookups
from vendorguard.imports.models import BatchStatus, ImportBatch
from vendorguard.imports.registers import REGISTERS
from vendorguard.imports.services import layouts_of, local_copy, undecided
from vendorguard.storage.base import Storage


def _run(
    session: Session,
    storage: Storage,
    batch: ImportBatch,
    user: Any,
    progress: Callable[[int], None] | None,
) -> Report:
    register = REGISTERS[batch.register]
    report = Report(notes=list(batch.layout.get("notes", [])))
    lookups = Lookups(session, user)
    wanted = {layout.sheet: layout for layout in layouts_of(batch)}
    done = 0

    def counted(rows: int) -> None:
        if progress is not None:
            progress(done + rows)

    with local_copy(storage, batch.storage_key) as local:
        with reading.sheets(local, batch.file_kind, batch.encoding) as found:
            streams = {
                ("CSV" if batch.file_kind == reading.CSV else name): rows for name, rows in found
            }
            for table in register.tables:  # parents first, so a child row finds its parent
                layout = next((l for l in wanted.values() if l.table == table.key), None)
                if layout is None:
                    continue
                for index, key in layout.known.items():
                    if table.column(key).export_only:
                        report.notes.append(
                            _(
                                "%(sheet)s の列「%(header)s」は出力専用の項目のため取り込みません。",
                                sheet=layout.sheet,
                                header=layout.headers[index],
                            )
                        )
                decisions = (batch.decisions or {}).get(table.key, {})
                for index in layout.unknown:
                    if decisions.get(str(index)) == IGNORE:
                        report.notes.append(
                            _(
                                "%(sheet)s の列「%(header)s」は指定どおり取り込みません。",
                                sheet=layout.sheet,
                                header=layout.headers[index],
                            )
                        )
                try:
                    run_table(
                        session,
                        lookups,
                        table,
                        layout,
                        decisions,
                        streams[layout.sheet],
                        report,
                        counted,
                    )
                except ApplyStopped:
                    report.notes.append(
                        _(
                            "%(sheet)s %(row)d行目が反映できないため、そこで止めました。何も反映していません。",
                            sheet=layout.sheet,
                            row=report.rows[-1].row,
                        )
                    )
                    return report
                done = len(report.rows)
    return report


def _record(batch: ImportBatch, report: Report, status: BatchStatus) -> None:
    batch.rows = [row.as_json() for row in report.rows]
    batch.summary = {"counts": report.counts(), "notes": report.notes}
    batch.status = status
    batch.rows_done = len(report.rows)


def _begin(session: Session, batch: ImportBatch) -> None:
    if undecided(batch):
        raise DomainError(_("読み込む列の指定が済んでいません。"))
    # A write first, so that on SQLite the transaction is real before the first SAVEPOINT
    # (otherwise releasing the outermost savepoint would commit it on its own).
    session.execute(update(ImportBatch).where(ImportBatch.id == batch.id).values(rows_done=0))


def preview(
    session: Session,
    storage: Storage,
    batch: ImportBatch,
    user: Any,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Run every row as the apply would, then undo it all; the batch keeps the outcome."""
    _begin(session, batch)
    outer = session.begin_nested()
    try:
        with batched(session):
            report = _run(session, storage, batch, user, progress)
    finally:
        outer.rollback()
    _record(batch, report, BatchStatus.PREVIEWED)
    session.flush()
    return report


def apply(
    session: Session,
    storage: Storage,
    batch: ImportBatch,
    user: Any,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Save every row, or none when any row is refused; the batch records which."""
    if batch.status == BatchStatus.APPLIED:
        raise DomainError(_("このファイルは既に反映しました。"))
    _begin(session, batch)
    outer = session.begin_nested()
    session.info[FAIL_FAST] = True
    try:
        with batched(session):
            report = _run(session, storage, batch, user, progress)
            if report.ok:
                settle(session)
    except BaseException:
        outer.rollback()
        raise
    finally:
        session.info.pop(FAIL_FAST, None)
    if report.ok:
        outer.commit()
        _record(batch, report, BatchStatus.APPLIED)
        batch.applied_at = utcnow()
    else:
        outer.rollback()
        _record(batch, report, BatchStatus.FAILED)
    session.flush()
    return report
