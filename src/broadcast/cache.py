"""Content-addressed render cache: each entry is named by the hash of everything that made it.

An entry is a blob (speech audio or a finished, untagged MP3) plus a JSON record written after the
blob; only entries with a record count, so an interrupted render leaves nothing that is taken for
a finished one. Changing any input changes the key, so stale entries are never reused.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from broadcast import fsio


def key_of(parts: Mapping[str, object]) -> str:
    """The sha256 of a canonical JSON rendering of ``parts``."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@functools.cache
def _remembered(path: Path, mtime_ns: int, size: int) -> str:
    return file_sha256(path)


def content_hash(path: Path) -> str:
    """sha256 of a file, computed once per (path, modification time, size) in a run: recordings,
    jingles and clips are hashed by several steps."""
    stat = Path(path).stat()
    return _remembered(Path(path), stat.st_mtime_ns, stat.st_size)


_by_inode: dict[tuple[int, int, int, int, int], str] = {}


def inode_hash(path: Path) -> str:
    """sha256 of a file, computed once per inode and change in a run: the hundreds of hard links
    a package folder holds to one clip are hashed once, and any write to the file (a tag editor,
    a flipped byte) changes its modification or change time, so damage is never hidden."""
    stat = os.stat(path)
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    found = _by_inode.get(key)
    if found is None:
        found = _by_inode[key] = file_sha256(Path(path))
    return found


@dataclass(frozen=True)
class Store:
    """One folder of cache entries of one kind (``speech`` or ``clips``)."""

    root: Path

    def blob(self, key: str, suffix: str) -> Path:
        return self.root / key[:2] / f"{key}{suffix}"

    def _record_path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str, suffix: str) -> dict | None:
        """The entry's record if the entry is complete and its blob is intact in size."""
        record_path = self._record_path(key)
        blob = self.blob(key, suffix)
        try:
            record = json.loads(record_path.read_text("utf-8"))
            if blob.stat().st_size != record["size"]:
                return None
        except (FileNotFoundError, ValueError, KeyError):
            return None
        return record

    def commit(self, key: str, suffix: str, record: Mapping[str, object]) -> dict:
        """Seal an entry whose blob is already in place by writing its record."""
        full = {**record, "size": self.blob(key, suffix).stat().st_size}
        fsio.write_text(self._record_path(key), json.dumps(full, sort_keys=True, indent=1))
        return full
