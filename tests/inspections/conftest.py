"""Fixtures of the inspection tests: the shipped catalog, an engagement handling personal data, photos."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from vendorguard.arrangements.models import ArrangementState


@pytest.fixture
def shipped_catalog(app):
    """The shipped requirements and approved clauses, committed (the checklist is drawn from them)."""
    from vendorguard.catalog.services import ensure_catalog
    from vendorguard.extensions import db

    ensure_catalog(db.session)
    db.session.commit()


def personal_engagement(make, **fields):
    """An active engagement over fiscal year 2026 handling personal information."""
    fields.setdefault("handles_personal_info", True)
    fields.setdefault("state", ArrangementState.ACTIVE)
    fields.setdefault("starts_on", date(2026, 4, 1))
    fields.setdefault("ends_on", date(2027, 3, 31))
    return make.engagement(**fields)


def photo_bytes(kind: str, size: tuple[int, int] = (640, 480), color=(30, 120, 200)) -> bytes:
    """A real image (``PNG`` or ``JPEG``) made with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=kind)
    return buffer.getvalue()
