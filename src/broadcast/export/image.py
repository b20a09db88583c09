"""A commune's package as a FAT32 disk image, ready for dd, Rufus or balenaEtcher.

The package's files go at the image root in manifest order (audio in play order first, the
manifest last), with the package's creation time on every entry: the same package always gives
the same image, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from broadcast.errors import InputError
from broadcast.export.fat.layout import ImageFile, min_image_size, plan_image, write_image
from broadcast.export.fat.read import FatImage
from broadcast.export.usb import load_manifest
from broadcast.package import manifest

IMAGES_DIR = Path("dist") / "images"


def volume_label(name: str) -> str:
    """An 11-character ASCII label from a Vietnamese name: "Xã Dân Hóa" → "XA DAN HOA"."""
    flat = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    ascii_only = flat.encode("ascii", "ignore").decode().upper()
    label = re.sub(r"[^A-Z0-9 _-]+", "", ascii_only)
    return " ".join(label.split())[:11].rstrip() or "BROADCAST"


def _timestamp(created: str) -> dt.datetime:
    stamp = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    return max(stamp, dt.datetime(1980, 1, 1))


def image_files(package_dir: Path, plan: manifest.Manifest) -> list[ImageFile]:
    files = [ImageFile(path=f.path, size=f.size, source=package_dir / f.path) for f in plan.files]
    last = package_dir / manifest.NAME
    return [*files, ImageFile(path=manifest.NAME, size=last.stat().st_size, source=last)]


def check_replaceable(dest: Path, commune: str) -> None:
    """An existing file at ``dest`` is replaced only if it is broadcast's image of ``commune``
    (a FAT image holding that commune's manifest); anything else is the user's, and refused."""
    if not dest.exists():
        return
    if not dest.is_file():
        raise InputError("image.not_ours", path=dest)
    try:
        with FatImage(dest) as image:
            entry = next((e for e in image.listdir() if e.path == manifest.NAME and not e.is_dir), None)
            found = None if entry is None else manifest.parse(
                b"".join(image.chunks(entry)).decode("utf-8"), str(dest))
    except (InputError, UnicodeDecodeError, OSError):
        found = None
    if found is None or found.commune.get("id") != commune:
        raise InputError("image.not_ours", path=dest)


MIB = 1 << 20
GIB = 1 << 30


def stick_size(needed: int) -> int:
    """The image size when none is asked for: the next power of two from 64 MiB up to 1 GiB,
    then the next whole GiB. A stick written from the image shows that size (64 MB, 512 MB,
    3 GB), not an odd 37 MB; the extra is free space, which the image file does not store."""
    size = 64 * MIB
    while size < needed and size < GIB:
        size *= 2
    return size if needed <= size else -(-needed // GIB) * GIB


def make_image(package_dir: Path, dest: Path, *, size: int | None = None,
               progress: Callable[[int], None] | None = None) -> Path:
    """Write the package at ``package_dir`` as a disk image at ``dest`` (replacing only an image
    of the same commune that broadcast made), ``size`` bytes, else ``stick_size``."""
    plan = load_manifest(package_dir)
    check_replaceable(dest, plan.commune["id"])
    files = image_files(package_dir, plan)
    layout = plan_image(files, label=volume_label(plan.commune["name"]),
                        size=size or stick_size(min_image_size(files)), timestamp=_timestamp(plan.created))
    write_image(layout, dest, progress=progress)
    return dest
