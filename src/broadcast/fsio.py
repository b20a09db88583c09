"""Files appear whole or not at all: temporary name, fsync, rename."""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import errno
import functools
import os
import secrets
import shutil
import sys
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
    owner-only mode mkstemp creates it with, from the first byte (secret keys). Inside ``batch``
    the rename waits for the end of the block.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    if not private:
        os.chmod(tmp, FILE_MODE)
    pending = _batch.get()
    deferred = False  # renamed when the batch ends: the batch owns the temporary now
    try:
        yield tmp
        if pending is not None:
            pending.append((tmp, target))
            deferred = True
            return
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    finally:
        if not deferred:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


_batch: contextvars.ContextVar[list[tuple[Path, Path]] | None] = contextvars.ContextVar(
    "fsio_batch", default=None)


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Atomic writes inside the block are synced together at its end, not one by one: every
    file is written under its temporary name, then one sync makes them all durable (``syncfs``
    on Linux; a sync per file elsewhere), and only then are they renamed into place and their
    folders synced. Each file is still whole on disk before its name points at it, and an
    interrupted block renames nothing. Writing a folder of a thousand playlists costs one data
    sync and one folder sync, not two thousand syncs.

    Inside the block a written file is not yet under its name: read it back after the block."""
    outer = _batch.get()
    if outer is not None:
        yield
        return
    pending: list[tuple[Path, Path]] = []
    token = _batch.set(pending)
    try:
        yield
    except BaseException:
        for tmp, _ in pending:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise
    finally:
        _batch.reset(token)
    _sync_files([tmp for tmp, _ in pending])
    for tmp, target in pending:
        os.replace(tmp, target)
    for folder in sorted({target.parent for _, target in pending}):
        fsync_dir(folder)


def _sync_files(paths: list[Path]) -> None:
    """Make the contents of ``paths`` durable: one ``syncfs`` per file system where Linux has
    it (it returns once everything written there is on disk), else an fsync per file."""
    if not paths:
        return
    done: set[int] = set()
    syncfs = _syncfs()
    mode = "rb+" if os.name == "nt" else "rb"  # Windows flushes only through a handle that may write
    for path in paths:
        with open(path, mode) as fh:
            device = os.fstat(fh.fileno()).st_dev
            if device in done:
                continue
            if syncfs is not None and syncfs(fh.fileno()) == 0:
                done.add(device)
            else:
                os.fsync(fh.fileno())


@functools.cache
def _syncfs():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
    except OSError:
        return None


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


OWN_MARK = ".broadcast-"
"""Every temporary or backup folder broadcast makes beside a destination is named
``.<destination>.broadcast-<kind>-<token>``: hidden, and never a name a user would choose, so
cleaning up can never delete a folder the user made (such as their own ``X.old``)."""


def own_sibling(final: Path, kind: str, token: str | None = None) -> Path:
    """A folder name of broadcast's own beside ``final``: ``kind`` is ``new``, ``old`` or a
    stable staging name; without ``token`` a random one makes it unique to this run."""
    token = token or secrets.token_hex(4)
    return final.with_name(f".{final.name}{OWN_MARK}{kind}-{token}")


def own_siblings(final: Path, kind: str) -> list[Path]:
    """broadcast's own ``kind`` folders beside ``final``, oldest first."""
    prefix = f".{final.name}{OWN_MARK}{kind}-"
    try:
        found = [p for p in final.parent.iterdir() if p.name.startswith(prefix) and p.is_dir()
                 and not p.is_symlink()]
    except FileNotFoundError:
        return []
    return sorted(found, key=lambda p: p.stat().st_mtime_ns)


_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # macOS stdio.h


def _exchange_function():
    """The OS call that swaps two paths in one step, or None (Windows has none)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        call = getattr(libc, "renameat2", None)  # glibc 2.28+, musl 1.2.4+
        if call is None:
            return None
        at_fdcwd = -100
        return lambda a, b: call(at_fdcwd, a, at_fdcwd, b, _RENAME_EXCHANGE)
    if sys.platform == "darwin":
        libc = ctypes.CDLL(None, use_errno=True)
        call = getattr(libc, "renamex_np", None)
        return None if call is None else (lambda a, b: call(a, b, _RENAME_SWAP))
    return None


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically. False when the OS or the file system cannot (FAT
    sticks on older kernels, network shares, Windows): the caller then takes the slow road."""
    call = _exchange_function()
    if call is None:
        return False
    if call(os.fsencode(a), os.fsencode(b)) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def replace_folder(staging: Path, final: Path) -> None:
    """Put the complete folder ``staging`` in place of ``final``, durably.

    At every instant ``final`` holds the old complete folder or the new one: with an atomic
    exchange where the OS offers it; elsewhere by renaming the old one aside under broadcast's
    own backup name first, which ``recover_folder`` puts back if a crash came in between. The
    caller has checked that ``final`` is broadcast's to replace.
    """
    sync_tree(staging)
    if not final.exists():
        os.rename(staging, final)
        fsync_dir(final.parent)
        return
    if exchange(staging, final):
        old = own_sibling(final, "old")
        os.rename(staging, old)  # after the exchange, staging holds the old folder
    else:
        old = own_sibling(final, "old")
        os.rename(final, old)
        fsync_dir(final.parent)
        os.rename(staging, final)
    fsync_dir(final.parent)
    discard(old)


def discard(folder: Path) -> None:
    """Delete one of broadcast's own folders: renamed to a ``trash`` name first, so a deletion
    cut short can never be mistaken for a backup to restore."""
    final_name = folder.name[1:].split(OWN_MARK, 1)[0]
    trash = own_sibling(folder.with_name(final_name), "trash")
    os.rename(folder, trash)
    shutil.rmtree(trash)


def sync_tree(folder: Path) -> None:
    """Every file's contents, then every folder's entries, on disk: a name that appears after
    a power cut must never point at an empty or half-written file. The contents take one
    ``syncfs`` where Linux has it, not a sync per file (``_sync_files``)."""
    folders, files = [folder], []
    for entry in folder.rglob("*"):
        if entry.is_symlink():
            continue
        if entry.is_dir():
            folders.append(entry)
        elif entry.is_file():
            files.append(entry)
    _sync_files(files)
    for path in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        fsync_dir(path)


def recover_folder(final: Path, *, stale_new: bool = False) -> list[str]:
    """Finish what an interrupted ``replace_folder`` left: if ``final`` is missing, its backup
    goes back; broadcast's own leftovers beside it (backups, half-deleted trash and, with
    ``stale_new``, unfinished ``new`` folders) are removed. Returns what was done, one word per
    folder ("restored", "removed"). Every command that replaces ``final`` calls it with
    ``stale_new`` (it holds the lock, so an unfinished folder is a dead run's); ``verify`` calls
    it without, since a writer may be at work on the same stick."""
    done = []
    backups = own_siblings(final, "old")
    if backups and not final.exists():
        os.rename(backups.pop(), final)
        fsync_dir(final.parent)
        done.append("restored")
    unfinished = own_siblings(final, "new") if stale_new else []
    for leftover in [*backups, *own_siblings(final, "trash"), *unfinished]:
        shutil.rmtree(leftover, ignore_errors=True)  # ours, and only tidiness is at stake
        done.append("removed")
    return done


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
