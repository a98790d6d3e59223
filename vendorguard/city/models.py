"""CityProfile: the one municipality this installation serves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from vendorguard.audit.mixins import Audited
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model

PROFILE_ID = 1  # a single row: one installation serves one city


class CityProfile(Audited, Model):
    """Name, address, head of the city and contacts, as documents and public pages print them."""

    __tablename__ = "city_profile"
    __audit_label__ = "name"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_kana: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    mayor_title: Mapped[str] = mapped_column(String(50), default="")  # 市長, 町長, 村長, 区長 …
    mayor_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    security_department: Mapped[str] = mapped_column(String(100), default="")  # e.g. 情報政策課
    impersonation_contact: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return self.name
