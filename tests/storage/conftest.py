"""S3 tests run against moto's server mode on 127.0.0.1: boto3 speaks real HTTP to it."""

from __future__ import annotations

import uuid

import pytest
from moto.server import ThreadedMotoServer


class MotoS3:
    """A moto server in a thread that a test can stop and start again on the same port."""

    def __init__(self) -> None:
        self.port = 0
        self._server = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        self.port = self._server.get_host_and_port()[1]

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.stop()
        # stop() leaves the socket listening; close it so clients are refused, not left hanging.
        self._server._server.server_close()
        self._server = None

    def client(self):
        """A plain boto3 client for checking what really is in the bucket."""
        import boto3

        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1"
        )


@pytest.fixture
def aws_credentials(monkeypatch, tmp_path):
    """Dummy credentials; nothing from the machine's own AWS configuration leaks in."""
    for name in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_SECURITY_TOKEN",
        "AWS_DEFAULT_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def moto_s3(aws_credentials):
    """A running moto S3 server; stopped (and its state reset) after the test."""
    server = MotoS3()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def bucket(moto_s3) -> str:
    """A fresh bucket (moto keeps state per process, so each test gets its own name)."""
    name = f"vg-test-{uuid.uuid4().hex[:12]}"
    moto_s3.client().create_bucket(Bucket=name)
    return name
