"""An import's life: upload (kept in storage with an expiry), column decisions, discarding.

The preview and the apply, a pass over the kept file, are in ``passes``. Services never commit.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import IO, Any, BinaryIO

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.evidence import filecheck
from vendorguard.imports import reading, runs
from vendorguard.imports.columns import IGNORE, SheetLayout, find_header, header_key
from vendorguard.imports.models import BatchStatus, ImportBatch
from vendorguard.imports.registers import REGISTERS, Register
from vendorguard.storage.base import Storage, StorageError, new_key

PENDING = "imports-pending"
MAX_PURGE = 50  # expired batches removed per upload: every loop bounded


def current(session: Session, user_id: int, register: str) -> ImportBatch | None:
    """The person's kept file for this register, unless it has expired."""
    batch = session.scalars(
        select(ImportBatch)
        .where(ImportBatch.user_id == user_id, ImportBatch.register == register)
        .order_by(ImportBatch.id.desc())
    ).first()
    if batch is None or batch.expires_at <= utcnow():
        return None
    return batch


def _delete_object(storage: Storage, key: str) -> None:
    try:
        storage.delete(key)
    except StorageError:
        pass  # an object left behind is an orphan that `vg storage-check` reports


def purge(
    session: Session, storage: Storage, *, user_id: int | None = None, register: str = ""
) -> int:
    """Remove expired batches (and, given a person and register, their earlier ones) with their files."""
    condition = ImportBatch.expires_at <= utcnow()
    if user_id is not None:
        condition = condition | (
            (ImportBatch.user_id == user_id) & (ImportBatch.register == register)
        )
    batches = session.scalars(select(ImportBatch).where(condition).limit(MAX_PURGE)).all()
    runs.forget(session, [batch.id for batch in batches])
    for batch in batches:
        _delete_object(storage, batch.storage_key)
        session.delete(batch)
    session.flush()
    return len(batches)


@contextmanager
def local_copy(storage: Storage, key: str) -> Iterator[BinaryIO]:
    """The kept file as a seekable local file (openpyxl and the encoding check need to seek)."""
    with tempfile.TemporaryFile() as local:
        try:
            with storage.open(key) as source:
                shutil.copyfileobj(source, local, 1024 * 1024)
        except StorageError:
            raise DomainError(
                _("取り込み待ちのファイルが見つかりません。もう一度ファイルを選んでください。")
            ) from None
        local.seek(0)
        yield local


def _layouts(
    register: Register, stream: IO[bytes], kind: str, encoding: str, table_key: str
) -> tuple[list[SheetLayout], list[str]]:
    """Which sheet holds which table and where its header row is."""
    layouts: list[SheetLayout] = []
    notes: list[str] = []
    with reading.sheets(stream, kind, encoding) as found:
        if kind == reading.CSV:
            table = register.table(table_key) if table_key else register.main
            _name, rows = found[0]
            layout = find_header(table, "CSV", rows)
            if layout is None:
                raise DomainError(
                    _(
                        "見出し行が見つかりません。先頭%(n)d行のどこかに「%(columns)s」などの見出しを置いてください。",
                        n=reading.HEADER_SEARCH_ROWS,
                        columns="」「".join(str(c.label) for c in table.columns[:3]),
                    )
                )
            return [layout], notes
        by_name = {header_key(name): (name, rows) for name, rows in found}
        used: set[str] = set()
        for table in register.tables:
            match = next((by_name[k] for k in table.sheet_keys() if k in by_name), None)
            if match is None and table is register.main and found:
                match = found[0]  # a single-sheet workbook named anything: the main table
            if match is None or match[0] in used:
                continue
            layout = find_header(table, match[0], match[1])
            if layout is None:
                notes.append(
                    _(
                        "シート「%(sheet)s」に見出し行が見つからないため読み込みません。",
                        sheet=match[0],
                    )
                )
                continue
            used.add(match[0])
            layouts.append(layout)
        own_sheets = {header_key(text) for text in template_sheet_names()}
        for name, _rows in found:
            if name not in used and header_key(name) not in own_sheets:
                notes.append(
                    _(
                        "シート「%(sheet)s」は台帳のどの表にも当たらないため読み込みません。",
                        sheet=name,
                    )
                )
    if not layouts:
        raise DomainError(
            _(
                "取り込める表が見つかりません。テンプレートの見出し（%(columns)s など）を使ってください。",
                columns="、".join(str(c.label) for c in register.main.columns[:3]),
            )
        )
    return layouts, notes


def template_sheet_names() -> set[str]:
    """The template's own sheets (instructions, drop-down lists): never data."""
    names = {_("説明"), _("選択肢")}
    with force_locale("ja"):
        names |= {_("説明"), _("選択肢")}
    return names


def upload(
    session: Session,
    storage: Storage,
    user: Any,
    register: Register,
    stream: IO[bytes],
    filename: str,
    table_key: str = "",
    *,
    keep_hours: int,
    max_bytes: int,
) -> ImportBatch:
    """Keep the file, decide its kind and encoding, find its tables; the batch says what is next."""
    purge(session, storage, user_id=user.id, register=register.key)
    if table_key and table_key not in {t.key for t in register.tables}:
        raise DomainError(_("表を一覧から選んでください。"), field="table")
    key = new_key(PENDING)
    stored = storage.put(key, stream, max_bytes=max_bytes)
    try:
        with local_copy(storage, key) as local:
            head = local.read(8192)
            local.seek(0)
            kind = reading.file_kind(head, filename)
            encoding = ""
            if kind == reading.CSV:
                encoding = reading.csv_encoding(local)
                local.seek(0)
            else:
                reading.check_xlsx(local)
                local.seek(0)
                # The evidence upload checks too: no macros, no external links, no zip bomb.
                filecheck.check(
                    head, filename if filename.endswith(".xlsx") else "upload.xlsx", local
                )
                local.seek(0)
            layouts, notes = _layouts(register, local, kind, encoding, table_key)
    except DomainError:
        _delete_object(storage, key)
        raise
    batch = ImportBatch(
        user_id=user.id,
        register=register.key,
        table_key=table_key,
        filename=filename[:200],
        storage_key=key,
        file_kind=kind,
        encoding=encoding,
        size=stored.size,
        layout={"sheets": [layout.as_json() for layout in layouts], "notes": notes},
        decisions={},
        status=BatchStatus.NEEDS_MAPPING,
        expires_at=utcnow() + timedelta(hours=keep_hours),
    )
    session.add(batch)
    session.flush()
    return batch


def layouts_of(batch: ImportBatch) -> list[SheetLayout]:
    """The batch's sheets as found at upload."""
    return [SheetLayout.from_json(data) for data in batch.layout.get("sheets", [])]


def undecided(batch: ImportBatch) -> list[tuple[SheetLayout, int]]:
    """Unknown headers nobody has decided on yet."""
    decisions = batch.decisions or {}
    return [
        (layout, index)
        for layout in layouts_of(batch)
        for index in layout.unknown
        if str(index) not in decisions.get(layout.table, {})
    ]


def decide(session: Session, batch: ImportBatch, choices: dict[str, dict[str, str]]) -> None:
    """Record, for each unknown header, the column it is or that it is ignored."""
    register = REGISTERS[batch.register]
    decisions: dict[str, dict[str, str]] = {}
    for layout in layouts_of(batch):
        table = register.table(layout.table)
        taken = set(layout.known.values())
        chosen_here: dict[str, str] = {}
        for index in layout.unknown:
            choice = choices.get(layout.table, {}).get(str(index), "")
            header = layout.headers[index]
            if not choice:
                raise DomainError(
                    _(
                        "列「%(header)s」をどの項目として読むか、読まないかを選んでください。",
                        header=header,
                    )
                )
            if choice != IGNORE:
                valid = {c.key for c in table.columns if not c.export_only}
                if choice not in valid:
                    raise DomainError(
                        _("列「%(header)s」の項目を一覧から選んでください。", header=header)
                    )
                if choice in taken or choice in chosen_here.values():
                    raise DomainError(
                        _(
                            "列「%(header)s」に選んだ項目は、別の列で既に読み込みます。",
                            header=header,
                        )
                    )
            chosen_here[str(index)] = choice
        decisions[layout.table] = chosen_here
    batch.decisions = decisions
    session.flush()


def discard(session: Session, storage: Storage, batch: ImportBatch) -> None:
    """Forget the kept file and its preview."""
    _delete_object(storage, batch.storage_key)
    runs.forget(session, [batch.id])
    session.delete(batch)
    session.flush()


def local_filename(name: str) -> str:
    """The base name of an uploaded file as the browser sent it."""
    return os.path.basename((name or "").replace("\\", "/")) or "upload"
