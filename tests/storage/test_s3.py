"""The S3 backend against moto's server mode: real HTTP from boto3 to 127.0.0.1."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from vendorguard.storage import StorageError, StorageNotFound, StorageTooLarge, get_storage, new_key
from vendorguard.storage.s3 import PART_SIZE, S3Storage

MB = 1024 * 1024


def make_storage(moto_s3, bucket: str, prefix: str = "vendorguard", **options) -> S3Storage:
    return S3Storage(bucket, prefix, endpoint_url=moto_s3.endpoint, region="us-east-1", **options)


def bucket_sha256(moto_s3, bucket: str, full_key: str) -> str:
    body = moto_s3.client().get_object(Bucket=bucket, Key=full_key)["Body"].read()
    return hashlib.sha256(body).hexdigest()


def test_put_records_the_sha256_of_what_is_in_the_bucket(moto_s3, bucket):
    storage = make_storage(moto_s3, bucket)
    data = "情報セキュリティに関する特記事項".encode() * 1000
    key = new_key("documents")
    stored = storage.put(key, io.BytesIO(data))
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert bucket_sha256(moto_s3, bucket, f"vendorguard/{key}") == stored.sha256
    assert storage.exists(key)
    assert storage.read_bytes(key) == data
    assert [o.key for o in storage.iter_objects()] == [key]
    assert [o.key for o in storage.iter_objects("documents/")] == [key]
    assert [o.key for o in storage.iter_objects("evidence/")] == []


def test_large_files_go_up_in_parts_and_keep_their_hash(moto_s3, bucket):
    storage = make_storage(moto_s3, bucket)
    data = os.urandom(2 * PART_SIZE + 5 * MB)
    key = new_key("evidence")
    stored = storage.put(key, io.BytesIO(data))
    assert (
        stored.sha256
        == hashlib.sha256(data).hexdigest()
        == bucket_sha256(moto_s3, bucket, f"vendorguard/{key}")
    )
    head = moto_s3.client().head_object(Bucket=bucket, Key=f"vendorguard/{key}")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].strip('"').endswith("-3")  # a multipart upload of three parts


def test_too_large_stops_the_upload_and_leaves_no_object_or_part(moto_s3, bucket):
    storage = make_storage(moto_s3, bucket)
    with pytest.raises(StorageTooLarge):
        storage.put(
            new_key("evidence"), io.BytesIO(b"x" * (3 * PART_SIZE)), max_bytes=PART_SIZE + MB
        )
    client = moto_s3.client()
    assert client.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_server_side_encryption_is_requested(moto_s3, bucket):
    storage = make_storage(moto_s3, bucket, sse="AES256")
    key = new_key("documents")
    storage.put(key, io.BytesIO(b"secret terms"))
    head = moto_s3.client().head_object(Bucket=bucket, Key=f"vendorguard/{key}")
    assert head["ServerSideEncryption"] == "AES256"


def test_without_prefix_keys_are_stored_as_they_are(moto_s3, bucket):
    storage = make_storage(moto_s3, bucket, prefix="")
    key = new_key("documents")
    storage.put(key, io.BytesIO(b"abc"))
    assert moto_s3.client().get_object(Bucket=bucket, Key=key)["Body"].read() == b"abc"
    assert [o.key for o in storage.iter_objects()] == [key]


def test_missing_objects_and_delete(moto_s3, bucket):
    storage = make_storage(moto_s3, bucket)
    key = new_key("documents")
    assert not storage.exists(key)
    with pytest.raises(StorageNotFound):
        storage.open(key)
    storage.put(key, io.BytesIO(b"abc"))
    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)


def test_server_down_is_a_storage_error_and_recovery_works(moto_s3, bucket):
    storage = make_storage(moto_s3, bucket, max_attempts=1)
    kept = new_key("documents")
    storage.put(kept, io.BytesIO(b"before"))
    moto_s3.stop()
    for action in (
        lambda: storage.put(new_key("documents"), io.BytesIO(b"during")),
        lambda: storage.open(kept),
        lambda: storage.exists(kept),
        lambda: [o.key for o in storage.iter_objects()],
        lambda: storage.delete(kept),
    ):
        with pytest.raises(StorageError) as caught:
            action()
        assert not isinstance(caught.value, (StorageNotFound, StorageTooLarge))
        assert "接続できませんでした" in caught.value.message
    moto_s3.start()  # same port: moto kept the bucket in this process
    after = new_key("documents")
    storage.put(after, io.BytesIO(b"after"))
    assert storage.read_bytes(kept) == b"before" and storage.read_bytes(after) == b"after"


def test_get_storage_reads_the_s3_settings(app, moto_s3, bucket):
    app.config.update(
        STORAGE_URL=f"s3://{bucket}/city",
        S3_ENDPOINT_URL=moto_s3.endpoint,
        S3_REGION="us-east-1",
        S3_SSE="AES256",
    )
    storage = get_storage(app)
    assert isinstance(storage, S3Storage) and storage.prefix == "city"
    key = new_key("documents")
    stored = storage.put(key, io.BytesIO(b"from config"))
    assert bucket_sha256(moto_s3, bucket, f"city/{key}") == stored.sha256
