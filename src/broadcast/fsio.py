"""Files appear whole or not at all: temporary name, fsync, rename."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()
"""mkstemp makes files private (0600); outputs are ordinary files, so follow the umask."""


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable. Windows cannot open folders; there NTFS journals it."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path, *, private: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` durably.

    The temporary name starts with ``.`` and ends with ``.part`` so an interrupted run leaves
    only a file that every later step ignores and the next run overwrites. ``private`` keeps the
    owner-only mode mkstemp creates it with, from the first byte (secret keys).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    if not private:
        os.chmod(tmp, FILE_MODE)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


@contextlib.contextmanager
def atomic_open(target: Path, mode: str = "wb", encoding: str | None = None, *,
                private: bool = False) -> Iterator[IO]:
    """Open a temporary file for writing that becomes ``target`` when the block succeeds."""
    newline = None if "b" in mode else ""
    with atomic_path(target, private=private) as tmp, \
            open(tmp, mode, encoding=encoding, newline=newline) as fh:
        yield fh
        fh.flush()


def write_bytes(target: Path, data: bytes, *, private: bool = False) -> None:
    with atomic_open(target, "wb", private=private) as fh:
        fh.write(data)


def write_text(target: Path, text: str) -> None:
    with atomic_open(target, "w", encoding="utf-8") as fh:
        fh.write(text)


def swap_folder(staging: Path, final: Path, old_suffix: str = ".old") -> None:
    """Put a complete folder in place of ``final``: the old one stays until the new one is in.

    Two renames (final → old, staging → final) and a directory sync; a crash between them
    leaves both folders whole, and the next run starts again from a fresh staging folder.
    """
    old = final.with_name(f"{final.name}{old_suffix}")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    fsync_dir(final.parent)
    shutil.rmtree(old, ignore_errors=True)


# Leftovers of interrupted runs ------------------------------------------------------------

TEMPORARY_SUFFIXES = (".part", ".part.txt")
"""``atomic_path`` names a temporary "." + target name + "." + mkstemp's eight random
characters + ".part"; ``audio.join`` keeps its list of parts beside it, the same name + ".txt"."""
_MKSTEMP_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def is_temporary_name(name: str) -> bool:
    """Whether ``name`` is one ``atomic_path`` makes (so broadcast's own, never the user's)."""
    for suffix in TEMPORARY_SUFFIXES:
        if name.endswith(suffix):
            target, dot, random = name[: -len(suffix)].rpartition(".")
            return (dot == "." and len(target) > 1 and target.startswith(".")
                    and len(random) == 8 and set(random) <= _MKSTEMP_CHARACTERS)
    return False


def remove_stale_temporaries(folder: Path, *, recursive: bool = False) -> list[Path]:
    """Remove the temporaries an interrupted or killed broadcast left in ``folder``.

    Only files named as ``atomic_path`` names them, never anything else, never a symlink,
    and no folder is entered through a symlink. Call it only where no other broadcast
    process can be writing (under the workspace lock, or in a folder one command owns): a
    temporary still being written looks just like a stale one. A file that cannot be
    removed now (open in another program on Windows) stays for the next run. Returns what
    was removed.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return removed
    for entry in entries:
        if recursive and entry.is_dir(follow_symlinks=False):
            removed += remove_stale_temporaries(Path(entry.path), recursive=True)
        elif entry.is_file(follow_symlinks=False) and is_temporary_name(entry.name):
            try:
                os.unlink(entry.path)
            except (FileNotFoundError, PermissionError):
                continue  # gone already, or in use on Windows: the next run tries again
            removed.append(Path(entry.path))
    return removed
