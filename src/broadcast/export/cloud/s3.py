"""S3Store: the bucket behind ``s3://bucket/prefix``. The only module that imports boto3/botocore.

Written for S3-compatible clouds as much as for AWS: Viettel, VNPT, FPT and CMC object storage,
MinIO and Ceph (FIELD.md). Hence a configurable endpoint, region and addressing style; request
checksums only "when required", because newer botocore otherwise streams uploads with CRC32
trailers that many of those services reject; and content verified with Content-MD5 instead, which
every S3 implementation checks. Credentials come from the standard AWS chain only (environment,
shared files, ``--profile``); nothing here stores, prints or puts them into a message.

``stats`` counts HTTP requests as sent, retries included, by kind (see ``REQUEST_KINDS``).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from botocore import exceptions as bce
from botocore.config import Config

from broadcast.errors import BroadcastError, InputError, OperationalError
from broadcast.export.cloud import coding
from broadcast.export.cloud.store import (
    CHUNK,
    ObjectInfo,
    Stats,
    check_expires,
    check_key,
    check_sha256,
    new_md5,
    open_for_resume,
    read_chunks,
    source_size,
)

PART_SIZE = 8 << 20
"""Objects this size and up go in parts: a broken link costs one part, not the whole file."""
ADDRESSING = ("auto", "path", "virtual")
TIMEOUTS = {"connect_timeout": 10, "read_timeout": 60}
RETRIES = {"max_attempts": 5, "mode": "standard"}

REQUEST_KINDS = {
    "ListObjectsV2": "list", "HeadObject": "head", "PutObject": "put", "GetObject": "get",
    "DeleteObject": "delete", "CreateMultipartUpload": "multipart_start", "UploadPart": "part",
    "CompleteMultipartUpload": "multipart_complete", "AbortMultipartUpload": "multipart_abort",
}

# S3 error code -> (error kind, catalog key). HEAD replies have no body, hence the bare statuses.
CLIENT_ERRORS: dict[str, tuple[type[BroadcastError], str]] = {
    "NoSuchBucket": (InputError, "cloud.no_bucket"),
    "InvalidBucketName": (InputError, "cloud.bad_bucket"),
    "NoSuchKey": (InputError, "cloud.no_key"),
    "404": (InputError, "cloud.no_key"),
    "AccessDenied": (InputError, "cloud.access_denied"),
    "AllAccessDisabled": (InputError, "cloud.access_denied"),
    "403": (InputError, "cloud.access_denied"),
    "InvalidAccessKeyId": (InputError, "cloud.bad_credentials"),
    "SignatureDoesNotMatch": (InputError, "cloud.bad_credentials"),
    "InvalidToken": (InputError, "cloud.bad_credentials"),
    "ExpiredToken": (InputError, "cloud.bad_credentials"),
    "RequestTimeTooSkewed": (OperationalError, "cloud.clock_skew"),
    "BadDigest": (OperationalError, "cloud.checksum_mismatch"),
    "InvalidDigest": (OperationalError, "cloud.checksum_mismatch"),
    "XAmzContentSHA256Mismatch": (OperationalError, "cloud.checksum_mismatch"),
}

# botocore exception -> (error kind, catalog key); the first match wins, so subclasses go first.
BOTOCORE_ERRORS: list[tuple[type[Exception], type[BroadcastError], str]] = [
    (bce.NoCredentialsError, InputError, "cloud.no_credentials"),
    (bce.PartialCredentialsError, InputError, "cloud.no_credentials"),
    (bce.ProfileNotFound, InputError, "cloud.no_profile"),
    (bce.SSLError, OperationalError, "cloud.tls"),
    (bce.ConnectionError, OperationalError, "cloud.unreachable"),  # refused, DNS, connect timeout
    (bce.HTTPClientError, OperationalError, "cloud.interrupted"),  # read timeout, connection cut
    (bce.ResponseStreamingError, OperationalError, "cloud.interrupted"),
    (bce.IncompleteReadError, OperationalError, "cloud.interrupted"),
]


def parse_url(url: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` -> (bucket, prefix with a trailing "/" or "")."""
    parts = urlsplit(url)
    if "@" in parts.netloc:
        raise InputError("cloud.secret_in_url")  # the address is not echoed: it holds a secret
    bucket, prefix = parts.netloc, parts.path.strip("/")
    if parts.scheme.lower() != "s3" or not bucket or ":" in bucket or parts.query or parts.fragment:
        raise InputError("cloud.bad_url", url=url)
    check_bucket(bucket)
    if prefix:
        check_key(prefix, f"s3://{bucket}")
    return bucket, prefix + "/" if prefix else ""


_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_ADDRESS = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


def check_bucket(bucket: str) -> str:
    """A bucket name every S3 service accepts (AWS's rules; MinIO and Ceph keep the same):
    3-63 lower-case letters, digits, dots and hyphens, a letter or digit at each end, no "..",
    not an IP address. Refused here, before any request: a service answers a bad name with
    an error that reads like its own failure."""
    if (not _BUCKET.match(bucket) or ".." in bucket or ".-" in bucket or "-." in bucket
            or _IP_ADDRESS.match(bucket) or bucket.startswith("xn--")):
        raise InputError("cloud.bad_bucket", bucket=bucket)
    return bucket


def client_config(addressing: str) -> Config:
    """The botocore settings every S3-compatible service accepts."""
    if addressing not in ADDRESSING:
        raise InputError("cloud.bad_addressing", addressing=addressing)
    options: dict = {"signature_version": "s3v4",  # SigV2 presigns still come out in us-east-1
                     "s3": {"addressing_style": addressing}, "retries": dict(RETRIES), **TIMEOUTS}
    if "request_checksum_calculation" in Config.OPTION_DEFAULTS:  # botocore >= 1.36
        options["request_checksum_calculation"] = "when_required"
        options["response_checksum_validation"] = "when_required"
    return Config(**options)


def _shown(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()  # never a user:password


def _md5_b64(data: bytes) -> str:
    return base64.b64encode(new_md5(data).digest()).decode("ascii")


def _etag(value: str | None) -> str | None:
    return value.strip('"') if value else None


class S3Store:
    """A bucket (and optional prefix) on AWS S3 or any S3-compatible service."""

    def __init__(self, url: str, *, endpoint_url: str | None = None, region: str | None = None,
                 profile: str | None = None, addressing: str = "auto") -> None:
        self.bucket, self._prefix = parse_url(url)
        self.url = f"s3://{self.bucket}/{self._prefix}".rstrip("/")
        self.stats = Stats()
        self._profile = profile or ""
        self._endpoint = ""
        if endpoint_url and "@" in urlsplit(endpoint_url).netloc:
            raise InputError("cloud.secret_in_url")
        with self._boundary(""):
            try:
                session = boto3.Session(profile_name=profile)
                self._client = session.client("s3", endpoint_url=endpoint_url, region_name=region,
                                              config=client_config(addressing))
            except ValueError:  # botocore's "Invalid endpoint"
                raise InputError("cloud.bad_endpoint", endpoint=endpoint_url) from None
        self._endpoint = _shown(self._client.meta.endpoint_url)
        self._client.meta.events.register("before-send.s3", self._count)

    def __repr__(self) -> str:
        return f"S3Store({self.url!r}, endpoint={self._endpoint!r})"

    def _count(self, event_name: str, **_: object) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        self.stats.add(REQUEST_KINDS.get(operation, operation))

    def _full(self, key: str) -> str:
        return self._prefix + check_key(key, self.url)

    def _where(self, key: str) -> str:
        return f"{self.url}/{key}" if key else self.url

    def translate(self, exc: Exception, key: str) -> BroadcastError:
        """The user's version of a botocore failure: what, where, the likely cause and the fix."""
        # The object's address is the message's location; ``key`` is the catalog key's name already.
        params = {"url": self.url, "endpoint": self._endpoint, "profile": self._profile,
                  "bucket": self.bucket}
        if isinstance(exc, bce.ClientError):
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
            code = str(error.get("Code", status))
            kind, catalog_key = CLIENT_ERRORS.get(code, (OperationalError, "cloud.failed"))
            return kind(catalog_key, path=self._where(key), status=status, code=code, **params)
        for caught, kind, catalog_key in BOTOCORE_ERRORS:
            if isinstance(exc, caught):
                return kind(catalog_key, path=self._where(key), **params)
        # Only the class name: botocore's texts may quote request parameters.
        return OperationalError("cloud.failed", path=self._where(key), status="-",
                                code=type(exc).__name__, **params)

    @contextlib.contextmanager
    def _boundary(self, key: str) -> Iterator[None]:
        try:
            yield
        except (bce.BotoCoreError, bce.ClientError) as exc:
            raise self.translate(exc, key) from exc

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object under ``prefix``, sorted by key; one request per page of 1000."""
        check_key(prefix, self.url, prefix=True)
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._prefix + prefix)
        with self._boundary(prefix):
            for page in pages:
                for item in page.get("Contents", []):
                    yield ObjectInfo(item["Key"][len(self._prefix):], item["Size"],
                                     _etag(item.get("ETag")))

    def head(self, key: str) -> ObjectInfo | None:
        """The object's size, ETag and sha256 metadata; None if there is no such object."""
        full = self._full(key)
        try:
            with self._boundary(key):
                reply = self._client.head_object(Bucket=self.bucket, Key=full)
        except InputError as exc:
            if exc.key == "cloud.no_key":
                return None
            raise
        return ObjectInfo(key, reply["ContentLength"], _etag(reply.get("ETag")),
                          reply.get("Metadata", {}).get("sha256"), reply.get("ContentEncoding"))

    def put(self, key: str, source: Path | bytes, *, content_type: str, sha256: str,
            content_encoding: str | None = None,
            progress: Callable[[int], None] | None = None) -> None:
        """Upload ``source`` as ``key``: one request under 8 MiB, else 8 MiB parts. S3 makes the
        object visible only when complete; each request carries Content-MD5, which the service
        checks; the content must hash to ``sha256``, stored as metadata. No ACL: objects stay private."""
        full, size = self._full(key), source_size(source)
        headers = {"ContentType": content_type, "Metadata": {"sha256": sha256.lower()}}
        if content_encoding:
            headers["ContentEncoding"] = content_encoding
        with self._boundary(key):
            if size < PART_SIZE:
                self._put_single(key, full, source, headers, sha256, progress)
            else:
                self._put_multipart(key, full, source, headers, sha256, progress)
        self.stats.add("bytes_up", size)

    def _put_single(self, key: str, full: str, source: Path | bytes, headers: dict,
                    sha256: str, progress: Callable[[int], None] | None) -> None:
        data = bytes(source) if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()
        check_sha256(sha256, hashlib.sha256(data).hexdigest(), self._where(key))
        self._client.put_object(Bucket=self.bucket, Key=full, Body=data, ContentMD5=_md5_b64(data),
                                **headers)
        if progress:
            progress(len(data))

    def _put_multipart(self, key: str, full: str, source: Path | bytes, headers: dict,
                       sha256: str, progress: Callable[[int], None] | None) -> None:
        upload = self._client.create_multipart_upload(Bucket=self.bucket, Key=full, **headers)
        upload_id = upload["UploadId"]
        try:
            parts = self._upload_parts(key, full, upload_id, source, sha256, progress)
            self._client.complete_multipart_upload(Bucket=self.bucket, Key=full, UploadId=upload_id,
                                                   MultipartUpload={"Parts": parts})
        except BaseException as exc:  # Ctrl-C too: stored parts are billed and invisible
            self._abort(key, full, upload_id, exc)
            raise

    def _upload_parts(self, key: str, full: str, upload_id: str, source: Path | bytes, sha256: str,
                      progress: Callable[[int], None] | None) -> list[dict]:
        digest, parts = hashlib.sha256(), []
        for number, chunk in enumerate(read_chunks(source, PART_SIZE), start=1):
            digest.update(chunk)
            reply = self._client.upload_part(Bucket=self.bucket, Key=full, UploadId=upload_id,
                                             PartNumber=number, Body=chunk, ContentMD5=_md5_b64(chunk))
            parts.append({"PartNumber": number, "ETag": reply["ETag"]})
            if progress:
                progress(len(chunk))
        check_sha256(sha256, digest.hexdigest(), self._where(key))  # before completing: nothing shows
        return parts

    def _abort(self, key: str, full: str, upload_id: str, cause: BaseException) -> None:
        try:
            self._client.abort_multipart_upload(Bucket=self.bucket, Key=full, UploadId=upload_id)
        except (bce.BotoCoreError, bce.ClientError) as exc:
            first = cause if isinstance(cause, BroadcastError) else (
                self.translate(cause, key) if isinstance(cause, Exception) else None)
            raise OperationalError(
                "cloud.orphaned_upload", path=self._where(key), upload_id=upload_id,
                cause=first.message() if first else type(cause).__name__) from exc

    def get_bytes(self, key: str) -> bytes:
        """The whole object, in memory and decoded (manifests, indexes: small things). S3 answers
        the bytes as stored, with their Content-Encoding, and botocore does not undo it."""
        full = self._full(key)
        with self._boundary(key):
            reply = self._client.get_object(Bucket=self.bucket, Key=full)
            data = reply["Body"].read()
        self.stats.add("bytes_down", len(data))
        return coding.decode(data, reply.get("ContentEncoding"), self._where(key))

    def download(self, key: str, dest: Path, *, offset: int = 0,
                 progress: Callable[[int], None] | None = None) -> str | None:
        """Append the object's bytes as stored from ``offset`` to ``dest`` (``Range: bytes=offset-``),
        in 1 MiB chunks, and answer their Content-Encoding. ``dest`` must hold at least ``offset``
        bytes; the caller decodes and checks the sha256."""
        full, extra = self._full(key), {"Range": f"bytes={offset}-"} if offset else {}
        with self._boundary(key):
            try:
                reply = self._client.get_object(Bucket=self.bucket, Key=full, **extra)
            except bce.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "InvalidRange":
                    raise
                return self._check_complete(key, dest, offset)
            # A server that ignores Range answers 200 with everything: skip what we already have.
            skip = 0 if reply.get("ContentRange") else offset
            body = reply["Body"]  # its __enter__ yields the raw urllib3 stream: close it by hand
            try:
                self._stream(body.iter_chunks(CHUNK), Path(dest), offset, skip, key, progress)
            finally:
                body.close()
            return reply.get("ContentEncoding")

    def _stream(self, chunks: Iterator[bytes], dest: Path, offset: int, skip: int, key: str,
                progress: Callable[[int], None] | None) -> None:
        with open_for_resume(dest, offset, self._where(key)) as out:
            for chunk in chunks:
                self.stats.add("bytes_down", len(chunk))
                chunk, skip = chunk[skip:], max(0, skip - len(chunk))
                out.write(chunk)
                if progress and chunk:
                    progress(len(chunk))

    def _check_complete(self, key: str, dest: Path, offset: int) -> str | None:
        """An unsatisfiable range is fine when ``dest`` already holds the whole object."""
        info = self.head(key)
        if info is None or info.size != offset:
            raise InputError("cloud.bad_offset", path=self._where(key), dest=dest, offset=offset)
        open_for_resume(Path(dest), offset, self._where(key)).close()
        return info.content_encoding

    def presign(self, key: str, expires: int) -> str:
        """A SigV4 GET URL that needs no credentials, valid ``expires`` seconds (7 days at most)."""
        check_expires(expires, self.url)
        full = self._full(key)
        with self._boundary(key):
            return self._client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": full}, ExpiresIn=expires)

    def delete(self, key: str) -> None:
        """Remove ``key``; an absent object is fine (S3 answers 204 either way)."""
        full = self._full(key)
        with self._boundary(key):
            self._client.delete_object(Bucket=self.bucket, Key=full)
