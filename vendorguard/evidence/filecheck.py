"""Which uploaded files are accepted: decided by their content, never by their name.

Accepted: PDF; Word / Excel / PowerPoint in the OOXML formats without macros (.docx/.xlsx/.pptx
and their templates); PNG; JPEG; CSV/TXT (UTF-8 or CP932 text without NUL or control bytes, not
markup); ZIP when every member passes the same checks (one level deep: no archive inside an
archive; expanded size, member count and compression ratio bounded; no absolute, ``..`` or link
members; no encryption, since an encrypted member cannot be checked).

Refused on purpose: legacy binary Office files (.doc/.xls/.ppt). Their macros live in OLE
storages, Excel 4.0 macros in BIFF records and PowerPoint's VBA inside the document stream; a
trustworthy macro check needs a full parser for each, so they are refused with a request to save
as .docx/.xlsx/.pptx or PDF. OpenDocument is refused for the same reason (Basic macros).

A name only ever adds refusals: a known dangerous extension (.exe, .html, .docm …) is refused
whatever the content, and a known extension that contradicts the content (a PNG named .pdf) too.

This module is the entry point the upload paths use; the type checks live in ``filetypes`` and the
ZIP container checks in ``archives`` (filetypes ← archives ← filecheck: no cycle).
"""

from __future__ import annotations

from typing import BinaryIO

from flask_babel import gettext as _

from vendorguard.evidence import archives
from vendorguard.evidence.filetypes import (
    DANGEROUS_EXTENSIONS,
    FAMILIES,
    HEAD_SIZE,
    DetectedType,
    FileRefused,
    Limits,
    allowed_types_message,
    clean_filename,
    detect,
    extension,
    guard,
    needs_whole_file,
    read_through,
)

# What the upload paths and the tests use from here (the rest of the type checks: ``filetypes``).
__all__ = [
    "DetectedType",
    "FileRefused",
    "HEAD_SIZE",
    "Limits",
    "check",
    "clean_filename",
    "guard",
    "needs_whole_file",
]


def check(
    head: bytes, filename: str, reader: BinaryIO | None = None, limits: Limits | None = None
) -> DetectedType:
    """Decide what the file is from its first bytes (``head``, up to HEAD_SIZE) and, for ZIP
    containers, from the whole file in ``reader`` (seekable); raise FileRefused otherwise.

    For text, ``reader`` (when given) is read through so the whole file is validated; uploads
    instead wrap the stream with :func:`guard` and validate while storing.
    """
    ext = extension(filename)
    if ext in DANGEROUS_EXTENSIONS:
        raise FileRefused(
            _("拡張子が .%(ext)s のファイルは受け付けられません。", ext=ext)
            + allowed_types_message()
        )
    detected = detect(
        head, reader, limits or Limits.from_config(), depth=0, container=archives.check_zip
    )
    if detected.kind == "text":
        detected = DetectedType(
            "text", {"csv": "text/csv", "tsv": "text/tab-separated-values"}.get(ext, "text/plain")
        )
        if reader is not None:
            reader.seek(0)
            read_through(guard(detected, reader))
    expected = FAMILIES.get(ext)
    if expected is not None and detected.kind not in expected:
        raise FileRefused(
            _(
                "ファイルの拡張子（.%(ext)s）と内容（%(kind)s）が一致しません。"
                "正しいファイルを選んでいるかご確認ください。",
                ext=ext,
                kind=detected.label,
            )
        )
    return detected
