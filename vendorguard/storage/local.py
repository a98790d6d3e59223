"""Files in a local directory (the embedded default: ``instance/evidence``)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from flask_babel import gettext as _

from vendorguard.storage.base import (
    CHUNK_SIZE,
    HashingReader,
    ObjectInfo,
    Readable,
    Storage,
    StorageError,
    StorageNotFound,
    StoredObject,
    check_key,
)

_TEMP_PREFIX = ".tmp-"


class LocalStorage(Storage):
    """Objects are files under ``root``; a write goes to a temporary file first, then os.replace."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root).resolve()
        self.url = self.root.as_uri()

    def _path(self, key: str) -> Path:
        path = self.root.joinpath(*check_key(key).split("/"))
        # check_key already refuses "..", but a symlink planted inside root must not lead out.
        if not path.resolve().is_relative_to(self.root):
            raise ValueError(f"storage key leaves the storage root: {key!r}")
        return path

    def put(self, key: str, fileobj: Readable, max_bytes: int | None = None) -> StoredObject:
        """Stream to a temporary file in the target directory, fsync, then rename into place."""
        path = self._path(key)
        reader = HashingReader(fileobj, max_bytes)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=path.parent)
        except OSError as error:
            raise StorageError(
                _("ファイルの保存先に書き込めませんでした。管理者に連絡してください。")
            ) from error
        try:
            with os.fdopen(fd, "wb") as handle:
                # A failing source (client gone) raises as it is; only our own writes are
                # storage errors.
                while chunk := reader.read(CHUNK_SIZE):
                    _write(handle.write, chunk)
                _write(handle.flush)
                _write(os.fsync, handle.fileno())
            _write(os.replace, temp_name, path)
        except BaseException:
            _unlink(temp_name)
            raise
        return StoredObject(key, reader.size, reader.sha256)

    def open(self, key: str) -> BinaryIO:
        """The file opened for reading."""
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError as error:
            raise StorageNotFound(_("保存されたファイルが見つかりません。")) from error
        except OSError as error:
            raise StorageError(_("保存されたファイルを読み出せませんでした。")) from error

    def exists(self, key: str) -> bool:
        """Whether the file is there."""
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        """Remove the file (and nothing else: empty directories are harmless)."""
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as error:
            raise StorageError(_("保存されたファイルを削除できませんでした。")) from error

    def iter_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every finished file under the root (temporary files of writes in progress are skipped)."""
        if not self.root.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames.sort()
            for name in sorted(filenames):
                if name.startswith(_TEMP_PREFIX):
                    continue
                path = Path(dirpath, name)
                key = path.relative_to(self.root).as_posix()
                if not key.startswith(prefix):
                    continue
                stat = path.stat()
                yield ObjectInfo(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))


def _write(operation: Callable[..., object], *args: Any) -> None:
    try:
        operation(*args)
    except OSError as error:
        raise StorageError(
            _("ファイルを保存できませんでした（保存先の容量や権限を確認してください）。")
        ) from error


def _unlink(name: str) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass
