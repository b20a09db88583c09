"""The removable drives (USB sticks, memory cards) the system reports, to choose a stick from.

Windows: drive letters of removable drives. macOS: the volumes under ``/Volumes`` other than the
start-up disk. Linux: what is mounted under ``/media`` or ``/run/media`` (where desktops mount
sticks). ``$BROADCAST_DRIVES`` adds folders (separated like PATH): a card reader the system calls
a fixed disk, a stick mounted elsewhere, or a folder to try things with.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "BROADCAST_DRIVES"


@dataclass(frozen=True)
class Drive:
    path: Path
    label: str
    free: int
    total: int


def removable_drives() -> list[Drive]:
    """Every removable drive mounted now, and the folders named in $BROADCAST_DRIVES."""
    if os.name == "nt":
        points = _windows()
    elif sys.platform == "darwin":
        points = _macos()
    else:
        points = _linux()
    extra = [Path(p) for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p.strip()]
    found, seen = [], set()
    for path in [*points, *extra]:
        key = os.path.normcase(os.path.abspath(path))
        if key in seen or not path.is_dir():
            continue
        seen.add(key)
        try:
            usage = shutil.disk_usage(path)
        except OSError:
            continue
        found.append(Drive(path, path.name or str(path), usage.free, usage.total))
    return found


def _linux() -> list[Path]:
    try:
        table = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    points = []
    for line in table.splitlines():
        fields = line.split(" ")
        if len(fields) > 4:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), fields[4])
            if point.startswith(("/media/", "/run/media/")):
                points.append(Path(point))
    return points


def _macos() -> list[Path]:
    volumes = Path("/Volumes")
    root = os.stat("/").st_dev
    try:
        return [p for p in sorted(volumes.iterdir()) if p.is_dir() and p.stat().st_dev != root]
    except OSError:
        return []


def _windows() -> list[Path]:
    import ctypes  # Windows only

    kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
    mask = kernel.GetLogicalDrives()
    removable = 2  # DRIVE_REMOVABLE
    return [Path(f"{chr(65 + n)}:\\") for n in range(26)
            if mask >> n & 1 and kernel.GetDriveTypeW(f"{chr(65 + n)}:\\") == removable]
