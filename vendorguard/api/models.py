"""The REST API's request counts, shared by every app process (one row per token)."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from vendorguard.extensions import Model


class ApiRateWindow(Model):
    """Requests a key (an API token) sent in its current fixed window ``slot``."""

    __tablename__ = "api_rate_window"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    slot: Mapped[int] = mapped_column(BigInteger)  # the window's number: unix time // window
    used: Mapped[int]
