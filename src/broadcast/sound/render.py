"""Messages → finished, tagged MP3 clips in ``build/clips/``, re-rendering only what changed.

Plan, then execute: ``plan`` turns each message into a ``ClipJob`` (plain data naming every input
by content hash), ``render_clip`` carries one job out, ``render`` runs them on all cores.
Two cache levels: speech (the slow or online part, keyed by prepared text, engine, version, voice,
rate) and finished clips (keyed by the speech or recording bytes, profile, repeats and jingles).
Tags are written last from the message, so retitling a message never re-synthesizes it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from broadcast import fsio, interrupts, speech
from broadcast.campaign.model import Message, Profile, Workspace
from broadcast.errors import BroadcastError
from broadcast.i18n import t_in
from broadcast.progress import Notice
from broadcast.sound import audio, calibration, tags
from broadcast.sound.cache import Store, content_hash, file_sha256, key_of
from broadcast.speech import textprep

RENDER_VERSION = 1
"""Bump when the processing chain changes in a way the other key parts do not capture."""

CLIPS_DIR = Path("build") / "clips"
CACHE_DIR = Path("build") / "cache"


@dataclass(frozen=True)
class ClipJob:
    """Everything needed to make one clip, with its cache keys."""

    message_id: str
    output: Path
    cache_root: Path
    profile: Profile
    repeat: int
    speech_key: str
    clip_key: str
    tags: dict
    text: str | None = None
    engine: str | None = None
    voice: str | None = None
    rate: float = 1.0
    recording: Path | None = None
    intro: Path | None = None
    outro: Path | None = None
    max_seconds: float | None = None
    """Longer recordings and jingles are refused before they are decoded."""


@dataclass(frozen=True)
class ClipResult:
    id: str
    path: str
    title: str
    language: str
    duration: float
    lufs: float
    true_peak: float
    target_lufs: float
    true_peak_limit: float
    cached: bool
    sha256: str
    warnings: tuple[Notice, ...] = ()
    """What the office should know about the clip's source (a recording far too quiet, or
    clipped), said every time the clip is used until the recording is replaced."""


QUIET_GAIN_DB = 20.0
"""A recording more than this below the target loudness was recorded far too quietly: the gain
that brings it up brings its noise up with it (issue 11)."""


def lexicon_for(ws: Workspace) -> textprep.Lexicon:
    return textprep.builtin_lexicon().extended(**ws.lexicon)


STATION = "_station"
"""Clip id of the station jingle; message ids cannot start with "_", so it never collides."""


def plan(ws: Workspace, *, offline: bool = False) -> list[ClipJob]:
    """One job per message that can be rendered (messages awaiting a recording are skipped),
    plus the station jingle, normalized like the clips so a slot plays at one loudness."""
    lexicon = lexicon_for(ws)
    jobs = [_job(ws, m, lexicon, offline) for m in ws.messages if not m.awaiting_recording]
    if ws.settings.jingles.station is not None:
        jobs.append(_job(ws, _station_message(ws), lexicon, offline))
    return jobs


def _station_message(ws: Workspace) -> Message:
    return Message(id=STATION, title=t_in("vi", "render.station_title"), language="zxx",
                   recording=ws.settings.jingles.station, speaker=ws.settings.organization,
                   no_intro=True, no_outro=True, profile=None)


def _jingle(ws: Workspace, message: Message, which: str) -> Path | None:
    if getattr(message, f"no_{which}"):
        return None
    return getattr(message, which) or getattr(ws.settings.jingles, which)


def engine_for(ws: Workspace, message: Message, offline: bool) -> str:
    """The speech engine that speaks ``message``: espeak when offline, else the message's own
    choice, else the campaign's."""
    return "espeak" if offline else (message.engine or ws.settings.speech.engine)


def _job(ws: Workspace, message: Message, lexicon: textprep.Lexicon, offline: bool) -> ClipJob:
    profile = ws.profile_for(message)
    if message.recording is not None:
        # A person reading in a studio chose their own pace; ``tempo`` is for synthesized speech.
        profile = replace(profile, tempo=profile.recording_tempo)
    if message.id == STATION:
        # Music keeps its own tempo and needs no lead-in: it sits between items.
        profile = replace(profile, tempo=1.0, lead_in_ms=0, lead_out_ms=0)
    intro, outro = _jingle(ws, message, "intro"), _jingle(ws, message, "outro")
    voice_parts: dict[str, object] = {}
    text = None
    if message.recording is not None:
        speech_key = key_of({"recording": content_hash(message.recording)})
    else:
        engine_name = engine_for(ws, message, offline)
        engine = speech.engine(engine_name)
        text = textprep.prepare(message.text or "", lexicon)
        voice_parts = {"engine": engine_name, "voice": message.voice or ws.settings.speech.voice
                       or engine.default_voice(), "rate": ws.settings.speech.rate}
        speech_key = key_of({"text": text, "version": engine.version(), **voice_parts})
    clip_key = key_of({
        "speech": speech_key, "profile": _keyed(profile),
        "repeat": message.repeat, "render": RENDER_VERSION, "ffmpeg": audio.ffmpeg_version(),
        "intro": content_hash(intro) if intro else None,
        "outro": content_hash(outro) if outro else None,
    })
    return ClipJob(
        message_id=message.id, output=ws.root / CLIPS_DIR / f"{message.id}.mp3",
        cache_root=ws.root / CACHE_DIR, profile=profile, repeat=message.repeat,
        speech_key=speech_key, clip_key=clip_key, tags=_tag_values(ws, message, voice_parts),
        text=text, recording=message.recording, intro=intro, outro=outro,
        max_seconds=ws.settings.recordings.max_minutes * 60, **voice_parts,
    )


def _keyed(profile: Profile) -> dict:
    """The profile as the clip key sees it: its name does not change the sound, and
    ``recording_tempo`` is already in ``tempo`` (so keys made before it existed still hold)."""
    fields = asdict(profile) | {"name": None}
    del fields["recording_tempo"]
    return fields


def _tag_values(ws: Workspace, message: Message, voice: dict) -> dict[str, str | None]:
    artist = message.speaker or (f"{voice['engine']} ({voice['voice']})" if voice else None)
    if message.id == STATION:
        return {"title": message.title, "artist": artist, "album": ws.settings.campaign.name,
                "publisher": ws.settings.organization, "year": str(ws.settings.campaign.start.year),
                "message_id": message.id}
    return {
        "title": message.title, "artist": artist, "album": ws.settings.campaign.name,
        "genre": message.topics[0] if message.topics else None, "language": message.language,
        "publisher": ws.settings.organization, "year": str(ws.settings.campaign.start.year),
        "comment": message.comment, "transcript": message.text, "message_id": message.id,
        "topics": "; ".join(message.topics) or None, "priority": message.priority,
        "valid_from": message.valid_from and message.valid_from.isoformat(),
        "valid_until": message.valid_until and message.valid_until.isoformat(),
    }


def is_cached(job: ClipJob) -> bool:
    """Whether the finished clip of ``job`` is in the cache already (rendering it costs nothing)."""
    return Store(job.cache_root / "clips").get(job.clip_key, ".mp3") is not None


def _speech_source(job: ClipJob) -> Path:
    """The speech audio of a job: the recording, or synthesized once into the speech cache."""
    if job.recording is not None:
        return job.recording
    engine = speech.engine(job.engine or "")
    store = Store(job.cache_root / "speech")
    blob = store.blob(job.speech_key, engine.SUFFIX)
    if store.get(job.speech_key, engine.SUFFIX) is None:
        with _sealing(blob):
            engine.synthesize(job.text or "", blob, voice=job.voice, rate=job.rate)
            store.commit(job.speech_key, engine.SUFFIX, {"engine": job.engine, "voice": job.voice})
    return blob


@contextlib.contextmanager
def _sealing(blob: Path) -> Iterator[None]:
    """A blob is an entry only once its record is written: if the block fails or is
    interrupted in between, the blob goes too, so no unsealed audio is left in the cache."""
    try:
        yield
    except BaseException:
        blob.unlink(missing_ok=True)
        raise


@functools.lru_cache(maxsize=8)
def _decoded_jingle(path: Path, content: str, rate: int, max_seconds: float | None) -> audio.AudioSegment:
    """A decoded jingle, kept for the worker's whole run: every clip may start with the same
    chime, and decoding it once per clip was a tenth of the render's ffmpeg runs."""
    return audio.decode(path, rate=rate, max_seconds=max_seconds)


def _make_clip(job: ClipJob, store: Store) -> dict:
    profile = job.profile
    sound = audio.decode(_speech_source(job), rate=profile.sample_rate, tempo=profile.tempo,
                         max_seconds=job.max_seconds)
    sound = audio.trim_silence(sound, profile.silence_threshold_db)
    intro, outro = (_decoded_jingle(p, content_hash(p), profile.sample_rate, job.max_seconds) if p else None
                    for p in (job.intro, job.outro))
    clip = audio.assemble(sound, profile, repeat=job.repeat, intro=intro, outro=outro)
    levels = audio.source_levels(job.recording) if job.recording is not None else None
    learned = calibration.key(profile, "recording" if job.recording is not None else str(job.engine))
    blob = store.blob(job.clip_key, ".mp3")
    with _sealing(blob):
        made = audio.finish(clip, profile, blob,
                            encoder_shift=calibration.encoder_shift(job.cache_root, learned))
        record = store.commit(job.clip_key, ".mp3", {
            "lufs": made.lufs, "true_peak": made.true_peak, "gain_db": round(made.gain_db, 2),
            "duration": round(len(clip) / 1000, 3), "sha256": file_sha256(blob),
            **({"source_lufs": levels.lufs, "source_peak_db": round(levels.peak_db, 2),
                "clipped": levels.clipped} if levels else {})})
    calibration.learn(job.cache_root, learned, made.encoder_shift)
    return record


def _warnings(job: ClipJob, record: dict) -> tuple[Notice, ...]:
    """What a recording's clip record says about how it was recorded."""
    if job.recording is None:
        return ()
    found = []
    source = record.get("source_lufs")
    boost = job.profile.target_lufs - source if isinstance(source, (int, float)) else 0.0
    if boost > QUIET_GAIN_DB:
        found.append(Notice("audio.quiet_recording",
                            {"id": job.message_id, "path": str(job.recording), "gain": f"{boost:.0f}"}))
    if record.get("clipped"):
        found.append(Notice("audio.clipped_recording", {"id": job.message_id, "path": str(job.recording)}))
    return tuple(found)


def render_clip(job: ClipJob) -> ClipResult:
    """Make (or reuse) one clip and write its tagged copy to ``job.output`` if it changed."""
    store = Store(job.cache_root / "clips")
    record = store.get(job.clip_key, ".mp3")
    audio_bytes = store.blob(job.clip_key, ".mp3").read_bytes() if record else b""
    if record and hashlib.sha256(audio_bytes).hexdigest() != record["sha256"]:
        record = None  # the cached audio was damaged on disk: make it again, never pass it on
    cached = record is not None
    if record is None:
        record = _make_clip(job, store)
        audio_bytes = store.blob(job.clip_key, ".mp3").read_bytes()
    data = tags.tagged(audio_bytes, {**job.tags, "content_hash": record["sha256"]})
    _write_if_changed(job.output, data)
    return ClipResult(
        id=job.message_id, path=str(job.output), title=str(job.tags["title"]),
        language=str(job.tags.get("language") or ""), duration=record["duration"], lufs=record["lufs"],
        true_peak=record["true_peak"], target_lufs=job.profile.target_lufs,
        true_peak_limit=job.profile.true_peak_dbtp, cached=cached, sha256=record["sha256"],
        warnings=_warnings(job, record))


def _write_if_changed(path: Path, data: bytes) -> None:
    """Leave an identical clip alone: its timestamp and any hard links to it stay as they are."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    fsio.write_bytes(path, data)


@dataclass(frozen=True)
class Failure:
    id: str
    error: BroadcastError


@dataclass(frozen=True)
class Clips:
    """What the render step produced."""

    results: tuple[ClipResult, ...]
    failures: tuple[Failure, ...]

    def by_id(self) -> dict[str, ClipResult]:
        return {r.id: r for r in self.results}


def render(jobs: list[ClipJob], *, workers: int | None = None,
           progress: Callable[[ClipResult | Failure], None] | None = None,
           ) -> tuple[list[ClipResult], list[Failure]]:
    """Run every job, in parallel when it helps; one failing clip does not stop the others.

    Ctrl-C or SIGTERM cancels the queued jobs and ends the running ones within a couple of
    seconds, their ffmpeg children and temporary files with them, and is raised again here.
    Temporaries that an earlier, killed run left under ``build/`` are removed first.
    """
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
    _remove_leftovers(jobs)
    results: dict[str, ClipResult] = {}
    failures: list[Failure] = []

    def record(job_id: str, outcome: Callable[[], ClipResult]) -> None:
        try:
            item: ClipResult | Failure = outcome()
            results[job_id] = item
        except BroadcastError as exc:
            item = Failure(job_id, exc)
            failures.append(item)
        if progress:
            progress(item)

    if workers == 1:
        for job in jobs:
            record(job.message_id, lambda job=job: render_clip(job))
    else:
        with interrupts.process_pool(workers) as pool:
            futures = interrupts.submit_all(pool, render_clip, jobs)
            for future in interrupts.completed(futures):
                record(futures[future].message_id, future.result)
    order = [job.message_id for job in jobs]
    return [results[i] for i in order if i in results], failures


def _remove_leftovers(jobs: list[ClipJob]) -> None:
    """Temporaries that a run killed outright (SIGKILL, power loss) left anywhere under
    ``build/`` (cache, clips, schedules): every command that renders holds the workspace lock,
    so none of them is still being written."""
    for build in {job.cache_root.parent for job in jobs}:
        fsio.remove_stale_temporaries(build, recursive=True)


def prune(ws: Workspace, keep: Iterable[str]) -> list[Path]:
    """Remove clips of messages no longer in the workspace, so packages never pick them up."""
    wanted = {f"{i}.mp3" for i in keep}
    folder = ws.root / CLIPS_DIR
    removed = []
    for path in folder.glob("*.mp3") if folder.is_dir() else ():
        if path.name not in wanted:
            path.unlink()
            removed.append(path)
    return removed
