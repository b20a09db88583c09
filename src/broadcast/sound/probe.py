"""What ``check`` learns of every recording and jingle before anything is rendered.

A recording that is no audio, holds only silence (normalizing it to the target loudness would
only amplify noise), is cut off or damaged, or runs longer than a clip may be, would otherwise
be found by ``render`` after minutes of work, or never: a truncated MP3 decodes with errors and
plays with a gap. Each file is probed once (ffmpeg runs in ``audio``) and the answer kept in the user's
cache folder, keyed by the file's content hash, so a second ``check`` costs a stat and a read
per file. The cache lives outside the workspace: checking never writes into ``build/``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from broadcast.campaign.model import SETTINGS_FILE, Jingles, Message, RecordingRules, Workspace
from broadcast.errors import Problem
from broadcast.sound import audio
from broadcast.sound.cache import file_sha256

CACHE_ENV = "BROADCAST_CACHE_DIR"
PROBE_VERSION = 1
"""Bump when ``probe`` learns something new: older answers are then probed again."""
SILENT_DB = -50.0
"""A recording whose loudest sample is below this holds no speech, only noise or nothing."""
MIN_SECONDS = 0.4
"""Shorter than this no clip can be made (``audio.finish``)."""


@dataclass(frozen=True)
class Probe:
    """What ffmpeg says of a file: whether it holds audio, how long it says it is, and, when
    decoded, how long it really is, its loudest sample and where decoding met damage."""

    audio: bool
    declared: float | None = None
    """Seconds the file's header declares (None: it declares none)."""
    decoded: float | None = None
    """Seconds actually decoded; None when not decoded (not audio, or over the limit)."""
    peak_db: float | None = None
    """The highest sample, dBFS (-inf: digital silence)."""
    damage: tuple[float, ...] = ()
    """About where (seconds) decoding reported errors: damaged or cut-off data."""
    limit: float | None = None
    """The decode stopped here (a file declaring no length is decoded up to the limit only)."""
    cut_off: bool = False
    """The only damage lies at the very end: the file was cut short (a copy that stopped)."""


def probe(path: Path, *, max_seconds: float) -> Probe:
    """The header, then, for audio no longer than ``max_seconds``, one measured decode."""
    audible, declared = audio.probe_header(path)
    if not audible or (declared is not None and declared > max_seconds):
        return Probe(audible, declared)
    limit = None if declared is not None else max_seconds + 1
    log = audio.measure_log(path, limit=limit)
    return Probe(False, declared) if log is None else _decoded(declared, log, limit)


_PIECE_START = re.compile(r"pts_time:(-?[\d.]+)")
_PIECE_PEAK = re.compile(r"Overall\.Peak_level=(-?[\d.]+|-inf)")
_PIECE_SAMPLES = re.compile(r"Overall\.Number_of_samples=(\d+)")
_DAMAGE = re.compile(r"\[error\]|\[warning\].*(?:corrupt|invalid|error)", re.IGNORECASE)


def _decoded(declared: float | None, log: str, limit: float | None) -> Probe:
    """Read the decode's log: each measured piece says where it starts, its peak and length.
    A decoder complaint is logged before the piece it falls in is, so it lies in the next one;
    one in the last piece is where a cut-off file ends."""
    start = length = 0.0
    pieces = 0
    peak = float("-inf")
    damage: list[float] = []
    decoding = False
    for line in log.splitlines():
        if "Parsed_ametadata" in line:
            if (found := _PIECE_START.search(line)) is not None:
                start, length, pieces = float(found[1]), 0.0, pieces + 1
            elif (found := _PIECE_PEAK.search(line)) is not None:
                peak = max(peak, float(found[1]))
            elif (found := _PIECE_SAMPLES.search(line)) is not None:
                length = int(found[1]) / audio.PROBE_RATE
        elif line.startswith("[info] Stream mapping"):
            decoding = True  # complaints before this are the header's, repeated below if real
        elif decoding and _DAMAGE.search(line) and not line.startswith("[Parsed_"):
            at = start + audio.PROBE_PIECE_SECONDS if pieces else 0.0
            if not damage or at - damage[-1] >= audio.PROBE_PIECE_SECONDS:
                damage.append(at)
    cut_off = len(damage) == 1 and damage[0] >= start
    return Probe(True, declared, round(start + length, 2), peak, tuple(damage[:5]), limit, cut_off)


def cache_dir() -> Path:
    """$BROADCAST_CACHE_DIR, else the user's cache folder for broadcast on this platform."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "broadcast" / "cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "broadcast"
    chosen = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(chosen) if os.path.isabs(chosen) else home / ".cache") / "broadcast"


def _entry(folder: str, key: str) -> Path:
    return cache_dir() / "probe" / folder / key[:2] / f"{key}.json"


def _content_key(path: Path) -> str:
    """The file's sha256, remembered by path, size and modification time (the stat is all a
    second check pays); a changed file has another stat, so it is hashed again."""
    info = path.stat()
    stat_key = hashlib.sha256(f"{path.resolve()}|{info.st_size}|{info.st_mtime_ns}".encode()).hexdigest()
    remembered = _read(_entry("stat", stat_key))
    if remembered and isinstance(remembered.get("sha256"), str):
        return remembered["sha256"]
    digest = file_sha256(path)
    _write(_entry("stat", stat_key), {"sha256": digest})
    return digest


def probed(path: Path, *, max_seconds: float) -> Probe:
    """``probe`` of ``path``, from the cache when this content was probed before."""
    entry = _entry("content", _content_key(path))
    record = _read(entry)
    if record and record.get("version") == PROBE_VERSION:
        found = Probe(**{k: (tuple(v) if k == "damage" else v) for k, v in record["probe"].items()})
        if found.limit is None or found.limit >= max_seconds + 1:
            return found
    found = probe(path, max_seconds=max_seconds)
    _write(entry, {"version": PROBE_VERSION, "probe": dataclasses.asdict(found)})
    return found


def _read(entry: Path) -> dict | None:
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # not cached yet, or a damaged entry: probe again
    return data if isinstance(data, dict) else None


def _write(entry: Path, data: dict) -> None:
    """Write an entry whole (a temporary file renamed into place) but not durably: a cache entry
    lost to a power cut costs one probe, and checking a campaign should not wait on the disk."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=f".{entry.name}.", suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, sort_keys=True))
        os.replace(tmp, entry)
    except OSError:
        return  # a cache that cannot be written (read-only home) only costs the next check time


def _uses(messages: Iterable[Message], jingles: Jingles) -> Iterator[tuple[Path, dict, bool]]:
    """Every recording and jingle, where it is named, and whether it is heard alone (a
    recording or the station jingle must be long enough to make a clip of its own)."""
    for name in ("station", "intro", "outro"):
        path = getattr(jingles, name)
        if path is not None:
            yield path, {"file": SETTINGS_FILE, "line": jingles.lines.get(name), "record": "jingles",
                         "field": name}, name == "station"
    for message in messages:
        for name in ("recording", "intro", "outro"):
            path = getattr(message, name)
            if path is not None:
                yield path, {"file": message.source.file, "line": message.source.line_of(name),
                             "record": message.id, "field": name}, name == "recording"


def media_problems(root: Path, messages: Iterable[Message], jingles: Jingles | None = None,
                   rules: RecordingRules | None = None) -> list[Problem]:
    """The problems of every recording and jingle, each told once, where it is first named."""
    jingles, rules = jingles or Jingles(), rules or RecordingRules()
    max_seconds = rules.max_minutes * 60
    found: list[Problem] = []
    seen: set[Path] = set()
    for path, where, alone in _uses(messages, jingles):
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        try:
            result = probed(path, max_seconds=max_seconds)
        except OSError:
            found.append(Problem("workspace.no_permission", **where))
            continue
        found += [Problem(key, severity=severity, **where, params={"value": _shown(root, path), **params})
                  for key, severity, params in judge(result, max_seconds, alone=alone)]
    return found


def workspace_problems(ws: Workspace) -> list[Problem]:
    """``media_problems`` of a loaded workspace."""
    return media_problems(ws.root, ws.messages, ws.settings.jingles, ws.settings.recordings)


def judge(result: Probe, max_seconds: float, *,
          alone: bool = True) -> list[tuple[str, str, dict]]:
    """(catalog key, severity, parameters) of each thing wrong with a probed file."""
    if not result.audio:
        return [("media.not_audio", "error", {})]
    length = result.decoded if result.decoded is not None else result.declared
    if length is not None and length > max_seconds:
        return [("media.too_long", "error",
                 {"minutes": audio.minutes_over(length), "max": f"{max_seconds / 60:g}"})]
    if result.decoded is None:
        return []
    found = []
    if result.peak_db is None or result.peak_db < SILENT_DB:
        found.append(("media.silent", "error", {"peak": _db(result.peak_db)}))
    elif alone and result.decoded < MIN_SECONDS:
        found.append(("media.too_short", "error", {"seconds": f"{result.decoded:.2f}"}))
    if result.declared and result.declared - result.decoded > max(1.0, 0.02 * result.declared):
        found.append(("media.truncated", "warning", {"at": clock(result.decoded),
                                                     "length": clock(result.declared)}))
    elif result.cut_off:
        found.append(("media.cut_off", "warning", {"at": clock(result.decoded)}))
    elif result.damage:
        found.append(("media.damaged", "warning", {"at": clock(result.damage[0]),
                                                   "count": len(result.damage)}))
    return found


def clock(seconds: float) -> str:
    """``83.4`` → ``1:23``: a time in a recording as a player shows it."""
    whole = int(seconds)
    if whole >= 3600:
        return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
    return f"{whole // 60}:{whole % 60:02d}"


def _db(value: float | None) -> str:
    return "-∞" if value is None or value == float("-inf") else f"{value:.0f}"


def _shown(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
