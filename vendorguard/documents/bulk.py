"""Bulk generation: which engagements a job covers, the job row, and the zip it produces.

The work itself runs in ``bulk_worker`` (a background thread, or in the request when
``BULK_SYNC`` is set); this module only decides and describes, and never commits.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

from flask_babel import gettext as _
from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import ColumnElement

from vendorguard.audit import services as audit
from vendorguard.auth.permissions import can_change
from vendorguard.auth.roles import ALL_DEPARTMENTS, Role
from vendorguard.core.errors import DomainError
from vendorguard.core.export import csv_bytes
from vendorguard.core.timeutil import TOKYO, fiscal_year, wareki
from vendorguard.documents.models import (
    BulkJob,
    BulkStatus,
    ContractDocument,
    DateStyle,
    DocumentKind,
)
from vendorguard.engagements.models import Engagement
from vendorguard.engagements.queries import fiscal_year_range
from vendorguard.org.models import Department

MANAGE = "engagement.manage"
ZIP_UTF8_NAMES = (
    0x800  # general purpose bit 11: the entry's name is UTF-8 (Windows Explorer reads it)
)
SUMMARY_NAME = "作成結果.csv"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+')


@dataclass(frozen=True)
class BulkFilter:
    """What a bulk job asks for: contracts starting in a fiscal year, of a department, or a list."""

    starting_fy: int | None = None
    department_id: int | None = None
    engagement_ids: tuple[int, ...] | None = None  # an explicit selection (None: every match)
    date_style: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The filter as stored in ``bulk_job.filter``."""
        return {
            "starting_fy": self.starting_fy,
            "department_id": self.department_id,
            "engagement_ids": list(self.engagement_ids)
            if self.engagement_ids is not None
            else None,
            "date_style": self.date_style,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> BulkFilter:
        """Back from ``bulk_job.filter``."""
        data = data or {}
        ids = data.get("engagement_ids")
        return cls(
            data.get("starting_fy"),
            data.get("department_id"),
            tuple(ids) if ids is not None else None,
            data.get("date_style"),
        )


def era_year(year: int) -> str:
    """令和9年度 for fiscal year 2027 (the era of its first day, 1 April)."""
    text = wareki(date(year, 4, 1))
    return text[: text.index("年")] + "年度"


def fiscal_year_label(year: int) -> str:
    """令和9年度（2027年度）: how a fiscal year is offered in the form."""
    return _("%(era)s（%(year)d年度）", era=era_year(year), year=year)


def fiscal_year_choices(today: date) -> list[int]:
    """The fiscal years offered: two back, this one, two ahead."""
    current = fiscal_year(today)
    return list(range(current - 2, current + 3))


def manageable(user: Any) -> ColumnElement[bool]:
    """Engagements ``user`` may change (None: a command-line run, which may change all)."""
    if user is None or Role(user.role) in ALL_DEPARTMENTS.get(MANAGE, frozenset()):
        return Engagement.id.is_not(None)
    if not user.can(MANAGE) or user.department_id is None:
        return false()
    return Engagement.department_id == user.department_id


def candidates(user: Any, flt: BulkFilter) -> Select:
    """The engagements a job with this filter would cover, with their newest appendix version,
    in the order they are processed (start date, contract number)."""
    newest = (
        select(func.max(ContractDocument.version))
        .where(
            ContractDocument.arrangement_id == Engagement.id,
            ContractDocument.kind == DocumentKind.APPENDIX,
        )
        .correlate(Engagement)
        .scalar_subquery()
    )
    stmt = (
        select(Engagement, newest.label("newest_version"))
        .options(joinedload(Engagement.contractor), joinedload(Engagement.department))
        .where(Engagement.archived_at.is_(None), manageable(user))
    )
    if flt.starting_fy is not None:
        first, last = fiscal_year_range(flt.starting_fy)
        stmt = stmt.where(Engagement.starts_on.between(first, last))
    if flt.department_id is not None:
        stmt = stmt.where(Engagement.department_id == flt.department_id)
    if flt.engagement_ids is not None:
        stmt = stmt.where(Engagement.id.in_(flt.engagement_ids or [0]))
    return stmt.order_by(
        Engagement.starts_on, func.coalesce(Engagement.contract_number, ""), Engagement.id
    )


def _department_name(session: Session, department_id: int | None) -> str:
    department = session.get(Department, department_id) if department_id else None
    return department.name if department else ""


def zip_filename(session: Session, flt: BulkFilter, job_id: int) -> str:
    """情報セキュリティに関する特記事項_令和9年度_市民課_一括12.zip (printed words: Japanese)."""
    parts = [DocumentKind.APPENDIX.printed_title]
    if flt.starting_fy is not None:
        parts.append(era_year(flt.starting_fy))
    if flt.department_id is not None:
        parts.append(_department_name(session, flt.department_id))
    parts.append(f"一括{job_id}")
    return _UNSAFE.sub("_", "_".join(p for p in parts if p)) + ".zip"


def create_job(session: Session, user: Any, flt: BulkFilter, max_documents: int) -> BulkJob:
    """Check the filter and add a queued job over the engagements it resolves to (no work yet)."""
    if flt.date_style not in (None, "", *[s.value for s in DateStyle]):
        raise DomainError(_("日付の表記の選択が正しくありません。"), field="date_style")
    if user is not None and not user.can(MANAGE):
        raise DomainError(_("業務委託の文書を作成する権限がありません。"))
    if flt.engagement_ids is not None and not flt.engagement_ids:
        raise DomainError(_("作成する業務委託を1件以上選んでください。"), field="engagement_ids")
    ids = [row[0].id for row in session.execute(candidates(user, flt)).unique()]
    if flt.engagement_ids is not None and len(ids) < len(set(flt.engagement_ids)):
        missing = len(set(flt.engagement_ids)) - len(ids)
        raise DomainError(
            _(
                "選ばれた業務委託のうち%(count)d件は、条件に合わないか、アーカイブされたか、"
                "文書を作成する権限がないため作成できません。一覧を読み込み直してください。",
                count=missing,
            ),
            field="engagement_ids",
        )
    if not ids:
        raise DomainError(_("条件に合う業務委託がありません。年度や所管課を変えてください。"))
    if len(ids) > max_documents:
        raise DomainError(
            _(
                "一度に作成できるのは%(max)d件までです（条件に合うもの：%(count)d件）。"
                "所管課などで絞り込んでください。",
                max=max_documents,
                count=len(ids),
            )
        )
    scope = flt.department_id
    if user is not None and Role(user.role) not in ALL_DEPARTMENTS.get(MANAGE, frozenset()):
        scope = user.department_id  # an officer's job is their department's
    job = BulkJob(
        created_by_id=getattr(user, "id", None),
        department_id=scope,
        filter=flt.as_json(),
        arrangement_ids=ids,
        total=len(ids),
        status=BulkStatus.QUEUED,
        filename="",
    )
    session.add(job)
    session.flush()
    job.filename = zip_filename(session, flt, job.id)
    session.flush()
    audit.record(
        session,
        "create",
        "bulk_job",
        job.id,
        job.filename,
        after={"filter": job.filter, "total": job.total},
    )
    return job


def can_see(user: Any, job: BulkJob) -> bool:
    """Whoever may change the job's department's engagements may follow it and download it."""
    return can_change(user, MANAGE, job.department_id)


def visible_jobs(user: Any) -> Select:
    """Jobs ``user`` may follow, newest first, with who made them."""
    stmt = select(BulkJob).options(joinedload(BulkJob.created_by), joinedload(BulkJob.department))
    if Role(user.role) not in ALL_DEPARTMENTS.get(MANAGE, frozenset()):
        stmt = stmt.where(BulkJob.department_id == user.department_id)
    return stmt.order_by(BulkJob.created_at.desc(), BulkJob.id.desc())


# -- the zip ------------------------------------------------------------------------------------


@dataclass
class SummaryRow:
    """One line of 作成結果.csv."""

    ok: bool
    contract_number: str
    title: str
    department: str
    contractor: str
    version: int | None = None
    filename: str = ""
    sha256: str = ""
    reason: str = ""


@dataclass
class ZipCollector:
    """Writes documents into a zip as they are made: Japanese names flagged UTF-8, Tokyo times."""

    fileobj: BinaryIO
    names: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._zip = zipfile.ZipFile(self.fileobj, "w", allowZip64=True)

    def _unique(self, name: str) -> str:
        stem, dot, ext = name.rpartition(".")
        candidate, n = name, 2
        while candidate in self.names:
            candidate = f"{stem}({n}).{ext}" if dot else f"{name}({n})"
            n += 1
        self.names.add(candidate)
        return candidate

    def add(self, name: str, data: bytes, when: datetime, compress: bool = False) -> str:
        """Add one file; returns the name it got (a clash gets (2), (3) …)."""
        local = when.astimezone(TOKYO) if when.tzinfo else when
        info = zipfile.ZipInfo(self._unique(name), date_time=local.timetuple()[:6])
        info.flag_bits |= ZIP_UTF8_NAMES
        # .docx is a zip already: storing it again saves time and loses nothing.
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        self._zip.writestr(info, data)
        return info.filename

    def add_summary(self, rows: Iterable[SummaryRow], when: datetime) -> None:
        """作成結果.csv: one line per engagement (UTF-8 with BOM, so Excel reads it as Japanese)."""
        header = [
            "結果",
            "契約番号",
            "件名",
            "所管課",
            "受注者",
            "版",
            "ファイル名",
            "SHA-256",
            "作成できなかった理由",
        ]
        lines = (
            [
                "作成" if row.ok else "作成できず",
                row.contract_number,
                row.title,
                row.department,
                row.contractor,
                row.version or "",
                row.filename,
                row.sha256,
                row.reason,
            ]
            for row in rows
        )
        # Titles and names are typed by people: the shared writer keeps formulas from running.
        self.add(SUMMARY_NAME, csv_bytes(header, lines), when, compress=True)

    def close(self) -> None:
        """Write the central directory."""
        self._zip.close()
