"""Copy a built package onto a mounted USB stick or SD card, in play order, and prove it.

Cheap players play files in the order their entries were written into the FAT directory, and a
freshly created folder filled in play order keeps that order (FIELD.md). So the package goes
into a new folder (hidden, under a name of broadcast's own), written file by file in manifest
order, flushed to the device, read back and compared with the manifest, and renamed to its final
name only when all of it is right.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from broadcast import fsio
from broadcast.errors import InputError, OperationalError
from broadcast.package import destination, manifest
from broadcast.sound.cache import file_sha256

CHUNK = 1 << 20
CLUSTER_SLACK = 32 * 1024
"""Each file may waste up to one cluster (32 KiB on large FAT32 sticks)."""


def load_manifest(package_dir: Path) -> manifest.Manifest:
    path = package_dir / manifest.NAME
    try:
        return manifest.parse(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError:
        raise InputError("usb.no_package", path=package_dir) from None


def check_target(target: Path) -> None:
    """The stick (or a folder on it) must be a folder that is there; a path through a file
    is told as that file, not as "no such stick"."""
    if target.is_dir():
        return
    for place in (target, *target.parents):
        if place.exists():
            if not place.is_dir():
                raise InputError("usb.not_a_folder", path=place)
            break
    raise InputError("usb.no_target", path=target)


def _check_space(target: Path, plan: manifest.Manifest, manifest_size: int) -> int:
    needed = sum(f.size + CLUSTER_SLACK for f in plan.files) + manifest_size + CLUSTER_SLACK
    free = shutil.disk_usage(target).free
    if needed > free:
        raise OperationalError("usb.full", path=target, needed_mb=_mb(needed), free_mb=_mb(free))
    return needed


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f}"


def _copy(source: Path, dest: Path, progress: Callable[[int], None] | None) -> None:
    with open(source, "rb") as src, open(dest, "wb") as out:
        while chunk := src.read(CHUNK):
            out.write(chunk)
            if progress:
                progress(len(chunk))
        out.flush()
        os.fsync(out.fileno())
        _drop_cache(out.fileno())


def _drop_cache(fd: int) -> None:
    """Forget the cached pages so the read-back comes from the device, not from memory."""
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def _write_all(package_dir: Path, staging: Path, plan: manifest.Manifest,
               progress: Callable[[int], None] | None) -> None:
    staging.mkdir()
    made = {staging}
    for entry in plan.files:
        dest = staging / entry.path
        for folder in reversed(dest.parents):
            if folder.is_relative_to(staging) and folder not in made:
                folder.mkdir()  # created just before its first file: entries stay in play order
                made.add(folder)
        _copy(package_dir / entry.path, dest, progress)
    _copy(package_dir / manifest.NAME, staging / manifest.NAME, None)
    for folder in sorted(made, key=lambda p: len(p.parts), reverse=True):
        fsio.fsync_dir(folder)


class ReadBack(Protocol):
    """What checking a copy against its manifest says (``trust.verify.Report``)."""

    @property
    def ok(self) -> bool: ...


@dataclass(frozen=True)
class Written:
    """What ``write_package`` did: the read-back report (of the copy before it was renamed into
    place), and whether it wrote anything."""

    report: ReadBack
    wrote: bool
    recovered: tuple[str, ...] = ()
    """What an earlier, interrupted write had left and this one finished ("restored", "removed")."""


def write_package(package_dir: Path, target: Path, *, check: Callable[[Path], ReadBack],
                  replace: bool = False, progress: Callable[[int], None] | None = None) -> Written:
    """Write the package at ``package_dir`` to ``target/<commune-id>/`` and verify it there.

    The copy is written under a hidden name of broadcast's own, read back from the device and
    compared with the manifest, and only then put under the final name: a copy that failed its
    read-back never stands where a player would find it. An identical, intact package already
    there is left as it is; any other existing folder is replaced only with ``replace`` and only
    if broadcast made it (``destination.check_replaceable``). ``check(folder)`` reads a folder
    back and compares it with its manifest.
    """
    plan = load_manifest(package_dir)
    check_target(target)
    final = target / plan.commune["id"]
    destination.check_outside_campaign(final)
    recovered = tuple(fsio.recover_folder(final, stale_new=True))
    if final.exists():
        existing = destination.check_replaceable(final, plan.commune["id"], file_hash=file_sha256)
        if existing is not None and _same(final, package_dir):
            report = check(final)
            if report.ok:
                return Written(report, False, recovered)
        if not replace:
            raise InputError("usb.exists", path=final)
    _check_space(target, plan, (package_dir / manifest.NAME).stat().st_size)
    staging = fsio.own_sibling(final, "new")
    try:
        _write_all(package_dir, staging, plan, progress)
        report = check(staging)
        if not report.ok:
            raise _ReadBackFailed(report)
        fsio.replace_folder(staging, final)
    except _ReadBackFailed as failed:
        shutil.rmtree(staging, ignore_errors=True)
        return Written(failed.report, False, recovered)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _explain(exc, target) from exc
    except BaseException:  # interrupted: leave nothing a player could play, where the stick allows
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Written(report, True, recovered)


class _ReadBackFailed(Exception):
    def __init__(self, report: ReadBack) -> None:
        super().__init__("read-back failed")
        self.report = report


def _same(folder: Path, package_dir: Path) -> bool:
    try:
        return (folder / manifest.NAME).read_bytes() == (package_dir / manifest.NAME).read_bytes()
    except OSError:
        return False


def _explain(exc: OSError, target: Path) -> OperationalError:
    if exc.errno == errno.ENOSPC:
        return OperationalError("usb.full_during", path=target)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return OperationalError("usb.read_only", path=target)
    return OperationalError("usb.failed", path=target, reason=exc.strerror or str(exc))
