"""Fetch a commune's latest package from a store or a share link, verified, resumable, atomic.

The package is assembled in ``<DEST>.partial`` beside DEST: files DEST already has (same sha256)
are reused, others are downloaded (a half-downloaded file resumes where it stopped), every file's
sha256 is checked, and only a complete package is swapped in for DEST. The previous version stays
in place until then, so a commune never ends up with nothing to play.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from broadcast import fsio
from broadcast import manifest as manifest_format
from broadcast.cache import file_sha256
from broadcast.errors import InputError, OperationalError
from broadcast.export import cloud
from broadcast.export.store import Store, open_store

SHARE_FORMAT = "broadcast-share"
CHUNK = 1 << 20


class Source(Protocol):
    shown: str

    def get(self, key: str) -> bytes: ...
    def download(self, key: str, dest: Path, offset: int) -> None: ...


@dataclass
class StoreSource:
    store: Store

    @property
    def shown(self) -> str:
        return self.store.url

    def get(self, key: str) -> bytes:
        return self.store.get_bytes(key)

    def download(self, key: str, dest: Path, offset: int) -> None:
        self.store.download(key, dest, offset=offset)


@dataclass
class ShareSource:
    """A share link: a presigned document listing a presigned URL for every object it grants."""

    shown: str
    urls: dict[str, str]
    commune: str

    def get(self, key: str) -> bytes:
        return _http(self._url(key), 0).read()

    def download(self, key: str, dest: Path, offset: int) -> None:
        with _http(self._url(key), offset) as response, open(dest, "ab") as out:
            if offset and response.status != 206:
                out.truncate(0)  # the server ignored the range: start over
            while chunk := response.read(CHUNK):
                out.write(chunk)

    def _url(self, key: str) -> str:
        if key not in self.urls:
            raise OperationalError("cloud.share_missing", path=self.shown, name=key)
        return self.urls[key]


def _http(url: str, offset: int):
    request = urllib.request.Request(url, headers={"Range": f"bytes={offset}-"} if offset else {})
    try:
        return urllib.request.urlopen(request, timeout=60)  # http(s) and file links only
    except urllib.error.HTTPError as exc:
        key = "cloud.link_expired" if exc.code in (401, 403) else "cloud.http_error"
        raise OperationalError(key, status=exc.code) from exc
    except urllib.error.URLError as exc:
        raise OperationalError("cloud.link_unreachable", reason=str(exc.reason)) from exc


def open_source(text: str, **store_options: object) -> Source:
    """A store URL (s3://, file:// folder) or a share link (https://, file:// document)."""
    if text.startswith(("http://", "https://")) or (
            text.startswith("file://") and Path(urllib.request.url2pathname(text[7:])).is_file()):
        doc = json.loads(_http(text, 0).read())
        if doc.get("format") != SHARE_FORMAT:
            raise InputError("cloud.not_a_share", path=_redact(text))
        _check_expiry(doc, _redact(text))
        return ShareSource(_redact(text), doc["urls"], doc["commune"])
    return StoreSource(open_store(text, **store_options))


def _check_expiry(doc: dict, shown: str) -> None:
    """Refuse a share document past its time even where the server does not enforce presigned
    expiry (some S3-compatible services and test servers do not): the link's promise holds."""
    expires = dt.datetime.fromisoformat(doc["expires_at"].replace("Z", "+00:00"))
    if dt.datetime.now(dt.timezone.utc) >= expires:
        raise OperationalError("cloud.link_expired_at", path=shown, when=doc["expires_at"])


def _redact(url: str) -> str:
    """A link without its query: presigned signatures are bearer secrets and stay out of logs."""
    return url.split("?", 1)[0]


@dataclass(frozen=True)
class PullResult:
    folder: Path
    manifest: manifest_format.Manifest
    version: str
    downloaded: int
    downloaded_bytes: int
    reused: int
    changed: bool


def _latest(source: Source, commune: str) -> tuple[dict, manifest_format.Manifest, bytes]:
    pointer = cloud.parse_pointer(source.get(cloud.pointer_key(commune)), source.shown)
    if pointer["commune"] != commune:
        raise InputError("cloud.wrong_commune", path=source.shown, commune=commune)
    data = source.get(pointer["manifest"])
    if hashlib.sha256(data).hexdigest() != pointer["manifest_sha256"]:
        raise OperationalError("cloud.corrupt", path=source.shown, name=pointer["manifest"])
    return pointer, manifest_format.parse(data.decode("utf-8"), pointer["manifest"]), data


def _sha256(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _key_of(m: manifest_format.Manifest, entry: manifest_format.FileEntry) -> str:
    if entry.kind == "audio":
        return cloud.blob_key(entry.sha256)
    return cloud.version_key(m.commune["id"], m.version, entry.path)


def _fetch(source: Source, key: str, target: Path, sha256: str) -> int:
    """Download ``key`` into ``target`` (resuming a ``.part``), check it; one retry if corrupt."""
    part = target.with_name(target.name + ".part")
    for _ in range(2):
        offset = part.stat().st_size if part.exists() else 0
        source.download(key, part, offset)
        if _sha256(part) == sha256:
            size = part.stat().st_size
            os.replace(part, target)
            return size
        part.unlink()  # corrupt or stale: fetch it whole once more
    raise OperationalError("cloud.corrupt", path=source.shown, name=key)


def pull(source: Source, commune: str, dest: Path, *,
         approve: Callable[[manifest_format.Manifest], object] | None = None,
         progress: Callable[[str], None] | None = None) -> PullResult:
    """Make ``dest`` hold the commune's latest published package, exactly as ``build`` lays it out.

    ``approve`` sees the manifest before anything is written and raises to refuse it (an
    unsigned, expired, rolled-back or foreign-signed package never reaches the commune).
    """
    _, m, manifest_bytes = _latest(source, commune)
    if approve is not None:
        approve(m)
    current = dest / manifest_format.NAME
    if current.is_file() and current.read_bytes() == manifest_bytes:
        return PullResult(dest, m, m.version, 0, 0, len(m.files), False)
    staging = dest.with_name(f"{dest.name}.partial")
    downloaded = downloaded_bytes = reused = 0
    for entry in m.files:
        target = staging / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if _sha256(target) == entry.sha256:
            reused += 1
        elif _sha256(dest / entry.path) == entry.sha256:
            shutil.copyfile(dest / entry.path, target)
            reused += 1
        else:
            downloaded_bytes += _fetch(source, _key_of(m, entry), target, entry.sha256)
            downloaded += 1
        if progress:
            progress(entry.path)
    fsio.write_bytes(staging / manifest_format.NAME, manifest_bytes)
    fsio.swap_folder(staging, dest)
    return PullResult(dest, m, m.version, downloaded, downloaded_bytes, reused, True)
