"""What broadcast may replace: a package folder it made itself, an empty folder, or nothing.

``build`` (``dist/packages/<commune>``), ``usb --replace`` (``<stick>/<commune>``) and ``pull``
(``DEST``) each put a new package in place of a folder. Before a byte is written, the folder is
checked here: it must be absent, empty, or a broadcast package of the same commune (recognized
by its manifest) holding nothing the manifest does not list. A folder of the user's own, the
campaign folder, another commune's package, or a package someone added files to is refused,
naming the folder and saying what to do. A play log the operator has filled in is the
operator's work, not broadcast's, so a package holding one is refused too until it is saved.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from broadcast import fsio
from broadcast.errors import InputError
from broadcast.package import manifest as manifest_format
from broadcast.package.manifest import Manifest

WORKSPACE_FILE = "broadcast.yaml"
SHOWN_NAMES = 3


def is_own_temporary(path: str, listed: set[str]) -> bool:
    """broadcast's own temporary names: ``fsio.atomic_path`` files, and pull's partial download
    of a file the manifest lists (``<path>.part``). Any other name is the user's, even one that
    looks like a temporary (``.ghi-chu.part``): the folder holding it is not replaced."""
    name = path.rsplit("/", 1)[-1]
    return fsio.is_temporary_name(name) or (path.endswith(".part") and path[:-5] in listed)


def check_replaceable(folder: Path, commune: str, *, file_hash=None) -> Manifest | None:
    """The manifest of the package broadcast may replace at ``folder``, or None when the folder
    is absent or empty; InputError (exit 2) for anything else. ``file_hash(path)`` gives a
    file's sha256 (memoized by the caller); it is needed only to notice a filled-in play log."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise InputError("destination.not_a_folder", path=folder)
    check_outside_campaign(folder)
    for place in folder.parents:  # a path through a file is told as that file
        if place.exists() and not place.is_dir():
            raise InputError("destination.through_a_file", path=place)
    if folder.exists() and os.path.ismount(folder):  # a disk's root is never renamed or replaced
        raise InputError("destination.root", path=folder, suggestion=folder / commune)
    if not folder.exists() or not any(folder.iterdir()):
        return None
    if (folder / WORKSPACE_FILE).exists():
        raise InputError("destination.workspace", path=folder)
    found = _read_manifest(folder)
    if found is None:
        raise InputError("destination.not_ours", path=folder, names=_names(_all_entries(folder)))
    if found.commune.get("id") != commune:
        raise InputError("destination.other_commune", path=folder, found=found.commune.get("id"),
                         commune=commune)
    extra = _extra_entries(folder, found)
    if extra:
        raise InputError("destination.extra_files", path=folder, names=_names(extra),
                         count=len(extra))
    log = next((f for f in found.files if f.path == manifest_format.PLAY_LOG), None)
    if log is not None and file_hash is not None and (folder / log.path).is_file() \
            and file_hash(folder / log.path) != log.sha256:
        raise InputError("destination.play_log_filled", path=folder / log.path)
    return found


OWN_PLACES = frozenset({"dist", "build"})
"""The folders of a campaign that hold only what broadcast makes (packages, images, clips)."""


def check_outside_campaign(folder: Path) -> None:
    """A package never goes into a campaign's own files (messages, recordings, keys, or the
    campaign folder's top level), even into an empty folder there: only under its dist/ or
    build/ folders, which broadcast makes. Disk images (``image -o``) go by the same rule."""
    where = folder.resolve()
    if (where / WORKSPACE_FILE).is_file():
        raise InputError("destination.workspace", path=folder)
    for parent in where.parents:
        if (parent / WORKSPACE_FILE).is_file():
            if where.relative_to(parent).parts[0] not in OWN_PLACES:
                raise InputError("destination.inside_workspace", path=folder, workspace=parent)
            return


def check_output_file(path: Path, ours: Callable[[Path], bool]) -> None:
    """An output file (a report, a QR code, a key) may be written at ``path`` only where nothing
    is yet, or over an earlier output of the same kind that ``ours(path)`` recognizes as
    broadcast's own; InputError (exit 2) for anything else, before a byte is written: a file of
    the user's, a link (whose target would be the user's), a folder, or a path through a file."""
    for place in path.parents:
        if place.exists() or place.is_symlink():
            if not place.is_dir():
                raise InputError("destination.through_a_file", path=place)
            break
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise InputError("destination.file_not_a_file", path=path)
    if path.exists() and not ours(path):
        raise InputError("destination.file_not_ours", path=path)


def head(path: Path, size: int = 4096) -> bytes:
    """The first bytes of a file, for recognizing an output of broadcast's own; b"" when unreadable."""
    try:
        with open(path, "rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def _read_manifest(folder: Path) -> Manifest | None:
    path = folder / manifest_format.NAME
    if not path.is_file() or path.is_symlink():
        return None
    try:
        return manifest_format.parse(path.read_text(encoding="utf-8"), str(path))
    except (InputError, UnicodeDecodeError, OSError):
        return None  # not a manifest broadcast can read: the folder is not known to be ours


def _all_entries(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


def _extra_entries(folder: Path, found: Manifest) -> list[str]:
    """Files and folders under ``folder`` that the manifest does not account for."""
    listed = {f.path for f in found.files} | {manifest_format.NAME}
    folders = {"/".join(p.split("/")[:depth]) for p in listed for depth in range(1, p.count("/") + 1)}
    extra = []
    for here, dirs, files in os.walk(folder):
        base = Path(here).relative_to(folder).as_posix()
        prefix = "" if base == "." else f"{base}/"
        for name in sorted(dirs):
            if f"{prefix}{name}" not in folders or os.path.islink(os.path.join(here, name)):
                extra.append(f"{prefix}{name}/")
        dirs[:] = [d for d in dirs if f"{prefix}{d}/" not in extra]
        for name in sorted(files):
            if f"{prefix}{name}" not in listed and not is_own_temporary(f"{prefix}{name}", listed):
                extra.append(f"{prefix}{name}")
    return extra


def _names(entries: list[str]) -> str:
    shown = ", ".join(entries[:SHOWN_NAMES])
    return shown + (f", … (+{len(entries) - SHOWN_NAMES})" if len(entries) > SHOWN_NAMES else "")
