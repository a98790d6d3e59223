"""Sending a stored evidence file back: streamed, always as an attachment, never sniffed."""
from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

from flask import Response, flash, redirect
from flask_babel import gettext as _

from vendorguard.evidence.models import EvidenceFile
from vendorguard.storage import StorageError, StorageNotFound, get_storage


def ascii_filename(evidence_file: EvidenceFile) -> str:
    """A plain-ASCII fallback name for clients that ignore filename* (the real name may be Japanese)."""
    name = unicodedata.normalize("NFKC", evidence_file.original_filename)
    ascii_part = re.sub(r"[^A-Za-z0-9._-]+", "_", name.encode("ascii", "ignore").decode()).strip("._")
    suffix = re.sub(r"[^A-Za-z0-9.]", "", PurePosixPath(name).suffix)[:10]
    if not ascii_part or ascii_part == suffix.strip("."):
        return f"evidence_{evidence_file.id}{suffix}"
    return ascii_part


def send_evidence_file(evidence_file: EvidenceFile, back_url: str):
    """The file's bytes as a download; a flash and ``back_url`` when storage lost or refuses it."""
    try:
        chunks = get_storage().iter_chunks(evidence_file.storage_key)
    except StorageNotFound:
        flash(_("保存されたファイルが見つかりません。お手数ですが市の担当課にお問い合わせください。"), "error")
        return redirect(back_url)
    except StorageError as error:
        flash(error.message, "error")
        return redirect(back_url)
    response = Response(chunks, mimetype=evidence_file.content_type or "application/octet-stream")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{ascii_filename(evidence_file)}"; '
        f"filename*=UTF-8''{quote(evidence_file.original_filename, safe='')}")
    response.headers["Content-Length"] = str(evidence_file.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
