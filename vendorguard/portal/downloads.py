"""Sending a stored evidence file back to the contractor (see vendorguard.storage.download)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from flask_babel import gettext as _

from vendorguard.evidence.models import EvidenceFile
from vendorguard.storage.download import ascii_part, send_stored
from vendorguard.storage.factory import get_storage


def ascii_filename(evidence_file: EvidenceFile) -> str:
    """A plain-ASCII fallback name for clients that ignore filename* (the real name may be Japanese)."""
    name = unicodedata.normalize("NFKC", evidence_file.original_filename)
    ascii_name = ascii_part(name)
    suffix = re.sub(r"[^A-Za-z0-9.]", "", PurePosixPath(name).suffix)[:10]
    if not ascii_name or ascii_name == suffix.strip("."):
        return f"evidence_{evidence_file.id}{suffix}"
    return ascii_name


def send_evidence_file(evidence_file: EvidenceFile, back_url: str):
    """The file's bytes as a download; a flash and ``back_url`` when storage lost or refuses it."""
    return send_stored(
        get_storage(),
        evidence_file.storage_key,
        evidence_file.original_filename,
        mimetype=evidence_file.content_type or "application/octet-stream",
        ascii_filename=ascii_filename(evidence_file),
        size=evidence_file.size,
        back_url=back_url,
        missing_message=_(
            "保存されたファイルが見つかりません。お手数ですが市の担当課にお問い合わせください。"
        ),
    )
