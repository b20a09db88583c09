"""A commune's package: the files a stick carries, named and ordered for the dumbest player.

Layout (``dist/packages/<commune-id>/``)::

    01_1511_sang/001_nhac-hieu.mp3     one folder per day × slot, in broadcast order,
    01_1511_sang/002_tao-hon.mp3       files numbered in play order (folder-order players
    02_1511_chieu/...                  play directory order; digits first, ASCII only)
    danh-sach-phat/2026-11-15_sang.m3u8  playlists (M3U8 + PLS) per day × slot, and one per slot
    lich-phat.csv                      the schedule sheet
    nhat-ky-phat.csv                   the blank play log, to fill in and send back
    index.html                         offline page: schedule and player
    HUONG-DAN.txt                      instructions for the operator, in Vietnamese
    manifest.json                      every file: path, size, sha256, duration, title

``plan_package`` builds all of it as data (``PackagePlan``); ``write_folder`` carries it out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from broadcast import __version__, fsio
from broadcast.campaign.model import WEEKDAYS, Commune, Workspace
from broadcast.i18n import t_in
from broadcast.package import destination, guide, page, playlog
from broadcast.package.links import Links
from broadcast.package.manifest import NAME as MANIFEST_NAME
from broadcast.package.manifest import PLAY_LOG, FileEntry, Manifest
from broadcast.plan import playlist
from broadcast.plan.schedule import CommunePlan, Item, Schedule, SlotPlan
from broadcast.sound.cache import content_hash, inode_hash

PACKAGES_DIR = Path("dist") / "packages"
PLAYLIST_DIR = "danh-sach-phat"
SHEET_NAME = "lich-phat.csv"
PLAY_LOG_NAME = PLAY_LOG


@dataclass(frozen=True)
class PackageFile:
    """One file of a package: copied from ``source`` or written from ``content``."""

    path: str
    kind: str
    source: Path | None = None
    content: bytes | None = None
    duration: float | None = None
    title: str | None = None
    message: str | None = None
    language: str | None = None
    topics: tuple[str, ...] | None = None

    def sha256(self) -> str:
        if self.content is not None:
            return hashlib.sha256(self.content).hexdigest()
        return content_hash(self.source)

    def size(self) -> int:
        return len(self.content) if self.content is not None else self.source.stat().st_size


@dataclass(frozen=True)
class PackagePlan:
    commune: Commune
    files: tuple[PackageFile, ...]
    manifest: Manifest

    def manifest_bytes(self) -> bytes:
        return self.manifest.to_json().encode("utf-8")


def slug(text: str, limit: int = 24) -> str:
    """ASCII letters, digits, '-' and '_' only: FAT player firmware often reads nothing else."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")
    return cleaned[:limit].rstrip("-") or "x"


def folder_name(number: int, day: dt.date, slot: str, width: int) -> str:
    return f"{number:0{width}d}_{day:%d%m}_{slug(slot, 12)}"


def _file_name(number: int, item: Item) -> str:
    stem = "nhac-hieu" if item.kind == "jingle" else slug(item.id)
    return f"{number:03d}_{stem}.mp3"


@dataclass(frozen=True)
class _Placed:
    """A slot of the plan with the package path of each item."""

    day: dt.date
    slot: SlotPlan
    folder: str
    paths: tuple[str, ...]


def _place(plan: CommunePlan) -> list[_Placed]:
    slots = [(day.date, slot) for day in plan.days for slot in day.slots if slot.items]
    width = 2 if len(slots) <= 99 else 3  # DFPlayer-style modules address folders 01–99
    placed = []
    for number, (day, slot) in enumerate(slots, start=1):
        folder = folder_name(number, day, slot.slot, width)
        paths = tuple(f"{folder}/{_file_name(i, item)}" for i, item in enumerate(slot.items, start=1))
        placed.append(_Placed(day, slot, folder, paths))
    return placed


def _audio_files(placed: list[_Placed], clip_paths: dict[str, Path],
                 topics: dict[str, tuple[str, ...]]) -> list[PackageFile]:
    return [PackageFile(path=path, kind="audio", source=clip_paths[item.id], duration=item.duration,
                        title=item.title, message=item.id, language=item.language or None,
                        topics=topics.get(item.id))
            for slot in placed for item, path in zip(slot.slot.items, slot.paths, strict=True)]


def _playlists(placed: list[_Placed], evergreen: dict[str, list[Item]],
               titles: dict[str, str]) -> list[PackageFile]:
    """Playlists point into the audio folders: ``../01_1511_sang/001_x.mp3``; each is named by
    its slot's title (``titles``: code → name operators use) and day."""
    texts: dict[str, str] = {}
    first_path: dict[str, str] = {}
    for slot in placed:
        pairs = list(zip(slot.slot.items, slot.paths, strict=True))
        entries = [playlist.Entry(f"../{path}", item.duration, item.title) for item, path in pairs]
        texts.update(playlist.both(f"{PLAYLIST_DIR}/{slot.day.isoformat()}_{slug(slot.slot.slot, 12)}",
                                   entries, playlist.slot_title(titles.get(slot.slot.slot, slot.slot.slot),
                                                                slot.day)))
        for item, path in pairs:
            first_path.setdefault(item.id, path)
    for slot_name, items in sorted(evergreen.items()):
        entries = [playlist.Entry(f"../{first_path[i.id]}", i.duration, i.title) for i in items
                   if i.id in first_path]
        texts.update(playlist.both(f"{PLAYLIST_DIR}/{slug(slot_name, 12)}", entries, titles.get(slot_name)))
    return [PackageFile(name, "playlist", content=text.encode("utf-8")) for name, text in texts.items()]


def _sheets(commune_plan: CommunePlan, placed: list[_Placed], titles: dict[str, str]) -> list[PackageFile]:
    """The schedule, and the blank play log the operator fills in and sends back."""
    paths = {(slot.day, slot.slot.slot): slot.paths for slot in placed}

    def path_of(day: dt.date, slot: SlotPlan, index: int) -> str:
        return paths[day, slot.slot][index]

    return [PackageFile(SHEET_NAME, "sheet",
                        content=playlist.schedule_sheet(commune_plan, path_of,
                                                        titles=titles).encode("utf-8")),
            PackageFile(PLAY_LOG_NAME, "sheet",
                        content=playlog.blank_sheet(commune_plan, path_of, titles).encode("utf-8"))]


def page_data(ws: Workspace, commune: Commune, placed: list[_Placed], version: str,
              created: str, fingerprint: str | None = None) -> dict:
    """What the offline page and the instructions show: the schedule with package paths."""
    days: dict[str, dict] = {}
    titles = commune.slot_titles
    for slot in placed:
        day = days.setdefault(slot.day.isoformat(), {
            "date": slot.day.isoformat(), "slots": [],
            "weekday": t_in("vi", f"sheet.day_{WEEKDAYS[slot.day.weekday()]}")})
        items = [{**item.to_json(), "path": path}
                 for item, path in zip(slot.slot.items, slot.paths, strict=True)]
        day["slots"].append({"slot": slot.slot.slot, "title": titles.get(slot.slot.slot, slot.slot.slot),
                             "start": slot.slot.start.strftime("%H:%M"),
                             "minutes": slot.slot.minutes, "folder": slot.folder, "items": items})
    campaign = ws.settings.campaign
    return {"organization": ws.settings.organization, "version": version, "created": created,
            "campaign": {"id": campaign.id, "name": campaign.name, "start": campaign.start.isoformat(),
                         "end": campaign.end.isoformat()},
            "commune": {"id": commune.id, "name": commune.name, "province": commune.province},
            "fingerprint": fingerprint, "contact": _contact(ws), "days": list(days.values())}


def _contact(ws: Workspace) -> dict | None:
    contact = ws.settings.contact
    return {k: v for k, v in vars(contact).items() if v} if contact else None


OUTPUTS = ("build", "dist", "keys")
"""Folders broadcast writes into a workspace; with the ledger they are not inputs of a package."""


def _is_input(name: str) -> bool:
    return not name.startswith(".") and not name.startswith("ledger.sqlite")


def _newest_input(root: Path) -> float:
    """The newest modification time among the workspace's input files. The output folders are
    never entered: with a thousand communes they hold millions of files, and walking them made
    a one-commune build cost all of them."""
    newest = 0.0
    for folder, dirs, files in os.walk(root):
        if folder == str(root):
            dirs[:] = [d for d in dirs if d not in OUTPUTS]
        dirs[:] = [d for d in dirs if _is_input(d)]
        for name in files:
            if _is_input(name):
                with contextlib.suppress(FileNotFoundError):
                    newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime)
    return newest


def created_time(ws: Workspace) -> str:
    """The package's creation time, from the workspace, not the clock: rebuilding the same
    workspace gives identical bytes. SOURCE_DATE_EPOCH (reproducible-builds.org) wins if set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        epoch = str(int(_newest_input(ws.root)))
    stamp = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def plan_package(ws: Workspace, schedule_: Schedule, commune_plan: CommunePlan,
                 clip_paths: dict[str, Path], evergreen: dict[str, list[Item]], created: str,
                 seal: Callable[[Manifest], Manifest] = lambda m: m,
                 fingerprint: str | None = None) -> PackagePlan:
    """Every file of one commune's package, as data, with its manifest.

    ``seal`` finishes the manifest (version number, expiry, signature); the page and the
    instructions show ``fingerprint``, the signing key's, so an operator can check it by phone.
    """
    commune = next(c for c in ws.communes if c.id == commune_plan.commune)
    placed = _place(commune_plan)
    topics = {m.id: m.topics for m in ws.messages if m.topics}
    files = [*_audio_files(placed, clip_paths, topics), *_playlists(placed, evergreen, commune.slot_titles),
             *_sheets(commune_plan, placed, commune.slot_titles)]
    version = hashlib.sha256("".join(f"{f.path}\0{f.sha256()}\n" for f in files).encode()).hexdigest()[:16]
    data = page_data(ws, commune, placed, version, created, fingerprint)
    files += [PackageFile("index.html", "page", content=page.render(data).encode("utf-8")),
              PackageFile(guide.NAME, "text", content=guide.render(data).encode("utf-8-sig"))]
    manifest = Manifest(
        campaign=data["campaign"], organization=ws.settings.organization, commune=data["commune"],
        version=version, created=created, tool=f"broadcast {__version__}",
        files=tuple(FileEntry(path=f.path, size=f.size(), sha256=f.sha256(), kind=f.kind,
                              duration=f.duration, title=f.title, message=f.message,
                              language=f.language, topics=f.topics) for f in files))
    return PackagePlan(commune, tuple(files), seal(manifest))


@dataclass(frozen=True)
class Written:
    """What writing one package did."""

    folder: Path
    changed: bool
    repaired: tuple[str, ...] = ()
    """Files of an unchanged package found damaged (size or sha256) and written afresh."""


def damaged_files(folder: Path, manifest: Manifest) -> list[str]:
    """Paths of ``folder`` whose size or sha256 no longer match the manifest. Audio is hard-linked
    from ``build/clips``, so one damaged byte would be in every package; hashes are memoized
    per inode and change, so checking hundreds of links to one clip reads it once."""
    damaged = []
    for entry in manifest.files:
        path = folder / entry.path
        try:
            intact = path.stat().st_size == entry.size and inode_hash(path) == entry.sha256
        except FileNotFoundError:
            intact = False
        if not intact:
            damaged.append(entry.path)
    return damaged


def write_folder(plan: PackagePlan, root: Path, links: Links, *,
                 copy: Callable[[int], None] | None = None) -> Written:
    """Write the package to ``root/<commune-id>/``, only if broadcast may replace what is there.

    Built in a fresh folder of broadcast's own and swapped in whole, so the final name never
    holds a half package; an identical package already there is checked file by file and left
    untouched, or rebuilt when any of its files was damaged. Audio is linked through ``links``
    (so no clip runs out of links); ``copy`` hears the bytes of each clip that had to be copied
    because hard links are not available.
    """
    final = root / plan.commune.id
    fsio.recover_folder(final)
    existing = destination.check_replaceable(final, plan.commune.id, file_hash=inode_hash)
    manifest_bytes = plan.manifest_bytes()
    repaired: tuple[str, ...] = ()
    if existing is not None and (final / MANIFEST_NAME).read_bytes() == manifest_bytes:
        repaired = tuple(damaged_files(final, plan.manifest))
        if not repaired:
            return Written(final, False)
    staging = fsio.own_sibling(final, "new")
    try:
        for item in plan.files:
            _put(item, staging / item.path, links, copy)
        fsio.write_bytes(staging / MANIFEST_NAME, manifest_bytes)
        fsio.replace_folder(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # our own half folder; the old one is intact
        raise
    return Written(final, True, repaired)


def can_link(source: Path, folder: Path) -> bool:
    """Whether ``folder`` can hold hard links to ``source`` (not on FAT, exFAT, many network
    shares, or across disks): tried once with a probe of broadcast's own name."""
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / f".link-probe-{os.getpid()}.part"
    try:
        os.link(source, probe)
    except OSError:
        return False
    probe.unlink()
    return True


def _put(item: PackageFile, target: Path, links: Links, copy: Callable[[int], None] | None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if item.content is not None:
        target.write_bytes(item.content)
        return
    copied = links.place(item.source, target)  # clips are immutable once written: share, do not copy
    if copied and copy:
        copy(copied)
