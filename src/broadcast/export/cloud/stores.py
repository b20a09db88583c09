"""Which store an address names: ``s3://bucket/prefix`` (``s3.py``, the only boto3 user) or
``file:///abs/path`` (a folder laid out the same way, ``store.FileStore``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from broadcast.errors import InputError
from broadcast.export.cloud.store import FileStore, Store


def open_store(url: str, *, endpoint_url: str | None = None, region: str | None = None,
               profile: str | None = None, addressing: str = "auto") -> Store:
    """Open the store at ``url``. The endpoint, region, profile and addressing apply to s3:// only."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "s3":
        from broadcast.export.cloud.s3 import S3Store  # boto3 is slow to import; only cloud runs pay for it

        return S3Store(url, endpoint_url=endpoint_url, region=region, profile=profile,
                       addressing=addressing)
    if scheme == "file":
        return FileStore(url)
    raise InputError("cloud.bad_url", url=url)
