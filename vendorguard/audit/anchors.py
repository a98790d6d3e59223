"""Anchors: the chain's head, signed with the audit key and kept outside the database.

The keyed chain stops anyone who can only write the database from re-forging rows; it cannot
stop them deleting the newest rows and setting the head back. An anchor — ``{seq, hash,
anchored_at, signature}`` appended as one JSON line to ``AUDIT_ANCHOR_FILE`` (and, with S3
storage, put as an object under ``audit-anchors/``, with object lock when
``AUDIT_ANCHOR_LOCK_DAYS`` is set) — records how far the chain reached at that moment;
``vg audit-verify`` then insists that row is still there with that hash.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import Connection, select

from vendorguard.audit.chain import GENESIS
from vendorguard.audit.models import AuditEvent, AuditHead
from vendorguard.core.timeutil import utcnow

if TYPE_CHECKING:
    from vendorguard.storage.base import Storage

OBJECT_PREFIX = "audit-anchors/"  # storage keys reserved for anchors (storage-check skips them)
_SIGNED = ("seq", "hash", "anchored_at")


def _signature(anchor: dict[str, Any], key: bytes) -> str:
    text = json.dumps({name: anchor[name] for name in _SIGNED}, sort_keys=True)
    return hmac.new(key, b"anchor:" + text.encode(), hashlib.sha256).hexdigest()


def anchor_file() -> Path:
    """Where anchors are appended: AUDIT_ANCHOR_FILE, else instance/audit-anchors.jsonl."""
    configured = current_app.config.get("AUDIT_ANCHOR_FILE")
    return (
        Path(configured) if configured else Path(current_app.instance_path) / "audit-anchors.jsonl"
    )


def make(conn: Connection, key: bytes, now: datetime | None = None) -> dict[str, Any]:
    """A signed anchor of the chain's head as it is now."""
    head = conn.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first()
    seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    anchor = {
        "seq": seq,
        "hash": head_hash,
        "anchored_at": (now or utcnow()).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    anchor["signature"] = _signature(anchor, key)
    return anchor


def write(
    anchor: dict[str, Any], path: Path, storage: Storage | None = None, lock_days: int = 0
) -> str | None:
    """Append the anchor to ``path``; with an S3 storage also put it as an object (its key returned)."""
    line = json.dumps(anchor, sort_keys=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
    from vendorguard.storage.s3 import S3Storage

    if not isinstance(storage, S3Storage):
        return None
    stamp = anchor["anchored_at"].replace(":", "").replace("-", "")
    key = f"{OBJECT_PREFIX}{anchor['seq']:012d}-{stamp}.json"
    full = f"{storage.prefix}/{key}" if storage.prefix else key
    extra: dict[str, Any] = {}
    if lock_days > 0:
        extra = {
            "ObjectLockMode": "COMPLIANCE",
            "ObjectLockRetainUntilDate": utcnow() + timedelta(days=lock_days),
        }
    storage.client.put_object(
        Bucket=storage.bucket,
        Key=full,
        Body=io.BytesIO(line.encode()),
        ContentType="application/json",
        **extra,
    )
    return key


@dataclass(frozen=True)
class AnchorCheck:
    """How the chain compares with the last anchor; ``problem`` is None when it holds."""

    anchor: dict[str, Any] | None
    problem: str | None = None


def last(path: Path) -> object:
    """The last anchor written to ``path``, as parsed JSON (None when there is none)."""
    if not path.exists():
        return None
    found = None
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                found = line
    return json.loads(found) if found else None


def compare(conn: Connection, path: Path, key: bytes) -> AnchorCheck:
    """Check the last anchor's signature, and that the chain still holds its row with its hash."""
    try:
        anchor = last(path)
    except (OSError, ValueError) as error:
        return AnchorCheck(None, f"the anchor file cannot be read: {error}")
    if anchor is None:
        return AnchorCheck(None)
    if not isinstance(anchor, dict) or any(name not in anchor for name in (*_SIGNED, "signature")):
        return AnchorCheck(None, "the last anchor is incomplete")
    if not hmac.compare_digest(str(anchor["signature"]), _signature(anchor, key)):
        return AnchorCheck(
            anchor, "the last anchor's signature does not match (altered, or another key)"
        )
    seq = int(anchor["seq"])
    if seq == 0:
        return AnchorCheck(anchor)
    row_hash = conn.execute(select(AuditEvent.hash).where(AuditEvent.seq == seq)).scalar()
    if row_hash is None:
        return AnchorCheck(anchor, f"seq {seq}, anchored {anchor['anchored_at']}, is gone")
    if row_hash != anchor["hash"]:
        return AnchorCheck(
            anchor, f"seq {seq} no longer has the hash anchored {anchor['anchored_at']}"
        )
    return AnchorCheck(anchor)
