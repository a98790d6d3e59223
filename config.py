"""Settings for vendorguard, read only from ``VENDORGUARD_*`` environment variables.

:class:`Settings` is the one place where every setting has its type and its default. Its fields
are named after the Flask config keys (``page_size`` ↔ ``app.config["PAGE_SIZE"]``); a field's
environment variable is ``VENDORGUARD_`` + the key unless its metadata names another (a few are
read in a unit: ``EVIDENCE_ZIP_MAX_EXPANDED_MB`` is kept in bytes).

Nothing here runs at import time: :func:`load_config` is called by ``create_app`` with the
instance folder, so tests and commands can point the app anywhere. The app's code reads the
settings through ``vendorguard.core.settings.current()``, built from the final ``app.config``.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

PREFIX = "VENDORGUARD_"
MB = 1024 * 1024


def _setting(default: Any, env: str | None = None, scale: int = 1, secret: bool = False) -> Any:
    """A settings field: its default, its variable name when not the key, the unit it is read in."""
    return field(default=default, repr=not secret, metadata={"env": env, "scale": scale})


@dataclass(frozen=True)
class Settings:
    """Every setting, typed, with its default (docs/configuration.md describes each)."""

    # Core. Empty secret, database and storage mean "derive from the instance folder".
    secret_key: str = _setting("", secret=True)
    sqlalchemy_database_uri: str = _setting("", env="DATABASE_URL", secret=True)
    storage_url: str = ""
    base_url: str = "http://127.0.0.1:5000"
    babel_default_locale: str = _setting("ja", env="DEFAULT_LOCALE")
    page_size: int = 25
    # Security and session.
    session_cookie_secure: bool = _setting(False, env="SECURE_COOKIES")
    permanent_session_lifetime: int = _setting(8 * 3600, env="SESSION_HOURS", scale=3600)
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_lockout_minutes: int = 15
    # Logins' failure records are deleted after this many days.
    login_failure_retention_days: int = 30
    # A session ends after this long without a request, and this long after sign-in.
    session_idle_minutes: int = 30  # ASVS 4.0.3 3.3.2 (L2): 30 minutes without a request
    session_max_hours: int = 8
    # Single sign-on: roles (comma-separated: admin,procurement,officer,sns_owner,auditor) that may
    # not sign in with a password and are sent to their OpenID provider instead; the timeout of
    # each request to a provider (discovery, token, JWKS).
    sso_only_roles: str = ""
    sso_http_timeout: float = 10  # seconds
    # Second factor (TOTP): the roles that must enrol, comma-separated role values, "*" for everyone,
    # empty for nobody; the issuer name shown in authenticator apps. Sensitive actions (user and
    # role changes, approvals) ask for the password (and code) again when the last authentication
    # is older than REAUTH_MINUTES.
    mfa_required_roles: str = "admin,procurement,auditor"
    mfa_issuer: str = "vendorguard"
    reauth_minutes: int = 15
    # REST API: requests one token may send per window (fixed window, counted in each process).
    api_rate_limit: int = 300
    api_rate_window_seconds: int = 60
    # Audit chain: the HMAC key (empty: instance/audit_key, made once), where signed heads are
    # appended (empty: instance/audit-anchors.jsonl), and the S3 object-lock days for anchors (0: none).
    audit_key: str = _setting("", secret=True)
    audit_anchor_file: str = ""
    audit_anchor_lock_days: int = 0
    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0 = none).
    proxy_count: int = 0
    # Where an instance's processes share the home pages they made (empty: instance/kept-pages).
    kept_pages_dir: str = ""
    # The home page's summaries (the chart by department, the auditor's register counts): counted
    # at most this many seconds apart for each statement (0: at every view).
    home_summary_max_age_seconds: int = 60
    # Evidence uploads: per-file limit (upload views allow EVIDENCE_MAX_FILES such files in one
    # request), and the bounds for ZIP archives and the ZIP container of Office files.
    max_upload_mb: int = 100
    evidence_max_files: int = 10
    evidence_zip_max_expanded: int = _setting(
        500 * MB, env="EVIDENCE_ZIP_MAX_EXPANDED_MB", scale=MB
    )
    evidence_zip_max_members: int = 1000
    evidence_zip_max_ratio: int = 100
    # E-mail: with no host, messages are written to the log (the embedded default).
    mail_host: str = ""
    mail_port: int = 25
    mail_security: str = "none"  # none | starttls | ssl
    mail_username: str = ""
    mail_password: str = _setting("", secret=True)
    mail_sender: str = "vendorguard@localhost"
    mail_timeout: float = 30  # seconds
    # The published ISMAP list (xlsx or csv) that "vg ismap-import" and the admin page fetch.
    ismap_list_url: str = ""
    ismap_download_timeout: float = 30  # seconds, whole download
    ismap_max_bytes: int = 20 * MB
    # How long a cloud service's use approval runs by default (the approver may change the date).
    cloud_approval_months: int = 12
    # S3-compatible storage (used when STORAGE_URL is s3://bucket/prefix); credentials come
    # from boto3's own chain (AWS_* variables, shared files, instance role).
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_sse: str | None = None  # AES256 or aws:kms
    s3_kms_key_id: str | None = None
    s3_addressing_style: str = "auto"  # path for many S3-compatible stores
    s3_max_attempts: int = 3
    # Word templates for generated documents: this folder first, then contract_templates/.
    contract_templates_dir: str | None = None
    # Social-media accounts: months between the owners' attestations, and the public list page.
    sns_attestation_months: int = 6
    public_accounts_page: bool = True
    # Bulk appendix generation (no job queue: a background thread in the web process).
    bulk_sync: bool = False  # run in the request instead (tests, debugging)
    bulk_progress_every: int = 5  # write progress every N documents
    bulk_max_documents: int = 1000  # per job
    bulk_stall_seconds: int = 600  # no progress this long: interrupted
    # Register imports (.xlsx / CSV): the kept file's lifetime between preview and apply, its size
    # limit, and whether the preview / apply runs in the request (tests) or in a background thread.
    import_keep_hours: int = 24
    import_max_mb: int = 50
    import_sync: bool = False
    # Contractor portal: how long an invitation's set-password link stays valid.
    portal_invitation_days: int = 7
    # Reminders ("vg remind"): retries with exponential backoff (base, 2×, 4× … at most 6 h),
    # then give up; a claimed row whose sender died is taken again after the lease.
    reminder_max_attempts: int = 8
    reminder_retry_base_seconds: int = 300
    reminder_lease_seconds: int = 600
    reminder_batch_size: int = 50
    # Chat webhook for reminders: JSON POST signed with X-Vendorguard-Signature: sha256=<HMAC>.
    webhook_url: str = ""
    webhook_secret: str = _setting("", secret=True)
    webhook_timeout: float = 10  # seconds
    # Background jobs (bulk documents, imports, scheduled runs): "thread" runs them in the app
    # process (the embedded default, SQLite, no other service); "procrastinate" queues them in
    # PostgreSQL for `vg jobs-worker` / `vg jobs-scheduler`; "inline" runs them at once (tests).
    # A worker silent this long is taken as dead and its jobs run again.
    job_engine: str = "thread"
    job_stalled_seconds: int = 30
    # The scheduled runs (reminders hourly, the evidence schedule, audit verification …) are
    # deferred by the workers; off where cron or systemd timers run the commands instead.
    job_schedule: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read every ``VENDORGUARD_*`` variable; unset or empty ones keep their default."""
        values = {}
        for spec in dataclasses.fields(cls):
            name = PREFIX + (spec.metadata.get("env") or spec.name.upper())
            raw = env.get(name)
            if raw is None or raw.strip() == "":
                continue
            scale = spec.metadata.get("scale", 1)
            value = _convert(_hints()[spec.name], raw.strip(), name)
            values[spec.name] = value * scale if scale != 1 else value
        return cls(**values)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """The settings a Flask config holds (``None`` or a missing key keeps the default)."""
        values = {}
        for spec in dataclasses.fields(cls):
            value = config.get(spec.name.upper())
            if value is None:
                continue
            if isinstance(value, timedelta):  # Flask accepts PERMANENT_SESSION_LIFETIME as one
                value = int(value.total_seconds())
            values[spec.name] = _convert(_hints()[spec.name], value, spec.name.upper())
        return cls(**values)

    def flask_config(self) -> dict[str, Any]:
        """The config entries these settings make, keyed as Flask and the app read them."""
        entries = {spec.name.upper(): getattr(self, spec.name) for spec in dataclasses.fields(self)}
        entries["REMEMBER_COOKIE_SECURE"] = self.session_cookie_secure
        # The whole request: other requests stay within one file's limit.
        entries["MAX_CONTENT_LENGTH"] = self.max_upload_mb * MB
        return entries


_HINTS: dict[str, Any] = {}


def _hints() -> dict[str, Any]:
    if not _HINTS:
        _HINTS.update(typing.get_type_hints(Settings))
    return _HINTS


def _convert(kind: Any, value: Any, name: str) -> Any:
    """``value`` (text from the environment, or a config value) as the field's type."""
    if kind is bool:
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "on"}
        return bool(value)
    if kind is int or kind is float:
        try:
            return kind(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a number, not {value!r}") from None
    return str(value)


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
) -> dict[str, Any]:
    """Build the Flask configuration mapping from the environment."""
    instance = Path(instance_path)
    settings = Settings.from_env(os.environ if env is None else env)
    settings = dataclasses.replace(
        settings,
        sqlalchemy_database_uri=settings.sqlalchemy_database_uri
        or f"sqlite:///{instance / 'vendorguard.db'}",
        storage_url=settings.storage_url or (instance / "evidence").resolve().as_uri(),
        secret_key=settings.secret_key or _secret_key(instance),
        kept_pages_dir=settings.kept_pages_dir or str(instance / "kept-pages"),
    )
    return {
        # No pool_pre_ping (a round trip per request): create_app has the pool replace a
        # connection whose server has gone by looking at its socket (core/connections.py).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",  # a Japanese municipality: not configurable
        "LANGUAGES": ("ja", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "vendorguard_session",
        # The cookie is sent again when the session changes, not on every response: a signed-in
        # user's "last seen" changes once a minute (auth/sessions.py), which keeps the cookie's
        # lifetime ahead of the idle timeout; signing it on every request cost ~5 % of a page.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": None,
        **settings.flask_config(),
    }
