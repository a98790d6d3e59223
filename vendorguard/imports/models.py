"""An uploaded register file kept between its preview and its application (``import_batch``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from vendorguard.arrangements.models import str_enum
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model


class BatchStatus(LabelledEnum):
    """Where an uploaded file stands."""

    NEEDS_MAPPING = "needs_mapping", _l("列の指定待ち"), "badge-warn"
    RUNNING = "running", _l("処理中"), "badge-info"
    PREVIEWED = "previewed", _l("確認待ち"), "badge-info"
    APPLIED = "applied", _l("反映済"), "badge-ok"
    FAILED = "failed", _l("反映できませんでした"), "badge-danger"


class ImportBatch(Model):
    """One person's uploaded file for one register, its column decisions and its last preview.

    Not audited itself: what it changes is audited row by row through the feature services.
    """

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    register: Mapped[str] = mapped_column(String(20))
    table_key: Mapped[str] = mapped_column(String(30), default="")  # CSV: which table it holds
    filename: Mapped[str] = mapped_column(String(200))
    storage_key: Mapped[str] = mapped_column(String(300))
    file_kind: Mapped[str] = mapped_column(String(10))  # xlsx | csv
    encoding: Mapped[str] = mapped_column(String(20), default="")  # CSV: utf-8-sig | utf-8 | cp932
    size: Mapped[int] = mapped_column(default=0)
    layout: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict
    )  # sheets, header rows, columns
    decisions: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict
    )  # unknown header -> column
    status: Mapped[BatchStatus] = mapped_column(
        str_enum(BatchStatus), default=BatchStatus.NEEDS_MAPPING
    )
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # counts and notes
    rows: Mapped[list[Any]] = mapped_column(JSON, default=list)  # one entry per data row
    rows_done: Mapped[int] = mapped_column(default=0)  # rows of the last pass
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RunState(LabelledEnum):
    """Where a preview or apply pass stands."""

    RUNNING = "running", _l("処理中"), "badge-info"
    DONE = "done", _l("完了"), "badge-ok"
    STOPPED = "stopped", _l("中断"), "badge-danger"


class ImportRun(Model):
    """The current or last pass over a batch: its state and how many rows it has read.

    Kept in the database so that any web worker or process can show it: the pass itself is one
    long transaction that others cannot see into, so its progress is written through a connection
    of its own (``runs.report_progress``). Not audited: it records work, not a change of data.
    """

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), unique=True
    )
    mode: Mapped[str] = mapped_column(String(10))  # preview | apply
    state: Mapped[RunState] = mapped_column(str_enum(RunState), default=RunState.RUNNING)
    rows_done: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # last progress
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
