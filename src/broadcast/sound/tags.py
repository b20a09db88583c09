"""ID3 tags of a clip. The only mutagen user.

Cheap players read ID3v2.3 with UTF-16 text far more often than v2.4/UTF-8, and ID3v1 cannot hold
Vietnamese (FIELD.md): write v2.3, UTF-16, and no v1. Each field maps to one frame in ``FIELDS``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import (
    COMM,
    ID3,
    TALB,
    TCON,
    TIT2,
    TLAN,
    TPE1,
    TPUB,
    TXXX,
    TYER,
    USLT,
    Encoding,
    ID3NoHeaderError,
)
from mutagen.mp3 import MP3

from broadcast.errors import InputError


@dataclass(frozen=True)
class TagField:
    """One clip field and the ID3 frame that carries it (``desc`` for TXXX/COMM frames)."""

    frame: type
    desc: str = ""
    read_as: str = ""
    """Frame id mutagen shows on reading, when it upgrades the v2.3 frame (TYER → TDRC)."""

    @property
    def frame_id(self) -> str:
        if self.read_as:
            return self.read_as
        if self.frame in (COMM, USLT):
            return f"{self.frame.__name__}:{self.desc}:vie"
        return f"TXXX:{self.desc}" if self.frame is TXXX else self.frame.__name__


FIELDS: dict[str, TagField] = {
    "title": TagField(TIT2),
    "artist": TagField(TPE1),
    "album": TagField(TALB),
    "genre": TagField(TCON),
    "language": TagField(TLAN),
    "publisher": TagField(TPUB),
    "year": TagField(TYER, read_as="TDRC"),
    "comment": TagField(COMM, "broadcast"),
    "transcript": TagField(USLT, "broadcast"),
    "message_id": TagField(TXXX, "BROADCAST_MESSAGE_ID"),
    "topics": TagField(TXXX, "BROADCAST_TOPICS"),
    "priority": TagField(TXXX, "BROADCAST_PRIORITY"),
    "valid_from": TagField(TXXX, "BROADCAST_VALID_FROM"),
    "valid_until": TagField(TXXX, "BROADCAST_VALID_UNTIL"),
    "content_hash": TagField(TXXX, "BROADCAST_CONTENT_SHA256"),
}


def _frame(spec: TagField, value: str) -> object:
    if spec.frame is TXXX:
        return TXXX(encoding=Encoding.UTF16, desc=spec.desc, text=[value])
    if spec.frame is COMM:
        return COMM(encoding=Encoding.UTF16, lang="vie", desc=spec.desc, text=[value])
    if spec.frame is USLT:
        return USLT(encoding=Encoding.UTF16, lang="vie", desc=spec.desc, text=value)
    if spec.frame is TLAN:
        # TLAN holds an ISO 639 code: plain ASCII, kept UTF-16 like the rest for old readers.
        return TLAN(encoding=Encoding.UTF16, text=[value])
    return spec.frame(encoding=Encoding.UTF16, text=[value])


def _tag(values: Mapping[str, str | None]) -> ID3:
    tags = ID3()
    for name, value in values.items():
        if value:
            tags.add(_frame(FIELDS[name], str(value)))
    return tags


def _save(tags: ID3, target: object, shown: object) -> None:
    try:
        # No padding: the same tags always give the same bytes, so rebuilt packages are identical.
        tags.save(target, v1=0, v2_version=3, padding=lambda info: 0)
    except MutagenError as exc:
        raise InputError("tags.cannot_write", path=shown, detail=str(exc)) from exc


def write(path: Path, values: Mapping[str, str | None]) -> None:
    """Replace all tags of the MP3 at ``path`` with ``values`` (keys from ``FIELDS``)."""
    _save(_tag(values), path, path)


def tagged(mp3: bytes, values: Mapping[str, str | None]) -> bytes:
    """The bytes of an untagged MP3 with ``values`` written as its ID3v2.3 tag."""
    buffer = io.BytesIO(mp3)
    _save(_tag(values), buffer, "<clip>")
    return buffer.getvalue()


def read(path: Path) -> dict[str, str]:
    """The clip fields found in the tags of ``path``; unknown frames are ignored."""
    try:
        tags = ID3(path)
    except ID3NoHeaderError:
        return {}
    except (MutagenError, OSError) as exc:
        raise InputError("tags.cannot_read", path=path, detail=str(exc)) from exc
    found = {}
    for name, spec in FIELDS.items():
        frame = tags.get(spec.frame_id)
        if frame is not None:
            text = frame.text
            found[name] = text if isinstance(text, str) else (str(text[0]) if text else "")
    return found


def version(path: Path) -> str:
    """The ID3 version of the file, e.g. "2.3.0", or "" when it has no ID3v2 tag."""
    try:
        return ".".join(str(part) for part in ID3(path).version)
    except ID3NoHeaderError:
        return ""


def inspect(path: Path) -> tuple[str, dict[str, str]]:
    """The ID3 version ("" for none) and clip fields of the MP3 at ``path``. InputError when it
    is no MP3 at all (a text file, a WAV), or its tags are damaged: never an empty answer."""
    try:
        MP3(path)
    except (MutagenError, OSError) as exc:
        raise InputError("tags.not_mp3", path=path) from exc
    try:
        return version(path), read(path)
    except (InputError, MutagenError, OSError) as exc:
        raise InputError("tags.damaged", path=path) from exc
