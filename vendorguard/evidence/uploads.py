"""Receiving uploaded files: the multipart body is parsed as a stream, straight into the storage.

``request.files`` is never used: Werkzeug would first spool every part to a temporary file. Here
``werkzeug.sansio.multipart.MultipartDecoder`` is fed from ``request.stream`` on demand (the
streaming parser is :mod:`.multipart`), and each file part is handed to ``Storage.put`` as a
file-like object that pulls the next bytes from the decoder. Memory holds one read (1 MiB) plus what the backend buffers (S3: a few 5 MiB parts).

Checks: the first 8 KiB decide the type (:mod:`.filecheck`) before anything is stored; text is
validated while it streams; ZIP containers (.zip, .docx/.xlsx/.pptx) need their central directory,
which is at the end, so they are spooled to an anonymous temporary file (bounded by ``max_bytes``),
checked whole, and only then stored: a refused file never reaches the storage. The size limit
is enforced while streaming. On any refusal or storage failure the objects already stored for
the request are deleted and :class:`UploadRefused` is raised, so the caller records nothing.

Views that call :func:`receive_files` must be exempt from CSRFProtect's automatic check (which
reads ``request.form`` and would spool the whole body first)::

    from vendorguard.extensions import csrf

    @bp.post("/requests/<int:request_id>/upload")
    @csrf.exempt
    @require("evidence.submit")
    def upload(request_id):
        try:
            received = uploads.receive_files(request, get_storage(), uploads.max_upload_bytes())
        except uploads.UploadRefused as error:
            ...show error.message, nothing was stored...
        form = SubmissionForm(formdata=received.fields)   # comment etc.; csrf already checked
        try:
            services.submit(db.session, ..., files=received.files)
            db.session.commit()
        except Exception:
            db.session.rollback()
            uploads.discard(get_storage(), received.files)
            raise

The CSRF token (field ``csrf_token`` or the X-CSRFToken header) is validated by receive_files
itself as soon as it is seen (put ``{{ form.csrf_token }}`` before the file inputs); a request
without a valid token gets CSRFError, the same 400 page as everywhere else, with nothing stored.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import Request, current_app
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.sansio.multipart import Epilogue, Field, File, Preamble
from wtforms import ValidationError

from config import Settings
from vendorguard.core import settings
from vendorguard.core.errors import DomainError
from vendorguard.evidence import filecheck
from vendorguard.evidence.multipart import (
    MB,
    READ_SIZE,
    MalformedBody,
    PartReader,
    Parts,
)
from vendorguard.storage.base import (
    Storage,
    StorageError,
    StorageTooLarge,
    new_key,
    too_large_error,
)

log = logging.getLogger(__name__)

_DRAIN_LIMIT = (
    2048 * MB
)  # after a refusal, read (and drop) at most this much so the browser sees the answer
_FORM_OVERHEAD = MB  # headers and text fields on top of the files


class UploadRefused(DomainError):
    """Nothing was stored (or it was removed again); ``message`` says why, for the user."""


@dataclass(frozen=True)
class StoredFile:
    """One file now in the storage; the fields match EvidenceFile's columns."""

    original_filename: str
    storage_key: str
    sha256: str
    size: int
    content_type: str


@dataclass
class ReceivedUpload:
    """The stored files (in form order) and the other form fields (comment, csrf_token …)."""

    files: list[StoredFile] = field(default_factory=list)
    fields: MultiDict = field(default_factory=MultiDict)


def max_upload_bytes(config=None) -> int:
    """The per-file limit from MAX_UPLOAD_MB (default 100)."""
    config = config if config is not None else current_app.config
    return Settings.from_config(config).max_upload_mb * MB


def receive_files(
    request: Request,
    storage: Storage,
    max_bytes: int | None = None,
    *,
    namespace: str = "evidence",
    max_files: int | None = None,
    require_files: bool = True,
    csrf: bool = True,
    file_field: str | None = None,
) -> ReceivedUpload:
    """Stream every file part of a multipart request into ``storage``; see the module docstring.

    ``max_bytes`` bounds each file (default MAX_UPLOAD_MB), ``max_files`` their number (default
    EVIDENCE_MAX_FILES). With ``require_files`` a request without any file is refused;
    ``file_field`` names the form field errors belong to (default: the file part's own name).
    """
    config = current_app.config
    max_bytes = max_bytes if max_bytes is not None else max_upload_bytes(config)
    max_files = max_files or settings.for_app(current_app).evidence_max_files
    if "form" in request.__dict__ or "files" in request.__dict__:
        raise RuntimeError(
            "request.form was read before receive_files: mark the view @csrf.exempt "
            "and do not touch request.form / request.files in upload views"
        )
    boundary = request.mimetype_params.get("boundary", "").encode("latin-1", "replace")
    if request.mimetype != "multipart/form-data" or not boundary:
        raise UploadRefused(
            _("ファイルを受け取れませんでした。ページを開き直してもう一度送信してください。"),
            field=file_field,
        )
    # The app-wide MAX_CONTENT_LENGTH guards every other request; an upload may carry several files.
    request.max_content_length = max_files * max_bytes + _FORM_OVERHEAD
    if request.content_length is not None and request.content_length > request.max_content_length:
        raise UploadRefused(too_large_error(max_bytes).message, field=file_field)

    check_csrf = csrf and config.get("WTF_CSRF_ENABLED", True)
    try:
        receiver = _Receiver(
            request, boundary, storage, max_bytes, max_files, namespace, file_field, check_csrf
        )
    except RequestEntityTooLarge as error:
        raise UploadRefused(too_large_error(max_bytes).message, field=file_field) from error
    try:
        receiver.run()
        if check_csrf and not receiver.csrf_checked:
            validate_csrf_token(None)
        if require_files and not receiver.received.files:
            raise UploadRefused(
                _("ファイルを選んでください。"), field=file_field or receiver.last_file_field
            )
    except BaseException as error:
        discard(storage, receiver.received.files)
        if not isinstance(error, Exception):
            raise
        receiver.drain_after_refusal()
        if isinstance(error, (UploadRefused, CSRFError)):
            raise
        if isinstance(error, (filecheck.FileRefused, StorageTooLarge)):
            raise UploadRefused(
                receiver.named(error.message), field=receiver.current_field
            ) from error
        if isinstance(error, StorageError):
            raise UploadRefused(error.message, field=receiver.current_field) from error
        if isinstance(error, RequestEntityTooLarge):
            raise UploadRefused(
                too_large_error(max_bytes).message, field=receiver.current_field
            ) from error
        if isinstance(error, ClientDisconnected):
            raise UploadRefused(
                _("送信が途中で途切れました。もう一度送信してください。")
            ) from error
        if isinstance(error, MalformedBody):
            raise UploadRefused(
                _("送信内容を読み取れませんでした。ページを開き直してもう一度送信してください。")
            ) from error
        raise
    return receiver.received


def validate_csrf_token(token: str | None) -> None:
    """Check a CSRF token taken from a streamed form; raise CSRFError (the app's 400 page) if bad."""
    try:
        validate_csrf(token)
    except ValidationError as error:
        raise CSRFError(error.args[0]) from error


def discard(storage: Storage, stored_files: Iterable[StoredFile]) -> None:
    """Delete stored objects again (e.g. when the database write fails afterwards).

    A failure here is logged, not raised: the caller is already handling an error, and an object
    left behind has no row, so ``vg storage-check --remove-orphans`` finds and removes it.
    """
    for stored in stored_files:
        try:
            storage.delete(stored.storage_key)
        except (StorageError, OSError):
            log.warning(
                "could not delete %s after a failed upload; storage-check will report it",
                stored.storage_key,
                exc_info=True,
            )


class _Receiver:
    """One request's parse: fields are collected, file parts streamed to the storage."""

    def __init__(
        self,
        request: Request,
        boundary: bytes,
        storage: Storage,
        max_bytes: int,
        max_files: int,
        namespace: str,
        file_field: str | None,
        check_csrf: bool,
    ):
        self.stream = request.stream  # the real object: S3 uploads read it from another thread
        self.storage, self.max_bytes, self.max_files = storage, max_bytes, max_files
        self.namespace, self.file_field, self.check_csrf = namespace, file_field, check_csrf
        self.received = ReceivedUpload()
        self.csrf_checked = False
        self.current_field: str | None = file_field
        self.last_file_field: str | None = None
        self.current_name: str | None = None
        self.field_limit = request.max_form_memory_size or 500_000
        self.parts = Parts(self.stream, boundary, request.max_form_parts)
        self.csrf_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        self.csrf_header = next(
            (
                request.headers[name]
                for name in current_app.config.get(
                    "WTF_CSRF_HEADERS", ("X-CSRFToken", "X-CSRF-Token")
                )
                if request.headers.get(name)
            ),
            None,
        )

    def run(self) -> None:
        if self.check_csrf and self.csrf_header:
            validate_csrf_token(self.csrf_header)
            self.csrf_checked = True
        while True:
            event = self.parts.next_event()
            if isinstance(event, Epilogue):
                return
            if isinstance(event, Preamble):
                continue
            if isinstance(event, File):
                self._file(event)
            elif isinstance(event, Field):
                self._field(event)
            else:
                raise MalformedBody(f"unexpected multipart event {event!r}")

    def _field(self, event: Field) -> None:
        value = self._read_field(self.field_limit)
        text = value.decode("utf-8", "replace")
        self.received.fields.add(event.name, text)
        if self.check_csrf and not self.csrf_checked and event.name.endswith(self.csrf_field):
            validate_csrf_token(text)
            self.csrf_checked = True

    def _read_field(self, limit: int) -> bytes:
        value = bytearray()
        while True:
            event = self.parts.next_data()
            value += event.data
            if len(value) > limit:
                raise UploadRefused(_("入力された文字が多すぎます。"))
            if not event.more_data:
                if b"\x00" in value:
                    raise UploadRefused(
                        _(
                            "入力に使えない文字（NUL）が含まれています。"
                            "入力内容を確認して、もう一度送信してください。"
                        )
                    )
                return bytes(value)

    def _file(self, event: File) -> None:
        self.current_field = self.file_field or event.name
        self.last_file_field = self.current_field
        self.current_name = None
        part = PartReader(self.parts)
        head = part.peek(filecheck.HEAD_SIZE)
        if not event.filename and not head:
            part.skip()  # a file input left empty
            return
        self.current_name = event.filename
        name = filecheck.clean_filename(event.filename)
        self.current_name = name
        if len(self.received.files) >= self.max_files:
            raise UploadRefused(
                _("一度に送信できるファイルは %(limit)s 個までです。", limit=self.max_files),
                field=self.current_field,
            )
        key = new_key(self.namespace)
        if filecheck.needs_whole_file(head):
            with _spool(part, self.max_bytes) as spooled:
                detected = filecheck.check(head, name, spooled)
                spooled.seek(0)
                stored = self.storage.put(key, spooled, max_bytes=self.max_bytes)
        else:
            detected = filecheck.check(head, name)
            stored = self.storage.put(
                key, filecheck.guard(detected, part), max_bytes=self.max_bytes
            )
        self.received.files.append(
            StoredFile(name, stored.key, stored.sha256, stored.size, detected.content_type)
        )
        self.current_name = None

    def named(self, message: str) -> str:
        """Prefix a refusal with the file's name when there is one."""
        if self.current_name:
            return _(
                "「%(name)s」：%(reason)s",
                name=self.current_name.replace("\x00", ""),
                reason=message,
            )
        return message

    def drain_after_refusal(self) -> None:
        """Read the rest of the body so the browser gets the answer, not a reset connection."""
        left = _DRAIN_LIMIT
        try:
            while left > 0 and (chunk := self.stream.read(min(READ_SIZE, left))):
                left -= len(chunk)
        except Exception:  # the client is gone or over the limit: nothing more to do
            pass


def _spool(part: PartReader, max_bytes: int):
    """The part copied to an anonymous temporary file (removed on close, even after a crash)."""
    handle = tempfile.TemporaryFile()
    try:
        size = 0
        while chunk := part.read(READ_SIZE):
            size += len(chunk)
            if size > max_bytes:
                raise too_large_error(max_bytes)
            handle.write(chunk)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle
