"""Files a front end receives: studio recordings, message sheets and play logs.

Every upload is refused unless its name is a plain file name (no folder, no ``..``, no drive,
nothing hidden) with a suffix of its kind, and its size is within the limit; it is written
inside the workspace only, and a recording is kept only after ffmpeg has read it through and
found sound in it (``measure_file``), so nothing that ``render`` would choke on is kept.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from broadcast import fsio
from broadcast.errors import InputError
from broadcast.operations.campaign import Campaign
from broadcast.operations.settings import AUDIO_SUFFIXES
from broadcast.sound import audio

RECORDINGS = "recordings"
RECORDING_LIMIT = 200 * 1000 * 1000
"""Bytes: a WAV of 20 minutes, stereo at 48 kHz, fits; a mistaken video file does not."""
SHEET_LIMIT = 10 * 1000 * 1000
SILENT_LUFS = -60.0
"""Below this a recording holds no speech (ffmpeg's meter gives −70 for silence)."""
_CHUNK = 1 << 20


def plain_name(name: str, suffixes: Sequence[str]) -> str:
    """``name`` as a plain file name of one of ``suffixes``, or InputError: a folder, ``..``, a
    drive, a hidden or control character never makes it to the disk."""
    text = unicodedata.normalize("NFC", name or "").strip()
    bad = (not text or "/" in text or "\\" in text or ".." in text or ":" in text or text.startswith(".")
           or any(unicodedata.category(c)[0] == "C" for c in text) or len(text) > 120)
    if bad:
        raise InputError("ui.upload.bad_name", name=name)
    if not text.lower().endswith(tuple(suffixes)):
        raise InputError("ui.upload.bad_kind", name=text, kinds=", ".join(suffixes))
    return text


def _copy_limited(stream: BinaryIO, dest: Path, limit: int, shown: str) -> int:
    size = 0
    with open(dest, "wb") as out:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise InputError("ui.upload.too_large", name=shown, mb=f"{limit / 1e6:.0f}")
            out.write(chunk)
    if size == 0:
        raise InputError("ui.upload.empty", name=shown)
    return size


def _free_name(folder: Path, name: str) -> Path:
    """``name`` in ``folder``, or ``name-2``, ``name-3``…: an upload never replaces a file."""
    target = folder / name
    stem, suffix = target.stem, target.suffix
    n = 2
    while target.exists():
        target = folder / f"{stem}-{n}{suffix}"
        n += 1
    return target


def keep_recording(campaign: Campaign, name: str, stream: BinaryIO, *,
                   limit: int = RECORDING_LIMIT) -> str:
    """Keep an uploaded recording in ``recordings/`` once ffmpeg has read it and found sound;
    returns its path as a message's ``recording:`` field names it."""
    shown = plain_name(name, AUDIO_SUFFIXES)
    folder = campaign.root / RECORDINGS
    with campaign.writing("ui"):
        folder.mkdir(exist_ok=True)
        target = _free_name(folder, shown)
        with fsio.atomic_path(target) as tmp:
            _copy_limited(stream, tmp, limit, shown)
            try:
                measured = audio.measure_file(tmp)
            except InputError:
                raise InputError("ui.upload.not_audio", name=shown) from None
            if measured.lufs < SILENT_LUFS:
                raise InputError("ui.upload.silent", name=shown)
    return target.relative_to(campaign.root).as_posix()


@contextlib.contextmanager
def received(campaign: Campaign, uploads: Sequence[tuple[str, BinaryIO]], suffixes: Sequence[str],
             limit: int) -> Iterator[list[Path]]:
    """Uploaded files under their own names in a hidden folder inside the workspace's
    ``build/``, for the block; removed afterwards whatever happens."""
    names = [plain_name(name, suffixes) for name, _ in uploads]
    if len(set(names)) != len(names):
        raise InputError("ui.upload.same_name")
    build = campaign.root / "build"
    build.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".ui-upload-", suffix=".part", dir=build))
    try:
        paths = []
        for name, (_, stream) in zip(names, uploads, strict=True):
            _copy_limited(stream, folder / name, limit, name)
            paths.append(folder / name)
        yield paths
    finally:
        shutil.rmtree(folder, ignore_errors=True)
