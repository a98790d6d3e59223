"""Shared pieces of the evidence tests: stored files made through the real storage, and records."""

from __future__ import annotations

import io
from datetime import date

from flask import current_app

from vendorguard.evidence.models import Cadence, EvidenceProvider, EvidenceRequirement
from vendorguard.evidence.uploads import StoredFile
from vendorguard.storage import get_storage, new_key

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def store(
    data: bytes = PDF, name: str = "報告書.pdf", content_type: str = "application/pdf"
) -> StoredFile:
    """Put bytes into the app's storage as an upload would, and describe the result."""
    stored = get_storage(current_app).put(new_key("evidence"), io.BytesIO(data))
    return StoredFile(name, stored.key, stored.sha256, stored.size, content_type)


def requirement(
    session,
    arrangement,
    *,
    title: str = "作業報告書",
    cadence: Cadence = Cadence.MONTHLY,
    provider: EvidenceProvider = EvidenceProvider.CONTRACTOR,
    offset: int = 10,
    validity_days: int | None = None,
    **fields,
) -> EvidenceRequirement:
    """A hand-added requirement, committed."""
    item = EvidenceRequirement(
        arrangement_id=arrangement.id,
        title=title,
        cadence=cadence,
        provider=provider,
        due_offset_days=offset,
        validity_days=validity_days,
        **fields,
    )
    session.add(item)
    session.commit()
    return item


def day(text: str) -> date:
    """``day("2027-01-04")``."""
    return date.fromisoformat(text)
