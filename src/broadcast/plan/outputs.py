"""The schedule written out: per commune, playlists for every day and slot, date-less playlists,
the schedule sheet and, if asked for, one mixdown MP3 per slot (``build/schedule/<commune>/``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from broadcast import fsio
from broadcast.campaign.model import Workspace
from broadcast.errors import InputError
from broadcast.plan import playlist, schedule
from broadcast.plan.dateless import evergreen
from broadcast.sound import audio, render
from broadcast.sound.cache import Store, key_of

if TYPE_CHECKING:
    from broadcast.sound.render import Clips

SCHEDULE_DIR = Path("build") / "schedule"


def _relative(path: str, folder: Path) -> str:
    return Path(os.path.relpath(path, folder)).as_posix()


def _entries(items: Iterable[schedule.Item], folder: Path) -> list[playlist.Entry]:
    return [playlist.Entry(_relative(item.path, folder), item.duration, item.title) for item in items]


def write_schedule(ws: Workspace, plan_: schedule.Schedule, made: Clips, *,
                   mixdown: bool | None = None, communes: Collection[str] | None = None) -> list[Path]:
    """Playlists per commune × day × slot (M3U8 and PLS), one per slot for players that cannot
    follow dates, a CSV schedule sheet per commune, and mixdowns if asked for; only for
    ``communes`` when they are named (the others' files are left as they are)."""
    mixdown = ws.settings.schedule.mixdown if mixdown is None else mixdown
    written: list[Path] = []
    chosen = [c for c in plan_.communes if communes is None or c.commune in communes]
    for commune in chosen:  # every folder checked before a byte is written in any of them
        check_own_folder(ws.root / SCHEDULE_DIR / commune.commune)
    for commune in chosen:
        folder = ws.root / SCHEDULE_DIR / commune.commune
        titles = next(c for c in ws.communes if c.id == commune.commune).slot_titles
        files: dict[str, str | Path] = {}
        for day in commune.days:
            for slot in day.slots:
                name = f"{day.date.isoformat()}_{slot.slot}"
                files.update(playlist.both(name, _entries(slot.items, folder), playlist.slot_title(
                    titles.get(slot.slot, slot.slot), day.date)))
                if mixdown and slot.items:
                    files[f"{MIXDOWN_DIR}/{name}.mp3"] = _mixdown(ws, slot, made)
        for slot_name, items in evergreen(ws, plan_, commune.commune).items():
            files.update(playlist.both(slot_name, _entries(items, folder), titles.get(slot_name)))
        files[SHEET_NAME] = playlist.schedule_sheet(
            commune, lambda _day, slot, index, here=folder: _relative(slot.items[index].path, here),
            titles=titles)
        written += _replace_folder(folder, files)
    return written


def _mixdown(ws: Workspace, slot: schedule.SlotPlan, made: Clips) -> Path:
    """One MP3 of the whole slot, cached by its content: the same sequence is joined once.
    Its length is the plan's to the sample (``audio.join``)."""
    by_id = made.by_id()
    store = Store(ws.root / render.CACHE_DIR / "mixdown")
    gap = ws.settings.schedule.gap_seconds
    clips_ = [by_id[item.id] for item in slot.items]
    key = key_of({"parts": [c.sha256 for c in clips_], "gap": gap, "join": JOIN_VERSION})
    if store.get(key, ".mp3") is None:
        parts = [(Path(c.path), _quiet_tail(ws, item)) for c, item in zip(clips_, slot.items, strict=True)]
        if gap > 0:
            silence = (_silence(ws, gap), gap)
            parts = [p for part in parts for p in (part, silence)][:-1]
        audio.join([p for p, _ in parts], store.blob(key, ".mp3"), ws.profiles[ws.settings.profile],
                   [tail for _, tail in parts])
        store.commit(key, ".mp3", {"items": [i.id for i in slot.items]})
    return store.blob(key, ".mp3")


JOIN_VERSION = 2
"""Mixdowns joined before joints kept time (version 1) are joined again."""


def _quiet_tail(ws: Workspace, item: schedule.Item) -> float:
    """Seconds of silence a clip ends with (its profile's lead-out): the joiner may shorten it
    to absorb the next clip's encoder delay. The station jingle ends on its last note."""
    if item.kind == "jingle":
        return 0.0
    message = next((m for m in ws.messages if m.id == item.id), None)
    return ws.profile_for(message).lead_out_ms / 1000 if message else 0.0


def _silence(ws: Workspace, seconds: float) -> Path:
    profile = ws.profiles[ws.settings.profile]
    store = Store(ws.root / render.CACHE_DIR / "clips")
    key = key_of({"silence": seconds, "profile": profile.name, "rate": profile.sample_rate,
                  "bitrate": profile.bitrate_kbps})
    if store.get(key, ".mp3") is None:
        audio.silence_mp3(seconds, profile, store.blob(key, ".mp3"))
        store.commit(key, ".mp3", {"silence": seconds})
    return store.blob(key, ".mp3")


MIXDOWN_DIR = "mixdown"
SHEET_NAME = "lich-phat.csv"
OWN_SUFFIXES = (".m3u8", ".pls")


def check_own_folder(folder: Path) -> None:
    """A commune's schedule folder is rewritten whole (stale playlists go), so it may hold only
    what broadcast writes there: playlists, the schedule sheet, mixdowns, and its own
    temporaries. A file or a link of the user's is refused (InputError) and nothing is touched."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise InputError("destination.not_a_folder", path=folder)
    if not folder.exists():
        return
    foreign = [name for name in _entries_of(folder) if not _is_own_output(name)]
    if foreign:
        raise InputError("schedule.foreign_files", path=folder, count=len(foreign),
                         names=", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else ""))


def _entries_of(folder: Path, prefix: str = "") -> list[str]:
    """Names under ``folder`` ("mixdown/x.mp3"); anything but a plain file ends in "/" (a folder
    or a link is never broadcast's here, except the mixdown folder, which is entered)."""
    names = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if not prefix and entry.name == MIXDOWN_DIR and entry.is_dir(follow_symlinks=False):
            names += _entries_of(Path(entry.path), f"{MIXDOWN_DIR}/")
        else:
            names.append(prefix + entry.name + ("" if entry.is_file(follow_symlinks=False) else "/"))
    return names


def _is_own_output(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    if fsio.is_temporary_name(base):
        return True
    if name.endswith("/"):
        return False
    if name.startswith(f"{MIXDOWN_DIR}/"):
        return base.endswith(".mp3")
    return base == SHEET_NAME or base.endswith(OWN_SUFFIXES)


def _replace_folder(folder: Path, files: dict[str, str | Path]) -> list[Path]:
    """Make ``folder`` hold exactly ``files`` (text, or a cached file to link in), each written
    atomically and only when it changed; anything else in it is removed."""
    written = []
    with fsio.batch():  # one data sync and one folder sync for the folder, not two per playlist
        for name, body in files.items():
            target = folder / name
            if isinstance(body, Path):
                _link(body, target)
            elif not target.exists() or target.read_bytes() != body.encode("utf-8"):
                fsio.write_text(target, body)
            written.append(target)
    keep = {p.resolve() for p in written}
    for path in sorted(folder.rglob("*"), reverse=True) if folder.exists() else ():
        if path.is_file() and path.resolve() not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written


def _link(source: Path, target: Path) -> None:
    """Hard-link a cached file into place (no copy), falling back to a copy across devices."""
    if target.exists() and os.path.samefile(source, target):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with fsio.atomic_path(target) as tmp:
        tmp.unlink()
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
