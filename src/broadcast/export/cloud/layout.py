"""The layout of published packages in an object store, and the publish plan.

Under the store's prefix::

    blobs/sha256/ab/ab12….mp3                    every audio file once, named by its content
    communes/<id>/<version>/manifest.json        per commune and version: the manifest, the
    communes/<id>/<version>/index.html …         playlists, schedule sheet, page, instructions
    communes/<id>/latest.json                    the pointer to the newest complete version

Most clips are shared by many communes, so storing audio by content uploads each clip once, not
once per commune. The pointer is written last, after everything it points to exists, so a reader
never sees a version whose files are not all there (the order TUF and apt publish in).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from broadcast.export.cloud.store import ObjectInfo
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
    """One object to write: from a file or from bytes."""

    key: str
    size: int
    sha256: str
    content_type: str
    kind: str  # "blob" | "version" | "pointer"
    commune: str
    source: Path | None = None
    data: bytes | None = None

    @property
    def body(self) -> Path | bytes:
        return self.data if self.data is not None else self.source


@dataclass(frozen=True)
class PublishPlan:
    uploads: tuple[Upload, ...]
    """Blobs and version files the store lacks; written first, in any order."""
    pointers: tuple[Upload, ...]
    """Pointers that change; written last, each only after its version is complete."""
    present: int
    """Distinct objects the store holds already (each blob once, however many packages play it)."""
    present_bytes: int
    communes: tuple[str, ...]
    unchanged: tuple[str, ...]

    @property
    def upload_bytes(self) -> int:
        return sum(u.size for u in (*self.uploads, *self.pointers))


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


def _package_objects(package: Package) -> Iterable[Upload]:
    m, commune = package.manifest, package.manifest.commune["id"]
    for entry in m.files:
        if entry.kind == "audio":
            yield Upload(blob_key(entry.sha256), entry.size, entry.sha256, "audio/mpeg", "blob", commune,
                         source=package.folder / entry.path)
        else:
            yield Upload(version_key(commune, m.version, entry.path), entry.size, entry.sha256,
                         content_type(entry.path), "version", commune, source=package.folder / entry.path)
    data = package.manifest_bytes
    yield Upload(version_key(commune, m.version, manifest_format.NAME), len(data),
                 hashlib.sha256(data).hexdigest(), "application/json", "version", commune, data=data)


def plan_publish(packages: Iterable[Package], existing: Mapping[str, ObjectInfo]) -> PublishPlan:
    """What to upload so the store holds every package, given what it already holds."""
    uploads: dict[str, Upload] = {}
    pointers, unchanged, communes = [], [], []
    present = present_bytes = 0
    seen: set[str] = set()  # a clip is in every package that plays it, but it is one object
    for package in packages:
        commune = package.manifest.commune["id"]
        communes.append(commune)
        for upload in _package_objects(package):
            if upload.key in seen:
                continue
            seen.add(upload.key)
            md5 = _md5(upload.data) if upload.data is not None else None
            if _present(existing, upload.key, upload.size, md5):
                present, present_bytes = present + 1, present_bytes + upload.size
            else:
                uploads[upload.key] = upload
        pointer = _pointer(package)
        if _present(existing, pointer.key, pointer.size, _md5(pointer.data)):
            unchanged.append(commune)
        else:
            pointers.append(pointer)
    return PublishPlan(tuple(uploads.values()), tuple(pointers), present, present_bytes,
                       tuple(communes), tuple(unchanged))


def _pointer(package: Package) -> Upload:
    m = package.manifest
    commune = m.commune["id"]
    total = sum(f.size for f in m.files) + len(package.manifest_bytes)
    data = pointer_bytes(commune, m.version, hashlib.sha256(package.manifest_bytes).hexdigest(),
                         len(m.files) + 1, total)
    return Upload(pointer_key(commune), len(data), hashlib.sha256(data).hexdigest(),
                  "application/json", "pointer", commune, data=data)
