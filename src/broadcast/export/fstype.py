"""Which file system a folder lives on: listing order is directory order only on FAT.

A cheap player plays a folder in FAT directory order; ``os.scandir`` on a FAT volume returns
that order (Linux vfat, Windows FAT), so a mounted stick's order can be checked, while on ext4
or NTFS the listing order means nothing and the check is skipped.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

FAT_FILE_SYSTEMS = {"vfat", "msdos", "fat", "fat12", "fat16", "fat32", "exfat"}


def on_fat(path: Path) -> bool:
    """True when ``path`` lies on a FAT or exFAT file system, where listing order is directory order."""
    kind = _file_system_type(os.path.realpath(path))
    return kind is not None and is_fat_type(kind)


def is_fat_type(kind: str) -> bool:
    """A mount type that is FAT: the kernel's (vfat, msdos, exfat), a FUSE FAT driver
    (fuse.fusefat, fuse.exfat…), or ``fuseblk``, which desktop Linux uses for sticks mounted
    through FUSE (FAT or exFAT on a stick; for an NTFS disk the check costs nothing, since the
    names of a package sort in play order anyway)."""
    kind = kind.lower()
    if kind in FAT_FILE_SYSTEMS or kind == "fuseblk":
        return True
    return kind.startswith("fuse.") and any(name in kind for name in ("fat", "msdos"))


def _file_system_type(path: str) -> str | None:
    if sys.platform.startswith("linux"):
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as table:
            return mount_type(path, _mountinfo_points(table.read()))
    if os.name == "nt":
        return _windows_type(path)
    if sys.platform == "darwin":
        listing = subprocess.run(["mount"], capture_output=True, text=True, check=False).stdout
        return mount_type(path, re.findall(r"^.+? on (.+) \(([^,)]+)", listing, re.MULTILINE))
    return None


def _mountinfo_points(mountinfo: str) -> list[tuple[str, str]]:
    """(mount point, type) of each /proc/self/mountinfo line; octal escapes (\\040) undone.

    A FUSE mount made without a subtype reports plain ``fuse``; its source then names the
    driver (``fusefat``, ``exfat-fuse``), so the type is read as ``fuse.<source>``."""
    points = []
    for line in mountinfo.splitlines():
        fields = line.split(" ")
        if "-" in fields[6:]:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), fields[4])
            at = fields.index("-", 6)
            kind = fields[at + 1] if len(fields) > at + 1 else ""
            if kind == "fuse" and len(fields) > at + 2:
                kind = "fuse." + fields[at + 2].split("#", 1)[0].rsplit("/", 1)[-1]
            points.append((point, kind))
    return points


def mount_type(path: str, points: Iterable[tuple[str, str]]) -> str | None:
    """The type of the innermost mount holding ``path``; a later mount over the same point wins."""
    best, kind = -1, None
    for point, point_type in points:
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= best:
            best, kind = len(point), point_type
    return kind


def _windows_type(path: str) -> str | None:
    import ctypes  # Windows only

    kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
    volume, name = ctypes.create_unicode_buffer(261), ctypes.create_unicode_buffer(261)
    if not kernel.GetVolumePathNameW(path, volume, 261):
        return None
    if not kernel.GetVolumeInformationW(volume.value, None, 0, None, None, None, name, 261):
        return None
    return name.value  # "FAT32", "FAT", "exFAT", "NTFS"
