"""A real S3 server on loopback (moto's server mode) with fake credentials, and a store of each kind.

Credentials exist only as monkeypatched environment variables; the shared AWS files point at
paths that do not exist and the instance-metadata lookup is off, so no real AWS configuration is
read and nothing waits on 169.254.169.254 when a test removes the keys.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from broadcast.export.cloud.store import Store
from broadcast.export.cloud.stores import open_store

ACCESS_KEY = "testing"
SECRET_KEY = "testing-secret-7Qx9"
"""Distinctive, so a test can assert that no message or repr ever contains it."""

AWS_VARIABLES_TO_CLEAR = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                          "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_REGION",
                          "AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION",
                          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                          "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN")


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 and a free port; yields its endpoint URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch, tmp_path: Path) -> dict[str, str]:
    """Fake credentials in the environment, and no real AWS configuration anywhere in reach."""
    for name in AWS_VARIABLES_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # a proxy must not sit between us and moto
    return env


@pytest.fixture(scope="session")
def _kept_clients() -> dict:
    return {}


@pytest.fixture
def s3_bucket(s3_server: str, aws_env, _kept_clients: dict) -> tuple[str, str]:
    """A fresh, empty bucket with a unique name: (endpoint_url, bucket)."""
    # Building a client costs ~0.3 s, so one is kept. It is built here, after aws_env, in its own
    # session: it only ever sees the fake credentials and no real AWS configuration.
    if "s3" not in _kept_clients:
        _kept_clients["s3"] = boto3.session.Session().client(
            "s3", endpoint_url=s3_server, region_name="us-east-1")
    bucket = f"test-{uuid.uuid4().hex[:16]}"
    _kept_clients["s3"].create_bucket(Bucket=bucket)
    return s3_server, bucket


@pytest.fixture(params=["file", "s3"])
def store(request, tmp_path: Path) -> Store:
    """An opened store of each kind; the S3 one under a prefix, so key mapping is exercised too."""
    if request.param == "file":
        return open_store((tmp_path / "store").as_uri())
    endpoint, bucket = request.getfixturevalue("s3_bucket")
    return open_store(f"s3://{bucket}/pkg", endpoint_url=endpoint, addressing="path")
