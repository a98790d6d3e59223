"""Choosing the backend from ``STORAGE_URL`` (``file:///abs/path`` or ``s3://bucket/prefix``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

from vendorguard.storage.base import Storage

_EXTENSION = "vendorguard.storage"
_S3_SETTINGS = (
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_SSE",
    "S3_KMS_KEY_ID",
    "S3_ADDRESSING_STYLE",
    "S3_MAX_ATTEMPTS",
)


def storage_from_url(url: str, options: Mapping[str, Any] | None = None) -> Storage:
    """Build a backend for ``url``; ``options`` carries the S3_* settings from the configuration."""
    options = options or {}
    parts = urlsplit(url)
    if parts.scheme == "file":
        from vendorguard.storage.local import LocalStorage

        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"file storage URL must name a local path: {url!r}")
        path = unquote(parts.path)
        if not path.startswith("/"):
            raise ValueError(f"file storage URL must be absolute (file:///…): {url!r}")
        return LocalStorage(path)
    if parts.scheme == "s3":
        from vendorguard.storage.s3 import S3Storage

        return S3Storage(
            parts.netloc,
            unquote(parts.path).strip("/"),
            endpoint_url=options.get("S3_ENDPOINT_URL"),
            region=options.get("S3_REGION"),
            sse=options.get("S3_SSE"),
            kms_key_id=options.get("S3_KMS_KEY_ID"),
            addressing_style=options.get("S3_ADDRESSING_STYLE"),
            max_attempts=int(options.get("S3_MAX_ATTEMPTS") or 3),
        )
    raise ValueError(f"unsupported storage URL {url!r}: use file:///… or s3://bucket/prefix")


def get_storage(app: Flask | None = None) -> Storage:
    """The application's storage, built once per URL (boto3 clients are costly and thread-safe)."""
    # Flask types ``current_app`` as the app itself, though it is the proxy that has this method.
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    url = app.config["STORAGE_URL"]
    settings = (url,) + tuple(app.config.get(name) for name in _S3_SETTINGS)
    cached = app.extensions.get(_EXTENSION)
    if cached is None or cached[0] != settings:
        cached = (settings, storage_from_url(url, app.config))
        app.extensions[_EXTENSION] = cached
    return cached[1]
