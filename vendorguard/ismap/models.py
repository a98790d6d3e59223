"""Registrations on the ISMAP lists and the history of list imports."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.models import str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model


class IsmapKind(LabelledEnum):
    """Which ISMAP list a registration is on."""

    ISMAP = "ismap", "ISMAP"
    ISMAP_LIU = "ismap_liu", "ISMAP-LIU"


class ImportStatus(LabelledEnum):
    """How an import ended."""

    OK = "ok", _l("成功")
    FAILED = "failed", _l("失敗")


class IsmapImport(Model):
    """One attempt to read a published list; failed attempts are kept too, with their error."""

    __tablename__ = "ismap_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_kind: Mapped[IsmapKind] = mapped_column(str_enum(IsmapKind))
    source: Mapped[str] = mapped_column(String(500), default="")  # URL or uploaded file name
    sha256: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[ImportStatus] = mapped_column(
        str_enum(ImportStatus), default=ImportStatus.FAILED
    )
    rows_read: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    left_list: Mapped[int] = mapped_column(default=0)
    returned: Mapped[int] = mapped_column(default=0)  # had left the list and are back on it
    warnings: Mapped[str] = mapped_column(
        Text, default=""
    )  # one per line (rows skipped, dates unread)
    error: Mapped[str] = mapped_column(Text, default="")
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    actor_label: Mapped[str] = mapped_column(String(254), default="")

    imported_by = relationship("User", lazy="raise")

    if TYPE_CHECKING:
        # Not stored (hence hidden from the mapper): when only the validity column is missing,
        # the header texts a person may pick it from, set by ``services.import_file``.
        header_choices: list[str]

    @property
    def ok(self) -> bool:
        return self.status == ImportStatus.OK

    @property
    def warning_lines(self) -> list[str]:
        return [line for line in self.warnings.splitlines() if line]


class IsmapRegistration(Audited, Model):
    """A cloud service on an ISMAP list, as last read from the published file."""

    __tablename__ = "ismap_registration"
    __audit_label__ = "label"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_number: Mapped[str] = mapped_column(String(50), unique=True)
    list_kind: Mapped[IsmapKind] = mapped_column(str_enum(IsmapKind), index=True)
    service_name: Mapped[str] = mapped_column(String(300), default="")
    provider_name: Mapped[str] = mapped_column(String(300), default="")
    registered_on: Mapped[date | None] = mapped_column()
    audit_period_end: Mapped[date | None] = mapped_column()
    valid_until: Mapped[date | None] = mapped_column(index=True)
    valid_until_computed: Mapped[bool] = mapped_column(
        default=False
    )  # from the audited period (FACTS §2)
    renewal_pending: Mapped[bool] = mapped_column(default=False)
    remarks: Mapped[str] = mapped_column(Text, default="")
    first_seen_import_id: Mapped[int | None] = mapped_column(ForeignKey("ismap_import.id"))
    last_seen_import_id: Mapped[int | None] = mapped_column(ForeignKey("ismap_import.id"))
    left_list_on: Mapped[date | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def label(self) -> str:
        return f"{self.registration_number} {self.service_name}"

    @property
    def kind_label(self) -> str:
        return IsmapKind(self.list_kind).label

    def __str__(self) -> str:
        return self.label
