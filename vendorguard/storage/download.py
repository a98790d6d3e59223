"""Sending a stored object back to the browser: streamed, always as an attachment, never sniffed."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Response, flash, redirect
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from vendorguard.storage.base import Storage, StorageError, StorageNotFound


def ascii_part(filename: str) -> str:
    """``filename`` reduced to plain ASCII letters, digits, ``._-`` ("" when nothing is left).

    The start of a fallback name for clients that ignore ``filename*`` (the real name may be Japanese).
    """
    name = unicodedata.normalize("NFKC", filename).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")


def send_stored(
    storage: Storage,
    key: str,
    filename: str,
    *,
    mimetype: str,
    back_url: str,
    ascii_filename: str | None = None,
    size: int | None = None,
    missing_message: str | None = None,
) -> BaseResponse:
    """The object at ``key`` as a download named ``filename``.

    ``Content-Disposition: attachment`` with the real name as RFC 5987 ``filename*`` and
    ``ascii_filename`` (default: the ASCII part of the name, or "download") as the plain fallback;
    ``nosniff`` and ``no-store`` always. When the object is missing or storage refuses it: a flash
    (``missing_message`` for a lost object, else storage's own message) and a redirect to ``back_url``.
    """
    try:
        chunks = storage.iter_chunks(key)
    except StorageNotFound:
        flash(
            missing_message
            or _(
                "保存されたファイルが見つかりません。管理者に連絡してください（vg storage-check で確認できます）。"
            ),
            "error",
        )
        return redirect(back_url)
    except StorageError as error:
        flash(error.message, "error")
        return redirect(back_url)
    fallback = (
        ascii_filename if ascii_filename is not None else (ascii_part(filename) or "download")
    )
    response = Response(chunks, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    if size is not None:
        response.headers["Content-Length"] = str(size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
