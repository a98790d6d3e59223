"""Settings for vendorguard, read only from ``VENDORGUARD_*`` environment variables.

Nothing here runs at import time: :func:`load_config` is called by ``create_app`` with the
instance folder, so tests and commands can point the app anywhere.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

PREFIX = "VENDORGUARD_"


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str | None, default: int) -> int:
    if value is None or value.strip() == "":
        return default
    return int(value)


def _secret_key(instance_path: Path) -> str:
    """Return the configured key, or one generated once and kept in the instance folder."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two workers starting together must not write different keys.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def load_config(
    instance_path: str | os.PathLike[str], env: Mapping[str, str] | None = None
) -> dict:
    """Build the Flask configuration mapping from the environment."""
    env = os.environ if env is None else env
    instance = Path(instance_path)

    def get(name: str, default: str | None = None) -> str | None:
        value = env.get(PREFIX + name)
        return default if value is None or value == "" else value

    database_url = get("DATABASE_URL") or f"sqlite:///{instance / 'vendorguard.db'}"
    storage_url = get("STORAGE_URL") or (instance / "evidence").resolve().as_uri()
    secret_key = get("SECRET_KEY") or _secret_key(instance)
    secure_cookies = _bool(get("SECURE_COOKIES"), False)

    return {
        "SECRET_KEY": secret_key,
        # Audit chain: the HMAC key (else instance/audit_key, made once) and where anchors go.
        "AUDIT_KEY": get("AUDIT_KEY", ""),
        "AUDIT_ANCHOR_FILE": get("AUDIT_ANCHOR_FILE", ""),
        "AUDIT_ANCHOR_LOCK_DAYS": _int(get("AUDIT_ANCHOR_LOCK_DAYS"), 0),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "STORAGE_URL": storage_url,
        "BABEL_DEFAULT_LOCALE": get("DEFAULT_LOCALE", "ja"),
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",  # a Japanese municipality: not configurable
        "LANGUAGES": ("ja", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_NAME": "vendorguard_session",
        "PERMANENT_SESSION_LIFETIME": _int(get("SESSION_HOURS"), 8) * 3600,
        # A session ends after this long without a request, and this long after sign-in.
        "SESSION_IDLE_MINUTES": _int(get("SESSION_IDLE_MINUTES"), 60),
        "SESSION_MAX_HOURS": _int(get("SESSION_MAX_HOURS"), _int(get("SESSION_HOURS"), 8)),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": _int(get("MAX_UPLOAD_MB"), 100) * 1024 * 1024,
        # Evidence uploads: per-file limit (upload views allow EVIDENCE_MAX_FILES such files in one
        # request), and the bounds for ZIP archives and the ZIP container of Office files.
        "MAX_UPLOAD_MB": _int(get("MAX_UPLOAD_MB"), 100),
        "EVIDENCE_MAX_FILES": _int(get("EVIDENCE_MAX_FILES"), 10),
        "EVIDENCE_ZIP_MAX_EXPANDED": _int(get("EVIDENCE_ZIP_MAX_EXPANDED_MB"), 500) * 1024 * 1024,
        "EVIDENCE_ZIP_MAX_MEMBERS": _int(get("EVIDENCE_ZIP_MAX_MEMBERS"), 1000),
        "EVIDENCE_ZIP_MAX_RATIO": _int(get("EVIDENCE_ZIP_MAX_RATIO"), 100),
        "PAGE_SIZE": _int(get("PAGE_SIZE"), 25),
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": _int(get("LOGIN_MAX_FAILURES_PER_ACCOUNT"), 5),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": _int(get("LOGIN_MAX_FAILURES_PER_ADDRESS"), 20),
        "LOGIN_LOCKOUT_MINUTES": _int(get("LOGIN_LOCKOUT_MINUTES"), 15),
        "LOGIN_FAILURE_RETENTION_DAYS": _int(get("LOGIN_FAILURE_RETENTION_DAYS"), 30),
        "BASE_URL": get("BASE_URL", "http://127.0.0.1:5000"),
        # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0 = none).
        "PROXY_COUNT": _int(get("PROXY_COUNT"), 0),
        "CITY_NAME": get("CITY_NAME", "豊岡市"),  # the ordering party named in documents
        # E-mail: with no host, messages are written to the log (the embedded default).
        "MAIL_HOST": get("MAIL_HOST", ""),
        "MAIL_PORT": _int(get("MAIL_PORT"), 25),
        "MAIL_SECURITY": get("MAIL_SECURITY", "none"),  # none | starttls | ssl
        "MAIL_USERNAME": get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": get("MAIL_PASSWORD", ""),
        "MAIL_SENDER": get("MAIL_SENDER", "vendorguard@localhost"),
        "MAIL_TIMEOUT": _int(get("MAIL_TIMEOUT"), 30),
        # The published ISMAP list (xlsx or csv) that "vg ismap-import" and the admin page fetch.
        "ISMAP_LIST_URL": get("ISMAP_LIST_URL", ""),
        "ISMAP_DOWNLOAD_TIMEOUT": _int(
            get("ISMAP_DOWNLOAD_TIMEOUT"), 30
        ),  # seconds, whole download
        "ISMAP_MAX_BYTES": _int(get("ISMAP_MAX_BYTES"), 20 * 1024 * 1024),
        # How long a cloud service's use approval runs by default (the approver may change the date).
        "CLOUD_APPROVAL_MONTHS": _int(get("CLOUD_APPROVAL_MONTHS"), 12),
        # S3-compatible storage (used when STORAGE_URL is s3://bucket/prefix); credentials come
        # from boto3's own chain (AWS_* variables, shared files, instance role).
        "S3_ENDPOINT_URL": get("S3_ENDPOINT_URL"),
        "S3_REGION": get("S3_REGION"),
        "S3_SSE": get("S3_SSE"),  # AES256 or aws:kms
        "S3_KMS_KEY_ID": get("S3_KMS_KEY_ID"),
        "S3_ADDRESSING_STYLE": get(
            "S3_ADDRESSING_STYLE", "auto"
        ),  # path for many S3-compatible stores
        "S3_MAX_ATTEMPTS": _int(get("S3_MAX_ATTEMPTS"), 3),
        # Word templates for generated documents: this folder first, then the built-in contract_templates/.
        "CONTRACT_TEMPLATES_DIR": get("CONTRACT_TEMPLATES_DIR"),
        # Social-media accounts: months between the owners' attestations, and the public list page.
        "SNS_ATTESTATION_MONTHS": _int(get("SNS_ATTESTATION_MONTHS"), 6),
        "PUBLIC_ACCOUNTS_PAGE": _bool(get("PUBLIC_ACCOUNTS_PAGE"), True),
        # Bulk appendix generation (no job queue: a background thread in the web process).
        "BULK_SYNC": _bool(
            get("BULK_SYNC"), False
        ),  # run in the request instead (tests, debugging)
        "BULK_PROGRESS_EVERY": _int(
            get("BULK_PROGRESS_EVERY"), 5
        ),  # write progress every N documents
        "BULK_MAX_DOCUMENTS": _int(get("BULK_MAX_DOCUMENTS"), 1000),  # per job
        "BULK_STALL_SECONDS": _int(
            get("BULK_STALL_SECONDS"), 600
        ),  # no progress this long: interrupted
        # Contractor portal: how long an invitation's set-password link stays valid.
        "PORTAL_INVITATION_DAYS": _int(get("PORTAL_INVITATION_DAYS"), 7),
        # Reminders ("vg remind"): retries with exponential backoff (base, 2×, 4× … at most 6 h), then
        # give up; a claimed row whose sender died is taken again after the lease.
        "REMINDER_MAX_ATTEMPTS": _int(get("REMINDER_MAX_ATTEMPTS"), 8),
        "REMINDER_RETRY_BASE_SECONDS": _int(get("REMINDER_RETRY_BASE_SECONDS"), 300),
        "REMINDER_LEASE_SECONDS": _int(get("REMINDER_LEASE_SECONDS"), 600),
        "REMINDER_BATCH_SIZE": _int(get("REMINDER_BATCH_SIZE"), 50),
        # Chat webhook for reminders: JSON POST signed with X-Vendorguard-Signature: sha256=<HMAC>.
        "WEBHOOK_URL": get("WEBHOOK_URL", ""),
        "WEBHOOK_SECRET": get("WEBHOOK_SECRET", ""),
        "WEBHOOK_TIMEOUT": _int(get("WEBHOOK_TIMEOUT"), 10),  # seconds
    }
