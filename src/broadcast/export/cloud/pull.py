"""Fetch a commune's latest package from a store or a share link, verified, resumable, atomic.

The package is assembled in a staging folder of broadcast's own beside DEST
(``.<DEST>.broadcast-pull-staging``): files DEST already has (same sha256) are reused, others are
downloaded (a half-downloaded file resumes where it stopped), every file's sha256 is checked, and
only a complete package is swapped in for DEST. The previous version stays in place until then,
so a commune never ends up with nothing to play. Text objects arrive gzip-compressed and are
decoded once complete (``coding``); the manifest's sha256 is checked on the decoded file.

A pull holds one manifest: the commune's latest (the one it replaces is read only to check that
DEST may be replaced).
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
from broadcast.errors import InputError, OperationalError
from broadcast.export.cloud import coding
from broadcast.export.cloud import layout as cloud
from broadcast.export.cloud.store import Store
from broadcast.export.cloud.stores import open_store
from broadcast.package import destination
from broadcast.package import manifest as manifest_format
from broadcast.package.contents import damaged_files
from broadcast.progress import Advance, Reporter, quiet
from broadcast.sound.cache import inode_hash

SHARE_FORMAT = "broadcast-share"
CHUNK = 1 << 20


class Source(Protocol):
    """Where a pull reads from. ``get`` gives an object's content decoded; ``download`` appends
    its bytes as stored to ``dest`` from ``offset`` and answers their Content-Encoding."""

    shown: str

    def get(self, key: str) -> bytes: ...
    def download(self, key: str, dest: Path, offset: int,
                 progress: Callable[[int], None] | None = None) -> str | None: ...


@dataclass
class StoreSource:
    store: Store

    @property
    def shown(self) -> str:
        return self.store.url

    def get(self, key: str) -> bytes:
        return self.store.get_bytes(key)

    def download(self, key: str, dest: Path, offset: int,
                 progress: Callable[[int], None] | None = None) -> str | None:
        return self.store.download(key, dest, offset=offset, progress=progress)


@dataclass
class ShareSource:
    """A share link: a presigned document listing a presigned URL for every object it grants."""

    shown: str
    urls: dict[str, str]
    commune: str
    pointer: bytes | None = None
    """The pointer as it was when the link was made: a link keeps serving the version it was
    made for, whatever is published after it (its version's objects never change)."""

    def get(self, key: str) -> bytes:
        if key == cloud.pointer_key(self.commune) and self.pointer is not None:
            return self.pointer
        return _read(self._url(key), key)

    def download(self, key: str, dest: Path, offset: int,
                 progress: Callable[[int], None] | None = None) -> str | None:
        url = self._url(key)
        with _http(url, offset) as response, open(dest, "ab") as out:
            if offset and response.status != 206:
                out.truncate(0)  # the server ignored the range: start over
            while chunk := response.read(CHUNK):
                out.write(chunk)
                if progress:
                    progress(len(chunk))
            encoding = response.headers.get("Content-Encoding")
        return encoding if not url.startswith("file:") else _sniff_file(dest)

    def _url(self, key: str) -> str:
        if key not in self.urls:
            raise OperationalError("cloud.share_missing", path=self.shown, name=key)
        return self.urls[key]


def _read(url: str, shown: str) -> bytes:
    """A small object's content from its link, decoded: by Content-Encoding over HTTP (urllib
    does not undo it), by gzip's magic number from a ``file://`` link, which has no headers."""
    with _http(url, 0) as response:
        data = response.read()
        encoding = response.headers.get("Content-Encoding")
    return coding.decode(data, coding.sniff(data) if url.startswith("file:") else encoding, shown)


def _sniff_file(path: Path) -> str | None:
    with open(path, "rb") as fh:
        return coding.sniff(fh.read(2))


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
        doc = json.loads(_read(text, _redact(text)))
        if doc.get("format") != SHARE_FORMAT:
            raise InputError("cloud.not_a_share", path=_redact(text))
        _check_expiry(doc, _redact(text))
        pinned = doc.get("pointer")  # links made before pointers were pinned follow the latest
        return ShareSource(_redact(text), doc["urls"], doc["commune"],
                           pinned.encode("utf-8") if isinstance(pinned, str) else None)
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
    """As the objects are stored: text arrives compressed."""
    reused: int
    changed: bool
    repaired: tuple[str, ...] = ()
    """Files of a package already at the latest version that were damaged and fetched again."""


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
        return inode_hash(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _key_of(m: manifest_format.Manifest, entry: manifest_format.FileEntry) -> str:
    if entry.kind == "audio":
        return cloud.blob_key(entry.sha256)
    return cloud.version_key(m.commune["id"], m.version, entry.path)


def _fetch(source: Source, key: str, target: Path, sha256: str,
           progress: Callable[[int], None] | None = None) -> int:
    """Download ``key`` into ``target`` (resuming a ``.part`` of the bytes as stored), decode and
    check it; one retry if corrupt. ``progress`` hears the bytes as they arrive (a resumed part
    counts what it already had). Answers the bytes the object takes in the store."""
    part = target.with_name(target.name + ".part")
    for _ in range(2):
        offset = part.stat().st_size if part.exists() else 0
        if progress and offset:
            progress(offset)
        encoding = source.download(key, part, offset, progress)
        size = part.stat().st_size
        try:
            coding.decode_file(part, target, encoding, f"{source.shown} {key}")
        except OperationalError:  # damaged compressed data: fetch it whole once more
            part.unlink(missing_ok=True)
            continue
        if _sha256(target) == sha256:
            return size
        target.unlink()  # corrupt or stale: fetch it whole once more
    raise OperationalError("cloud.corrupt", path=source.shown, name=key)


def destination_folder(dest: Path, commune: str) -> Path:
    """DEST as an absolute folder (``.`` is the folder it names). A drive's root, or the root
    of a mounted disk, cannot be replaced whole: the package goes into a folder on it."""
    folder = Path(os.path.abspath(dest))
    for place in folder.parents:  # a path through a file is told as that file
        if place.exists() and not place.is_dir():
            raise InputError("destination.through_a_file", path=place)
    if folder.parent == folder or (folder.is_dir() and os.path.ismount(folder)):
        raise InputError("destination.root", path=folder, suggestion=folder / commune)
    return folder


def pull(source: Source, commune: str, dest: Path, *,
         approve: Callable[[manifest_format.Manifest], object] | None = None,
         report: Reporter = quiet) -> PullResult:
    """Make ``dest`` hold the commune's latest published package, exactly as ``build`` lays it out.

    ``dest`` must be absent, empty, or a package of this commune that broadcast made: anything
    else is refused before a byte is written (``destination.check_replaceable``). ``approve``
    sees the manifest before anything is written and raises to refuse it (an unsigned, expired,
    rolled-back or foreign-signed package never reaches the commune). A package already at the
    latest version is checked file by file, and damaged files are fetched again.

    Each distinct content is fetched once (a package holds the same clip in every slot that
    plays it), and only if no intact copy of it is here already; ``report`` hears the bytes.
    """
    dest = destination_folder(dest, commune)
    fsio.recover_folder(dest, stale_new=True)
    existing = destination.check_replaceable(dest, commune, file_hash=_sha256) is not None
    _, m, manifest_bytes = _latest(source, commune)
    if approve is not None:
        approve(m)
    repaired: tuple[str, ...] = ()
    if existing and (dest / manifest_format.NAME).read_bytes() == manifest_bytes:
        repaired = tuple(damaged_files(dest, m))
        if not repaired:
            return PullResult(dest, m, m.version, 0, 0, len(m.files), False)
    staging = fsio.own_sibling(dest, "pull", "staging")  # kept between runs: a pull resumes
    _prune(staging, m)
    have = _local_contents(m, staging, dest)
    wanted: dict[str, manifest_format.FileEntry] = {}
    for entry in m.files:
        if entry.sha256 not in have:
            wanted.setdefault(entry.sha256, entry)
    total, done, fetched = sum(e.size for e in wanted.values()), 0, 0
    for sha, entry in wanted.items():
        target = staging / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        fetched += _fetch(source, _key_of(m, entry), target, sha, _meter(report, done, total, entry.path))
        done += entry.size  # sizes decoded: compressed text arrives in fewer bytes than it holds
        report(Advance("download", done, total, "bytes", entry.path))
        have[sha] = target
    for entry in m.files:  # every other copy of the same bytes, laid out from the one fetched
        target = staging / entry.path
        if have[entry.sha256] != target:
            target.parent.mkdir(parents=True, exist_ok=True)
            _place(have[entry.sha256], target)
    fsio.write_bytes(staging / manifest_format.NAME, manifest_bytes)
    fsio.replace_folder(staging, dest)
    return PullResult(dest, m, m.version, len(wanted), fetched, len(m.files) - len(wanted), True, repaired)


def _meter(report: Reporter, before: int, total: int, path: str) -> Callable[[int], None]:
    """Tells ``report`` the bytes downloaded so far, ``before`` this file and of it."""
    seen = 0

    def add(size: int) -> None:
        nonlocal seen
        seen += size
        report(Advance("download", min(before + seen, total), total, "bytes", path))
    return add


def _local_contents(m: manifest_format.Manifest, staging: Path, dest: Path) -> dict[str, Path]:
    """For each content (sha256) the manifest lists, a file already here that holds it intact: in
    the staging folder (an interrupted pull), else in DEST (the package being replaced). Files
    are hashed once per inode, so hard-linked copies cost nothing."""
    found: dict[str, Path] = {}
    for folder in (staging, dest):
        for entry in m.files:
            if entry.sha256 not in found and _sha256(folder / entry.path) == entry.sha256:
                found[entry.sha256] = folder / entry.path
    return found


def _prune(staging: Path, m: manifest_format.Manifest) -> None:
    """Drop what a pull of another version left in the staging folder: only files this version
    lists (and their half-downloaded ``.part``) may end up in the package."""
    if not staging.is_dir():
        return
    keep = {f.path for f in m.files} | {f"{f.path}.part" for f in m.files}
    for path in sorted(staging.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        relative = path.relative_to(staging).as_posix()
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        elif relative not in keep:
            path.unlink()


def _place(source: Path, target: Path) -> None:
    """A file the old package already has, into the new one: linked (no copy, no disk), or
    copied where links cannot be made."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
