"""The local directory backend and choosing a backend from the storage URL."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from config import load_config
from vendorguard.storage import (
    StorageError,
    StorageNotFound,
    StorageTooLarge,
    get_storage,
    new_key,
    storage_from_url,
)
from vendorguard.storage.base import CHUNK_SIZE
from vendorguard.storage.local import LocalStorage
from vendorguard.storage.s3 import S3Storage


class Trickle(io.RawIOBase):
    """A non-seekable stream that records how much each read asked for."""

    def __init__(self, data: bytes, fail_after: int | None = None):
        self._data, self._pos, self._fail_after = data, 0, fail_after
        self.requests: list[int] = []

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.requests.append(size)
        if self._fail_after is not None and self._pos >= self._fail_after:
            raise OSError("connection reset by peer")
        size = len(self._data) - self._pos if size is None or size < 0 else size
        chunk = self._data[self._pos : self._pos + size]
        self._pos += len(chunk)
        return chunk


@pytest.fixture
def storage(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path / "store")


def files_under(path) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(d, f), path) for d, _, fs in os.walk(path) for f in fs
    )


def test_put_streams_in_chunks_and_records_sha256_and_size(storage):
    data = os.urandom(CHUNK_SIZE * 2 + 123)
    source = Trickle(data)
    key = new_key("documents")
    stored = storage.put(key, source)
    assert stored.key == key
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert max(source.requests) <= CHUNK_SIZE and len(source.requests) >= 3
    assert storage.exists(key)
    assert storage.read_bytes(key) == data
    assert b"".join(storage.iter_chunks(key, 1000)) == data
    assert [o.key for o in storage.iter_objects()] == [key]
    assert [o.key for o in storage.iter_objects("evidence/")] == []


def test_keys_are_generated_from_uuids_never_from_names():
    first, second = new_key("evidence"), new_key("evidence")
    assert first != second
    namespace, year, month, name = first.split("/")
    assert namespace == "evidence" and len(year) == 4 and len(month) == 2
    assert len(name) == 32 and int(name, 16) >= 0


@pytest.mark.parametrize(
    "key",
    [
        "../escape",
        "/etc/passwd",
        "a/../../b",
        "a\\b",
        "",
        "a//b",
        "a/./b",
        "nul\x00byte",
        "documents/契約書.docx",
        ".hidden/x",
        "a/",
    ],
)
def test_unsafe_keys_are_refused_and_nothing_is_written(storage, key):
    with pytest.raises(ValueError):
        storage.put(key, io.BytesIO(b"x"))
    with pytest.raises(ValueError):
        storage.open(key)
    assert not storage.root.exists() or files_under(storage.root) == []


def test_a_symlink_inside_the_root_cannot_lead_outside(storage, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    storage.root.mkdir(parents=True)
    (storage.root / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError):
        storage.put("link/file", io.BytesIO(b"secret"))
    assert list(outside.iterdir()) == []


def test_too_large_is_refused_while_streaming_and_leaves_nothing(storage):
    source = Trickle(b"x" * (CHUNK_SIZE * 3))
    with pytest.raises(StorageTooLarge) as caught:
        storage.put(new_key("evidence"), source, max_bytes=CHUNK_SIZE + 10)
    assert "MB" in caught.value.message and "大きすぎます" in caught.value.message
    # It stopped reading soon after the limit instead of swallowing the whole stream.
    assert len(source.requests) <= 2
    assert files_under(storage.root) == []


def test_exactly_the_limit_is_accepted(storage):
    stored = storage.put(new_key("evidence"), io.BytesIO(b"y" * 100), max_bytes=100)
    assert stored.size == 100


def test_a_failing_source_leaves_no_file_and_no_temporary(storage):
    with pytest.raises(OSError):
        storage.put(new_key("evidence"), Trickle(b"z" * (CHUNK_SIZE * 2), fail_after=CHUNK_SIZE))
    assert files_under(storage.root) == []


def test_unwritable_root_becomes_a_storage_error(tmp_path):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    with pytest.raises(StorageError) as caught:
        LocalStorage(blocker).put(new_key("documents"), io.BytesIO(b"data"))
    assert "書き込めませんでした" in caught.value.message


def test_open_missing_and_delete(storage):
    key = new_key("documents")
    with pytest.raises(StorageNotFound):
        storage.open(key)
    storage.put(key, io.BytesIO(b"abc"))
    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)  # deleting again is not an error


def test_listing_skips_writes_in_progress(storage):
    key = new_key("documents")
    storage.put(key, io.BytesIO(b"abc"))
    directory = storage.root.joinpath(*key.split("/")[:-1])
    (directory / ".tmp-half-written").write_bytes(b"partial")
    assert [info.key for info in storage.iter_objects()] == [key]
    info = next(storage.iter_objects())
    assert info.size == 3 and info.modified_at.tzinfo is not None


def test_url_chooses_the_backend(tmp_path):
    local = storage_from_url((tmp_path / "ev").as_uri())
    assert isinstance(local, LocalStorage) and local.root == (tmp_path / "ev").resolve()
    s3 = storage_from_url(
        "s3://city-bucket/vendorguard/prod",
        {"S3_REGION": "ap-northeast-1", "S3_SSE": "aws:kms", "S3_KMS_KEY_ID": "key-1"},
    )
    assert isinstance(s3, S3Storage)
    assert (s3.bucket, s3.prefix) == ("city-bucket", "vendorguard/prod")
    assert s3.client.meta.region_name == "ap-northeast-1"
    assert s3._extra == {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "key-1"}
    for bad in (
        "file:relative/path",
        "file://otherhost/x",
        "ftp://host/x",
        "s3:///no-bucket",
        "evidence",
    ):
        with pytest.raises(ValueError):
            storage_from_url(bad)


def test_default_storage_is_instance_evidence(tmp_path):
    config = load_config(tmp_path, env={"VENDORGUARD_SECRET_KEY": "k"})
    storage = storage_from_url(config["STORAGE_URL"])
    assert isinstance(storage, LocalStorage)
    assert storage.root == (tmp_path / "evidence").resolve()
    env = {
        "VENDORGUARD_SECRET_KEY": "k",
        "VENDORGUARD_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "VENDORGUARD_S3_SSE": "AES256",
        "VENDORGUARD_S3_REGION": "ap-northeast-1",
    }
    config = load_config(tmp_path, env=env)
    assert (config["S3_ENDPOINT_URL"], config["S3_SSE"], config["S3_REGION"]) == (
        "http://127.0.0.1:9000",
        "AES256",
        "ap-northeast-1",
    )
    assert config["S3_KMS_KEY_ID"] is None


def test_get_storage_is_built_once_per_url(app, tmp_path):
    first = get_storage(app)
    assert isinstance(first, LocalStorage)
    assert get_storage(app) is first
    app.config["STORAGE_URL"] = (tmp_path / "elsewhere").as_uri()
    second = get_storage(app)
    assert second is not first and second.root == (tmp_path / "elsewhere").resolve()
