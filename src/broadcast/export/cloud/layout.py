"""The layout of published packages in an object store, and the publish plan.

Under the store's prefix::

    blobs/sha256/ab/ab12….mp3                    every audio file once, named by its content
    communes/<id>/<version>/manifest.json        per commune and version: the manifest, the
    communes/<id>/<version>/index.html …         playlists, schedule sheet, page, instructions
    communes/<id>/latest.json                    the pointer to the newest complete version

Most clips are shared by many communes, so storing audio by content uploads each clip once, not
once per commune. Text (manifest, page, playlists, sheets) is stored gzip-compressed with
``Content-Encoding: gzip`` (``coding``). The pointer is written last, after everything it points
to exists, so a reader never sees a version whose files are not all there (the order TUF and apt
publish in).

A publish is planned one commune at a time (``plan_commune``), so its memory is one commune's
plan, whatever the number of communes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from broadcast.export.cloud import coding
from broadcast.export.cloud.store import ObjectInfo, check_sha256
from broadcast.package import manifest as manifest_format

POINTER_FORMAT = "broadcast-pointer"
CONTENT_TYPES = {".mp3": "audio/mpeg", ".json": "application/json", ".html": "text/html; charset=utf-8",
                 ".txt": "text/plain; charset=utf-8", ".csv": "text/csv; charset=utf-8",
                 ".m3u8": "audio/x-mpegurl; charset=utf-8", ".pls": "audio/x-scpls"}


def blob_key(sha256: str, suffix: str = ".mp3") -> str:
    return f"blobs/sha256/{sha256[:2]}/{sha256}{suffix}"


def version_key(commune: str, version: str, path: str) -> str:
    return f"communes/{commune}/{version}/{path}"


def pointer_key(commune: str) -> str:
    return f"communes/{commune}/latest.json"


def content_type(path: str) -> str:
    return CONTENT_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")


def pointer_bytes(commune: str, version: str, manifest_sha256: str, files: int, size: int) -> bytes:
    """The pointer's exact bytes: no clock in it, so an unchanged package gives an equal pointer."""
    data = {"format": POINTER_FORMAT, "commune": commune, "version": version,
            "manifest": version_key(commune, version, manifest_format.NAME),
            "manifest_sha256": manifest_sha256, "files": files, "bytes": size}
    return (json.dumps(data, sort_keys=True, indent=1) + "\n").encode("utf-8")


def parse_pointer(data: bytes, shown: str) -> dict:
    from broadcast.errors import InputError

    try:
        pointer = json.loads(data)
        if pointer.get("format") != POINTER_FORMAT:
            raise ValueError("not a pointer")
        manifest_format.safe_path(pointer["manifest"])
        return pointer
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError("cloud.bad_pointer", path=shown, detail=str(exc)) from exc


@dataclass(frozen=True)
class Upload:
    """One object to write: from a file or from bytes (compressed text is bytes)."""

    key: str
    size: int
    sha256: str
    """Of the body as stored: for compressed text, of the compressed bytes."""
    content_type: str
    kind: str  # "blob" | "version" | "pointer"
    commune: str
    source: Path | None = None
    data: bytes | None = None
    content_encoding: str | None = None

    @property
    def body(self) -> Path | bytes:
        return self.data if self.data is not None else self.source


@dataclass(frozen=True)
class CommunePlan:
    """One commune's part of a publish."""

    commune: str
    version: str
    uploads: tuple[Upload, ...]
    """Blobs and version files the store lacks; written first, in any order."""
    pointer: Upload | None
    """Written last, once every upload is in place; None when the store's pointer is this one."""
    present: int
    """Objects the store holds already (a blob counts in the first commune that plays it)."""
    present_bytes: int

    @property
    def upload_bytes(self) -> int:
        return sum(u.size for u in self.uploads) + (self.pointer.size if self.pointer else 0)


@dataclass(frozen=True)
class Package:
    """A built package folder and its parsed manifest."""

    folder: Path
    manifest: manifest_format.Manifest
    manifest_bytes: bytes


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _present(existing: Mapping[str, ObjectInfo], key: str, size: int, md5: str | None = None) -> bool:
    found = existing.get(key)
    if found is None or found.size != size:
        return False
    return md5 is None or found.etag in (None, md5) or "-" in (found.etag or "")


def _blob(package: Package, entry: manifest_format.FileEntry) -> Upload:
    return Upload(blob_key(entry.sha256), entry.size, entry.sha256, "audio/mpeg", "blob",
                  package.manifest.commune["id"], source=package.folder / entry.path)


def _version_file(package: Package, path: str, sha256: str, data: bytes | None = None) -> Upload:
    """A version's file (``data``, or the package's file), compressed if it is text: read now,
    since one commune's text is small."""
    m, commune = package.manifest, package.manifest.commune["id"]
    key, kind, source = version_key(commune, m.version, path), content_type(path), package.folder / path
    if not coding.wants_gzip(path):
        size = len(data) if data is not None else source.stat().st_size
        return Upload(key, size, sha256, kind, "version", commune,
                      source=None if data is not None else source, data=data)
    raw = data if data is not None else source.read_bytes()
    check_sha256(sha256, hashlib.sha256(raw).hexdigest(), str(source))  # edited since the build?
    body = coding.compress(raw)
    return Upload(key, len(body), hashlib.sha256(body).hexdigest(), kind, "version", commune,
                  data=body, content_encoding=coding.GZIP)


def _version_paths(package: Package) -> list[str]:
    return [e.path for e in package.manifest.files if e.kind != "audio"] + [manifest_format.NAME]


def plan_commune(package: Package, blobs: Mapping[str, ObjectInfo], listed: Mapping[str, ObjectInfo],
                 seen: set[str]) -> CommunePlan:
    """What to upload so the store holds ``package``: ``blobs`` is the store's ``blobs/``
    listing, ``listed`` its objects under this commune's folder, ``seen`` the blobs earlier
    communes of this publish hold or upload (it grows with this commune's)."""
    m, commune = package.manifest, package.manifest.commune["id"]
    pointer = _pointer(package)
    audio = {entry.sha256: entry for entry in m.audio}
    new_blobs = [entry for sha, entry in audio.items() if blob_key(sha) not in seen]
    seen.update(blob_key(sha) for sha in audio)
    if _present(listed, pointer.key, pointer.size, _md5(pointer.data)) and _complete(
            package, blobs, listed, new_blobs):
        # The store's pointer is this one, and pointers go up only over complete versions:
        # nothing to compress or compare (a republish with no change reads no text at all).
        sizes = [blobs[blob_key(e.sha256)].size for e in new_blobs]
        sizes += [listed[version_key(commune, m.version, p)].size for p in _version_paths(package)]
        return CommunePlan(commune, m.version, (), None, len(sizes), sum(sizes))
    uploads, present, present_bytes = [], 0, 0
    wanted = [_blob(package, entry) for entry in new_blobs]
    wanted += [_version_file(package, e.path, e.sha256) for e in m.files if e.kind != "audio"]
    data = package.manifest_bytes
    wanted.append(_version_file(package, manifest_format.NAME, hashlib.sha256(data).hexdigest(), data))
    for upload in wanted:
        existing = blobs if upload.kind == "blob" else listed
        if _present(existing, upload.key, upload.size, _md5(upload.data) if upload.data else None):
            present, present_bytes = present + 1, present_bytes + upload.size
        else:
            uploads.append(upload)
    return CommunePlan(commune, m.version, tuple(uploads), pointer, present, present_bytes)


def _complete(package: Package, blobs: Mapping[str, ObjectInfo], listed: Mapping[str, ObjectInfo],
              new_blobs: list[manifest_format.FileEntry]) -> bool:
    m = package.manifest
    return (all(_present(blobs, blob_key(e.sha256), e.size) for e in new_blobs)
            and all(version_key(m.commune["id"], m.version, p) in listed for p in _version_paths(package)))


def _pointer(package: Package) -> Upload:
    m = package.manifest
    commune = m.commune["id"]
    total = sum(f.size for f in m.files) + len(package.manifest_bytes)
    data = pointer_bytes(commune, m.version, hashlib.sha256(package.manifest_bytes).hexdigest(),
                         len(m.files) + 1, total)
    return Upload(pointer_key(commune), len(data), hashlib.sha256(data).hexdigest(),
                  "application/json", "pointer", commune, data=data)
