"""What a front end shows about a campaign besides its records: who holds its lock, the
packages and disk images made, and the ledger's history. Nothing here writes."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from broadcast.errors import InputError
from broadcast.export.image import IMAGES_DIR
from broadcast.ledger.book import NAME as LEDGER_NAME
from broadcast.ledger.book import Delivery, Ledger, public_target
from broadcast.operations import lock
from broadcast.package.contents import PACKAGES_DIR

_IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}\.img$")


def lock_holder(root: Path) -> dict | None:
    """The other process writing in the campaign folder now (command, pid, host, started)."""
    return lock.holder(root)


@dataclass(frozen=True)
class Image:
    name: str
    path: Path
    size: int


def images(root: Path) -> list[Image]:
    """The disk images in ``dist/images``."""
    folder = root / IMAGES_DIR
    found = sorted(folder.glob("*.img")) if folder.is_dir() else []
    return [Image(p.name, p, p.stat().st_size) for p in found if _IMAGE_NAME.match(p.name)]


def image_path(root: Path, name: str) -> Path:
    """One image by its file name, only from ``dist/images`` (no other path is ever read)."""
    for image in images(root):
        if image.name == name:
            return image.path
    raise InputError("ui.deliver.no_image", name=name)


def built_communes(root: Path) -> list[str]:
    """Communes with a package in ``dist/packages``."""
    folder = root / PACKAGES_DIR
    return sorted(p.name for p in folder.iterdir() if (p / "manifest.json").is_file()) \
        if folder.is_dir() else []


def history(root: Path) -> list[Delivery]:
    """Every delivery the ledger holds, newest first, targets without query strings."""
    path = root / LEDGER_NAME
    if not path.is_file():
        return []
    with Ledger(path) as book:
        found = book.deliveries()
    return [_public(d) for d in reversed(found)]


def _public(delivery: Delivery) -> Delivery:
    return replace(delivery, target=public_target(delivery.target))


def qr_svg(link: str) -> str:
    """A share link as a QR code (SVG markup) for a page to show; a phone reads it off the screen."""
    from broadcast.export.cloud.share import qr_svg as draw

    return draw(link)
