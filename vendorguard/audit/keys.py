"""The key of the audit chain: never in the database, so writing the database cannot re-forge it.

``VENDORGUARD_AUDIT_KEY`` when set (any text; keep it in the service's environment file), else
``instance/audit_key``, generated once (mode 0600) on first use. Losing the key means the chain
can no longer be verified; copy it with the instance folder's backup, not the database's.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app

KEY_FILE = "audit_key"
_CACHE = "vendorguard.audit_key"


def _from_file(instance: Path) -> str:
    path = instance / KEY_FILE
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two workers starting together must not write different keys.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip()


def audit_key() -> bytes:
    """The HMAC key of this installation's audit chain."""
    cached = current_app.extensions.get(_CACHE)
    if cached is None:
        configured = current_app.config.get("AUDIT_KEY") or ""
        text = configured or _from_file(Path(current_app.instance_path))
        if not text:
            raise RuntimeError(
                "the audit key is empty (VENDORGUARD_AUDIT_KEY or instance/audit_key)"
            )
        cached = current_app.extensions[_CACHE] = text.encode("utf-8")
    return cached
