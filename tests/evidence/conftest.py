"""Evidence tests store into moto's S3 server too: share the storage tests' fixtures."""

from tests.storage.conftest import aws_credentials, bucket, moto_s3  # noqa: F401
