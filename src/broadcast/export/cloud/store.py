"""Where packages are published and pulled from: one interface, a local folder or an S3 bucket.

Publish and pull speak only ``Store``; ``stores.open_store`` picks the implementation from the address:
``s3://bucket/prefix`` (``export/s3.py``, the only boto3 user) or ``file:///abs/path`` (a local
folder with the same layout, here). Both keep the same contract, checked by the same tests:

- a key is relative to the store's prefix, "/"-separated, and never has an empty, ``.`` or ``..``
  part or a part starting with ``.`` (temporaries and metadata live under such names, and players
  choke on hidden files anyway; FIELD.md);
- ``put`` is atomic (a reader sees the old object or the whole new one), refuses content whose
  sha256 differs from the one given, and stores that sha256 as metadata; objects are private;
  a ``content_encoding`` (gzip, for text: ``coding``) is kept as the object's Content-Encoding;
- ``get_bytes`` gives the content decoded; ``download`` writes the bytes as stored (so it can
  resume by byte range) and answers their encoding, for the caller to decode once complete;
- ``list`` is sorted by key (S3 lists in UTF-8 byte order; Python's code-point order is the same);
- ``stats`` counts requests by kind, plus ``bytes_up`` and ``bytes_down``.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol, runtime_checkable
from urllib.parse import urlsplit
from urllib.request import url2pathname

from broadcast import fsio
from broadcast.errors import InputError
from broadcast.export.cloud import coding

CHUNK = 1 << 20
MAX_EXPIRES = 7 * 24 * 3600
"""SigV4 presigned URLs live at most 7 days; the file store keeps the limit so both behave alike."""
MAX_KEY_BYTES = 1024
META_DIR = ".meta"


@dataclass(frozen=True)
class ObjectInfo:
    """One stored object as a listing or a head request sees it."""

    key: str
    size: int
    etag: str | None = None
    """Without quotes; for single-part uploads the hex MD5 of the content."""
    sha256: str | None = None
    """From our metadata (``x-amz-meta-sha256``), when present: of the bytes as stored."""
    content_encoding: str | None = None
    """``gzip`` for an object stored compressed (``head`` only: listings do not carry it)."""


@runtime_checkable
class Store(Protocol):
    """An object store packages are published to and pulled from.

    ``list`` gives key, size and ETag; S3 listings carry no metadata, so ``sha256`` there is None
    (``head`` has it). ``head`` answers None for a missing object; ``get_bytes`` and ``download``
    raise ``InputError("cloud.no_key")``. ``download`` is not atomic: the caller downloads into a
    partial file, decodes it by the encoding ``download`` answers, checks the sha256, then renames.
    """

    url: str
    stats: collections.Counter

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]: ...
    def head(self, key: str) -> ObjectInfo | None: ...
    def put(self, key: str, source: Path | bytes, *, content_type: str, sha256: str,
            content_encoding: str | None = None,
            progress: Callable[[int], None] | None = None) -> None: ...
    def get_bytes(self, key: str) -> bytes: ...
    def download(self, key: str, dest: Path, *, offset: int = 0,
                 progress: Callable[[int], None] | None = None) -> str | None: ...
    def presign(self, key: str, expires: int) -> str: ...
    def delete(self, key: str) -> None: ...


class Stats(collections.Counter):
    """Requests by kind, and bytes moved. Threads may add at once: publish uploads in parallel."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def add(self, kind: str, amount: int = 1) -> None:
        with self._lock:
            self[kind] += amount


def check_key(key: str, store_url: str, *, prefix: bool = False) -> str:
    """Return ``key`` if it is a valid object key (or, with ``prefix``, a listing prefix)."""
    body = key[:-1] if prefix and key.endswith("/") else key
    if prefix and not body:
        return key
    parts = body.split("/")
    bad = (not body or len(key.encode("utf-8")) > MAX_KEY_BYTES or "\\" in key
           or any(ord(c) < 32 or ord(c) == 127 for c in key)
           or any(not p or p.startswith(".") for p in parts))
    if bad:
        raise InputError("cloud.bad_key", path=store_url, name=key)
    return key


def check_expires(expires: int, store_url: str) -> int:
    if expires > MAX_EXPIRES:
        raise InputError("cloud.expires_too_long", path=store_url, expires=expires, limit=MAX_EXPIRES)
    if expires < 1:
        raise InputError("cloud.expires_too_short", path=store_url, expires=expires)
    return expires


def check_sha256(expected: str, actual: str, where: str) -> None:
    """The content read now must be the content the caller planned (a file edited since build fails)."""
    if expected.lower() != actual:
        raise InputError("cloud.source_changed", path=where, expected=expected, actual=actual)


def open_for_resume(dest: Path, offset: int, where: str) -> IO[bytes]:
    """Open ``dest`` to append from ``offset``. Bytes past it (a torn last write) are cut off; a
    file shorter than ``offset`` cannot be continued, since the gap would corrupt it."""
    if (dest.stat().st_size if dest.exists() else 0) < offset:
        raise InputError("cloud.bad_offset", path=where, dest=dest, offset=offset)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fh = open(dest, "ab")  # noqa: SIM115 - handed to the caller, who closes it
    fh.truncate(offset)
    return fh


def source_size(source: Path | bytes) -> int:
    return len(source) if isinstance(source, (bytes, bytearray)) else Path(source).stat().st_size


def read_chunks(source: Path | bytes, size: int) -> Iterator[bytes]:
    """The content of ``source`` in pieces of ``size`` bytes (the last may be shorter)."""
    if isinstance(source, (bytes, bytearray)):
        view = memoryview(source)
        for start in range(0, len(view), size):
            yield bytes(view[start:start + size])
        return
    with open(source, "rb") as fh:
        while chunk := fh.read(size):
            yield chunk


class FileStore:
    """A local folder laid out like a bucket: the object ``key`` is the file ``<root>/<key>``.

    Metadata (sha256, MD5, content type and encoding) lives in sidecars ``<root>/.meta/<key>.json``, so the
    object tree holds exactly what the bucket would. A sidecar is trusted only while the object's
    size and modification time match what it recorded; otherwise (a file copied in by hand, a run
    killed between object and sidecar) both hashes are recomputed from the content. ``put`` removes
    the old sidecar before replacing the object, so a sidecar can never describe other content.

    ``presign`` returns the object's ``file://`` URL: it needs no credentials and never expires
    (``expires`` is only checked against the S3 limit, so a plan valid here is valid on S3).
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or not parts.path:
            raise InputError("cloud.bad_url", url=url)
        self.root = Path(url2pathname(parts.path)).resolve()
        self.url = self.root.as_uri()
        self.stats = Stats()

    def __repr__(self) -> str:
        return f"FileStore({self.url!r})"

    def _where(self, key: str) -> str:
        return f"{self.url}/{key}"

    def _path(self, key: str) -> Path:
        return self.root / check_key(key, self.url)

    def _meta_path(self, key: str) -> Path:
        return self.root / META_DIR / f"{key}.json"

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object whose key starts with ``prefix``, sorted by key; one request."""
        check_key(prefix, self.url, prefix=True)
        self.stats.add("list")
        start = self.root / prefix.rpartition("/")[0]  # only the folder the prefix can reach
        keys = sorted(k for k in self._walk(start) if k.startswith(prefix))
        for key in keys:
            yield self._info(key, self.root / key)

    def _walk(self, start: Path) -> Iterator[str]:
        for folder, dirs, files in os.walk(start):
            dirs[:] = [d for d in dirs if not d.startswith(".")]  # .meta and nothing hidden
            rel = Path(folder).relative_to(self.root).as_posix()
            for name in files:
                if not name.startswith("."):  # fsio temporaries are ".name.xxx.part"
                    yield name if rel == "." else f"{rel}/{name}"

    def head(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        self.stats.add("head")
        return self._info(key, path) if path.is_file() else None

    def _info(self, key: str, path: Path) -> ObjectInfo:
        stat = path.stat()
        meta = self._fresh_meta(key, stat)
        if meta is None:
            md5, sha256 = _hash_file(path)
            with open(path, "rb") as fh:
                meta = {"md5": md5, "sha256": sha256, "content_encoding": coding.sniff(fh.read(2))}
        return ObjectInfo(key, stat.st_size, meta["md5"], meta["sha256"], meta.get("content_encoding"))

    def _fresh_meta(self, key: str, stat: os.stat_result) -> dict | None:
        try:
            meta = json.loads(self._meta_path(key).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None  # missing or torn: the content itself is the truth
        if meta.get("size") != stat.st_size or meta.get("mtime_ns") != stat.st_mtime_ns:
            return None
        return meta

    def put(self, key: str, source: Path | bytes, *, content_type: str, sha256: str,
            content_encoding: str | None = None,
            progress: Callable[[int], None] | None = None) -> None:
        """Store ``source`` as ``key`` atomically; its sha256 must be ``sha256``."""
        target = self._path(key)
        self.stats.add("put")
        self._meta_path(key).unlink(missing_ok=True)
        with fsio.atomic_path(target) as tmp, open(tmp, "wb") as out:
            md5, digest, size = new_md5(), hashlib.sha256(), 0
            for chunk in read_chunks(source, CHUNK):
                out.write(chunk)
                md5.update(chunk)
                digest.update(chunk)
                size += len(chunk)
                if progress:
                    progress(len(chunk))
            check_sha256(sha256, digest.hexdigest(), self._where(key))
        stat = target.stat()
        meta = {"md5": md5.hexdigest(), "sha256": digest.hexdigest(), "content_type": content_type,
                "content_encoding": content_encoding, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        fsio.write_text(self._meta_path(key), json.dumps(meta, indent=1) + "\n")
        self.stats.add("bytes_up", size)

    def get_bytes(self, key: str) -> bytes:
        """The object's content, decoded (manifests, pointers: small things)."""
        self.stats.add("get")
        with self._reading(key):
            data = self._path(key).read_bytes()
            encoding = self._info(key, self._path(key)).content_encoding
        self.stats.add("bytes_down", len(data))
        return coding.decode(data, encoding, self._where(key))

    def download(self, key: str, dest: Path, *, offset: int = 0,
                 progress: Callable[[int], None] | None = None) -> str | None:
        """Append the object's bytes as stored from ``offset`` to ``dest`` (``dest`` must hold
        ``offset`` bytes); answer their Content-Encoding."""
        self.stats.add("get")
        with self._reading(key):  # only the open: a failure on the dest side is not "no such object"
            src = open(self._path(key), "rb")  # noqa: SIM115 - closed by the block below
            encoding = self._info(key, self._path(key)).content_encoding
        with src:
            if offset > src.seek(0, os.SEEK_END):
                raise InputError("cloud.bad_offset", path=self._where(key), dest=dest, offset=offset)
            src.seek(offset)
            with open_for_resume(Path(dest), offset, self._where(key)) as out:
                while chunk := src.read(CHUNK):
                    out.write(chunk)
                    self.stats.add("bytes_down", len(chunk))
                    if progress:
                        progress(len(chunk))
        return encoding

    @contextlib.contextmanager
    def _reading(self, key: str) -> Iterator[None]:
        try:
            yield
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise InputError("cloud.no_key", path=self._where(key), url=self.url) from None

    def presign(self, key: str, expires: int) -> str:
        """The object's ``file://`` URL. It does not expire: a local folder has no signer."""
        check_expires(expires, self.url)
        return self._path(key).as_uri()

    def delete(self, key: str) -> None:
        """Remove ``key`` (absent is fine, as on S3) and the folders it leaves empty."""
        path = self._path(key)
        self.stats.add("delete")
        for doomed in (path, self._meta_path(key)):
            doomed.unlink(missing_ok=True)
            self._prune(doomed.parent)

    def _prune(self, folder: Path) -> None:
        while folder != self.root and folder.is_relative_to(self.root):
            try:
                folder.rmdir()
            except OSError:
                return  # not empty (or gone): the rest of the tree is still in use
            folder = folder.parent


def _hash_file(path: Path) -> tuple[str, str]:
    md5, sha256 = new_md5(), hashlib.sha256()
    for chunk in read_chunks(path, CHUNK):
        md5.update(chunk)
        sha256.update(chunk)
    return md5.hexdigest(), sha256.hexdigest()


def new_md5(data: bytes = b"") -> hashlib._Hash:
    """An MD5 hasher. MD5 is S3's integrity check (ETag, Content-MD5), not security: FIPS builds
    must allow it."""
    return hashlib.md5(data, usedforsecurity=False)
