"""Importing the ISMAP lists, downloading them, and linking a cloud service to its registration."""

from __future__ import annotations

import hashlib
import time
from datetime import date
from urllib.parse import urlsplit

import requests
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vendorguard.auth.models import User
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.ismap import parsing
from vendorguard.ismap.matching import valid_until_from_audit_end
from vendorguard.ismap.models import ImportStatus, IsmapImport, IsmapKind, IsmapRegistration

MAX_WARNINGS = 200
_CONTENT = (
    "list_kind",
    "service_name",
    "provider_name",
    "registered_on",
    "audit_period_end",
    "valid_until",
    "valid_until_computed",
    "renewal_pending",
    "remarks",
)


def _start(
    session: Session, list_kind: IsmapKind, source: str, actor: User | str | None
) -> IsmapImport:
    record = IsmapImport(
        list_kind=IsmapKind(list_kind),
        source=source[:500],
        started_at=utcnow(),
        status=ImportStatus.FAILED,
    )
    if isinstance(actor, User):
        record.imported_by_id, record.actor_label = actor.id, actor.email
    else:
        record.actor_label = (actor or "system")[:254]
    session.add(record)
    return record


def _fail(session: Session, record: IsmapImport, message: str) -> IsmapImport:
    record.status, record.error, record.finished_at = ImportStatus.FAILED, message, utcnow()
    session.flush()
    return record


def _values(row: parsing.ListRow, list_kind: IsmapKind) -> dict:
    valid_until, computed = row.valid_until, False
    if valid_until is None and row.audit_period_end is not None:
        valid_until, computed = valid_until_from_audit_end(row.audit_period_end), True
    return {
        "list_kind": list_kind,
        "service_name": row.service_name,
        "provider_name": row.provider_name,
        "registered_on": row.registered_on,
        "audit_period_end": row.audit_period_end,
        "valid_until": valid_until,
        "valid_until_computed": computed,
        "renewal_pending": row.renewal_pending,
        "remarks": row.remarks,
    }


def _apply(registration: IsmapRegistration, values: dict) -> bool:
    """Set only what differs, so an unchanged registration stays clean (no audit event)."""
    changed = False
    for key in _CONTENT:
        if getattr(registration, key) != values[key]:
            setattr(registration, key, values[key])
            changed = True
    return changed


def _warnings_text(warnings: list[str]) -> str:
    shown = warnings[:MAX_WARNINGS]
    if len(warnings) > MAX_WARNINGS:
        shown.append(_("ほか%(count)d件の警告を省略しました。", count=len(warnings) - MAX_WARNINGS))
    return "\n".join(shown)


def _other_list_share(
    parsed: parsing.ParsedList, existing: dict[str, IsmapRegistration], list_kind: IsmapKind
) -> IsmapKind | None:
    """The other list, when most of the file's numbers are already on it: the wrong kind was chosen,
    and importing would mark the whole right list as having left it."""
    others = [
        existing[row.registration_number].list_kind
        for row in parsed.rows
        if row.registration_number in existing
        and existing[row.registration_number].list_kind != list_kind
    ]
    if others and len(others) * 2 > len(parsed.rows):
        return IsmapKind(others[0])
    return None


def import_file(
    session: Session,
    data: bytes,
    filename: str,
    list_kind: IsmapKind | str,
    actor: User | str | None = None,
    today: date | None = None,
    validity_column: str | None = None,
    validity_kind: str = "audit_period",
) -> IsmapImport:
    """Read a list file and bring the registrations of ``list_kind`` in line with it.

    Always returns the import's history row (flushed, not committed). When the file cannot be used
    the row says ``failed`` with the reason, and no registration is touched. When only the column
    that decides validity is missing, the row also carries ``header_choices`` (not stored): the
    header texts a person may pick it from (``validity_column``).
    """
    list_kind = IsmapKind(list_kind)
    record = _start(session, list_kind, filename, actor)
    record.sha256 = hashlib.sha256(data).hexdigest()
    record.header_choices = []
    try:
        parsed = parsing.parse_list(data, filename, validity_column, validity_kind)
    except parsing.ValidityColumnMissing as error:
        record.header_choices = error.header
        return _fail(session, record, error.message)
    except DomainError as error:
        return _fail(session, record, error.message)
    session.flush()  # the registrations refer to this import by id

    today = today or today_tokyo()
    existing = {r.registration_number: r for r in session.scalars(select(IsmapRegistration))}
    other = _other_list_share(parsed, existing, list_kind)
    if other is not None:
        return _fail(
            session,
            record,
            _(
                "このファイルの登録番号の多くは %(other)s の一覧に載っているものです。一覧の種類（%(kind)s）が正しいか確認してください。",
                other=other.label,
                kind=list_kind.label,
            ),
        )
    present: set[str] = set()
    for row in parsed.rows:
        number = row.registration_number
        present.add(number)
        values = _values(row, list_kind)
        registration = existing.get(number)
        if registration is None:
            registration = IsmapRegistration(
                registration_number=number,
                first_seen_import_id=record.id,
                last_seen_import_id=record.id,
                **values,
            )
            session.add(registration)
            existing[number] = registration
            record.created += 1
            continue
        changed = _apply(registration, values)
        if registration.left_list_on is not None:
            registration.left_list_on = None
            record.returned += 1
        elif changed:
            record.updated += 1
    for number, registration in existing.items():
        if (
            registration.list_kind == list_kind
            and number not in present
            and registration.left_list_on is None
        ):
            registration.left_list_on = today
            record.left_list += 1
    session.flush()
    # "Seen in this import" is bookkeeping, not a change to the registration: a bulk UPDATE keeps an
    # unchanged list from writing one audit event per registration on every import.
    session.execute(
        update(IsmapRegistration)
        .where(IsmapRegistration.list_kind == list_kind, IsmapRegistration.left_list_on.is_(None))
        # updated_at kept as it is: its onupdate would otherwise fire for every row
        .values(last_seen_import_id=record.id, updated_at=IsmapRegistration.updated_at)
        .execution_options(synchronize_session="fetch")
    )
    record.rows_read = len(parsed.rows)
    record.warnings = _warnings_text(parsed.warnings)
    record.status, record.finished_at = ImportStatus.OK, utcnow()
    session.flush()
    return record


def download(url: str, timeout: float, max_bytes: int) -> bytes:
    """Fetch a list over http(s): streamed, at most ``max_bytes``, within ``timeout`` seconds in all."""
    url = (url or "").strip()
    if urlsplit(url).scheme.lower() not in ("http", "https") or not urlsplit(url).netloc:
        raise DomainError(
            _("URL は http:// または https:// で始まる形で指定してください。"), field="url"
        )
    limit_mb = f"{max_bytes / 1024 / 1024:g}"
    too_large = DomainError(_("ファイルが大きすぎます（上限 %(limit)s MB）。", limit=limit_mb))
    timed_out = DomainError(
        _(
            "%(url)s からの取得が時間切れになりました（%(seconds)s秒）。",
            url=url,
            seconds=f"{timeout:g}",
        )
    )
    deadline = time.monotonic() + timeout
    try:
        with requests.get(
            url, stream=True, timeout=timeout, headers={"User-Agent": "vendorguard-ismap-import"}
        ) as response:
            if response.status_code >= 400:
                raise DomainError(
                    _(
                        "%(url)s からの取得に失敗しました（HTTP %(status)d %(reason)s）。",
                        url=url,
                        status=response.status_code,
                        reason=response.reason or "",
                    )
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise too_large
            chunks, size = [], 0
            for chunk in response.iter_content(chunk_size=64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise too_large
                if (
                    time.monotonic() > deadline
                ):  # a server trickling bytes never trips the socket timeout
                    raise timed_out
                chunks.append(chunk)
    except requests.Timeout as error:
        raise timed_out from error
    except requests.exceptions.SSLError as error:
        raise DomainError(_("%(url)s のサーバー証明書を検証できませんでした。", url=url)) from error
    except requests.ConnectionError as error:
        raise DomainError(
            _(
                "%(url)s に接続できませんでした（接続が拒否されたか、サーバーが見つかりません）。",
                url=url,
            )
        ) from error
    except requests.RequestException as error:
        raise DomainError(
            _(
                "%(url)s からの取得に失敗しました（%(reason)s）。",
                url=url,
                reason=type(error).__name__,
            )
        ) from error
    return b"".join(chunks)


def import_url(
    session: Session,
    url: str,
    list_kind: IsmapKind | str,
    actor: User | str | None,
    timeout: float,
    max_bytes: int,
    today: date | None = None,
) -> IsmapImport:
    """Download a list and import it; a failed download is recorded in the history as well."""
    try:
        data = download(url, timeout, max_bytes)
    except DomainError as error:
        return _fail(session, _start(session, IsmapKind(list_kind), url, actor), error.message)
    return import_file(session, data, url, list_kind, actor, today=today)
