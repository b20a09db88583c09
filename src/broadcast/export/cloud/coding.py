"""Text objects travel gzip-compressed: ``Content-Encoding: gzip``, as HTTP means it.

A commune's version is a few hundred kilobytes of page, manifest, playlists and sheets for every
few megabytes of audio it shares with the other communes, so across a province text is most of
what a publish sends. It compresses about ten to one. Audio is stored as it is (MP3 does not
compress).

The store keeps the compressed bytes (S3 GET answers them as stored, with the header; urllib does
not undo it either), so a reader decodes: by the ``Content-Encoding`` the transport reports or the
object's metadata; where neither exists (a ``file://`` link, an object copied into a folder store
by hand) by gzip's magic number, which no UTF-8 text starts with. Every sha256 in a manifest is
of the file itself, uncompressed, and is checked after decoding.
"""

from __future__ import annotations

import gzip
import shutil
import zlib
from pathlib import Path

from broadcast.errors import OperationalError

GZIP = "gzip"
MAGIC = b"\x1f\x8b"
LEVEL = 9
"""The same bytes give the same compressed bytes (no time or name in the header, one level), so a
republish finds its objects already there. A different zlib may compress differently: then the
text objects go up once more."""
ENCODABLE = (".html", ".json", ".txt", ".csv", ".m3u8", ".pls")


def compress(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=LEVEL, mtime=0)


def wants_gzip(path: str) -> bool:
    """Whether a package file is text, stored compressed."""
    return path.lower().endswith(ENCODABLE)


def sniff(head: bytes) -> str | None:
    """The encoding of content whose transport said nothing: gzip if it starts like gzip."""
    return GZIP if head[:2] == MAGIC else None


def decode(data: bytes, encoding: str | None, where: str) -> bytes:
    """The content of an object stored with ``encoding`` (None: as it is)."""
    if not encoding or encoding == "identity":
        return data
    _check(encoding, where)
    try:
        return gzip.decompress(data)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise OperationalError("cloud.bad_gzip", path=where, detail=str(exc)) from exc


def decode_file(source: Path, target: Path, encoding: str | None, where: str) -> None:
    """Write ``source``'s content to ``target``, decoded; a damaged stream raises and leaves
    ``target`` incomplete for the caller to drop."""
    if not encoding or encoding == "identity":
        source.replace(target)
        return
    _check(encoding, where)
    try:
        with gzip.open(source, "rb") as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise OperationalError("cloud.bad_gzip", path=where, detail=str(exc)) from exc
    source.unlink()


def _check(encoding: str, where: str) -> None:
    if encoding != GZIP:
        raise OperationalError("cloud.unknown_encoding", path=where, encoding=encoding)
