"""Objects in an S3-compatible bucket through boto3 (AWS S3, MinIO, and the like).

Credentials come from boto3's usual chain (environment, shared files, instance role), never from
vendorguard's configuration. Botocore 1.36+ sends CRC checksums by default; a store that refuses
them can be served by setting ``AWS_REQUEST_CHECKSUM_CALCULATION=when_required``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from flask_babel import gettext as _

from vendorguard.storage.base import (
    HashingReader,
    ObjectInfo,
    PendingUpload,
    Readable,
    Storage,
    StorageError,
    StorageNotFound,
    StorageTooLarge,
    StoredObject,
    check_key,
)

MB = 1024 * 1024
# 5 MiB parts (S3's smallest; 10,000 parts still allow 48 GiB), at most 4 in flight and 4 held
# in memory: the upload's memory is about six parts (the four, the one being read, the
# request's buffers), ~35 MiB for any size, while several connections stay busy. Throughput
# against moto's server was the same as with 8 MiB parts (docs/benchmarks.md).
PART_SIZE = 5 * MB
CONCURRENCY = 4


def _connection_error() -> StorageError:
    return StorageError(
        _(
            "ファイルの保存先（オブジェクトストレージ）に接続できませんでした。"
            "時間をおいて再度お試しいただき、解決しない場合は管理者に連絡してください。"
        )
    )


class S3Storage(Storage):
    """``s3://bucket/prefix``: keys are stored as ``prefix/key``."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        sse: str | None = None,
        kms_key_id: str | None = None,
        addressing_style: str | None = None,
        max_attempts: int = 3,
        client: Any = None,
    ):
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        if not bucket:
            raise ValueError("an S3 storage URL needs a bucket: s3://bucket/prefix")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self._extra: dict[str, str] = {}
        if sse:
            self._extra["ServerSideEncryption"] = sse
            if kms_key_id:
                self._extra["SSEKMSKeyId"] = kms_key_id
        config = Config(
            retries={"max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
            s3={"addressing_style": addressing_style or "auto"},
        )
        self.client = client or boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url or None, region_name=region or None, config=config
        )
        self._transfer = TransferConfig(
            multipart_threshold=PART_SIZE,
            multipart_chunksize=PART_SIZE,
            max_concurrency=CONCURRENCY,
        )
        # boto3's wrapper does not take this s3transfer setting (default 10 parts = 80 MiB).
        self._transfer.max_in_memory_upload_chunks = CONCURRENCY

    def _full(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _strip(self, full_key: str) -> str:
        return full_key[len(self.prefix) + 1 :] if self.prefix else full_key

    def put(self, key: str, fileobj: Readable, max_bytes: int | None = None) -> StoredObject:
        """Upload through boto3's transfer manager (multipart above PART_SIZE), hashing on the way."""
        from botocore.exceptions import BotoCoreError, ClientError

        reader = HashingReader(fileobj, max_bytes)
        try:
            # The reader cannot seek, so s3transfer reads it once, in order, part by part; an
            # exception (too large, network) aborts the multipart upload: no object appears.
            self.client.upload_fileobj(
                reader,
                self.bucket,
                self._full(key),
                ExtraArgs=dict(self._extra),
                Config=self._transfer,
            )
        except StorageTooLarge:
            raise
        except (BotoCoreError, ClientError) as error:
            raise _connection_error() from error
        except StorageError:
            raise
        return StoredObject(key, reader.size, reader.sha256)

    def open(self, key: str) -> BinaryIO:
        """The object's body as a stream."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            # botocore's StreamingBody: read(), close() and iteration, as a BinaryIO is used here.
            body: BinaryIO = self.client.get_object(Bucket=self.bucket, Key=self._full(key))["Body"]
            return body
        except ClientError as error:
            if _code(error) in ("NoSuchKey", "404", "NotFound"):
                raise StorageNotFound(_("保存されたファイルが見つかりません。")) from error
            raise _connection_error() from error
        except BotoCoreError as error:
            raise _connection_error() from error

    def exists(self, key: str) -> bool:
        """HEAD the object."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._full(key))
        except ClientError as error:
            if _code(error) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise _connection_error() from error
        except BotoCoreError as error:
            raise _connection_error() from error
        return True

    def delete(self, key: str) -> None:
        """Delete the object (S3 answers the same whether it existed or not)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._full(key))
        except (BotoCoreError, ClientError) as error:
            raise _connection_error() from error

    def iter_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """List the bucket under our prefix, page by page."""
        from botocore.exceptions import BotoCoreError, ClientError

        full_prefix = f"{self.prefix}/{prefix}" if self.prefix else prefix
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=full_prefix
            ):
                for item in page.get("Contents", ()):
                    yield ObjectInfo(self._strip(item["Key"]), item["Size"], item["LastModified"])
        except (BotoCoreError, ClientError) as error:
            raise _connection_error() from error

    def iter_pending_uploads(self) -> Iterator[PendingUpload]:
        """Multipart uploads under our prefix that were neither completed nor aborted."""
        from botocore.exceptions import BotoCoreError, ClientError

        prefix = f"{self.prefix}/" if self.prefix else ""
        try:
            for page in self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=prefix
            ):
                for item in page.get("Uploads", ()):
                    yield PendingUpload(
                        self._strip(item["Key"]), item["UploadId"], item["Initiated"]
                    )
        except (BotoCoreError, ClientError) as error:
            raise _connection_error() from error

    def abort_upload(self, pending: PendingUpload) -> None:
        """Abort the upload; its stored parts are deleted by the store."""
        from botocore.exceptions import BotoCoreError, ClientError

        full = f"{self.prefix}/{pending.key}" if self.prefix else pending.key
        try:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=full, UploadId=pending.upload_id
            )
        except ClientError as error:
            if _code(error) != "NoSuchUpload":  # finished or aborted meanwhile
                raise _connection_error() from error
        except BotoCoreError as error:
            raise _connection_error() from error


def _code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
