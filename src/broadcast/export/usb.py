"""Copy a built package onto a mounted USB stick or SD card, in play order, and prove it.

Cheap players play files in the order their entries were written into the FAT directory, and a
freshly created folder filled in play order keeps that order (FIELD.md). So the package goes
into a new folder, written file by file in manifest order, flushed to the device, renamed to its
final name only when complete, then read back and compared with the manifest.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from broadcast import fsio, manifest, verify
from broadcast.errors import InputError, OperationalError

CHUNK = 1 << 20
CLUSTER_SLACK = 32 * 1024
"""Each file may waste up to one cluster (32 KiB on large FAT32 sticks)."""


def load_manifest(package_dir: Path) -> manifest.Manifest:
    path = package_dir / manifest.NAME
    try:
        return manifest.parse(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError:
        raise InputError("usb.no_package", path=package_dir) from None


def _check_target(target: Path, final: Path, replace: bool) -> None:
    if not target.is_dir():
        raise InputError("usb.no_target", path=target)
    if final.exists() and not replace:
        raise InputError("usb.exists", path=final)


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


def write_package(package_dir: Path, target: Path, *, replace: bool = False,
                  progress: Callable[[int], None] | None = None) -> verify.Report:
    """Write the package at ``package_dir`` to ``target/<commune-id>/`` and verify it there."""
    plan = load_manifest(package_dir)
    final = target / plan.commune["id"]
    _check_target(target, final, replace)
    _check_space(target, plan, (package_dir / manifest.NAME).stat().st_size)
    staging = target / f"{final.name}.partial"
    try:
        shutil.rmtree(staging, ignore_errors=True)
        _write_all(package_dir, staging, plan, progress)
        fsio.swap_folder(staging, final)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _explain(exc, target) from exc
    report = verify.verify(final)
    return report


def _explain(exc: OSError, target: Path) -> OperationalError:
    if exc.errno == errno.ENOSPC:
        return OperationalError("usb.full_during", path=target)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return OperationalError("usb.read_only", path=target)
    return OperationalError("usb.failed", path=target, reason=exc.strerror or str(exc))
