"""Hard links that never run out: every package links its audio to the one clip on disk.

A file holds only so many links (ext4 65,000, NTFS 1,024): the station jingle sits in every slot
of every commune, so at about 53 communes on ext4, or 2 on an office PC's NTFS, a link fails and
a copy silently took its place (150 communes: 7.8 GB instead of 0.5 GB). So each clip has a chain
of link roots: the clip itself, then spare copies of it in ``build/cache/links/``; a link goes to
the first root with room, and a new spare is made when all are full. Disk then grows by one copy
per few thousand (ext4) or thousand (NTFS) links, never by one per link, and never silently.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
from pathlib import Path

from broadcast import fsio
from broadcast.sound.cache import inode_hash

LINKS_DIR = Path("build") / "cache" / "links"
FALLBACK_LIMIT = 1000
"""Where the file system does not say its limit: NTFS allows 1,024."""
SAFETY = 0.9
"""Leave room: other tools (backups, a second checkout) may link the same files."""


def link_limit(folder: Path) -> int:
    """How many links one file may safely take in ``folder``'s file system."""
    if sys.platform == "win32":
        return int(1024 * SAFETY)
    try:
        reported = os.pathconf(folder, "PC_LINK_MAX")
    except (OSError, ValueError):
        reported = FALLBACK_LIMIT
    return max(2, int(min(reported, 65000) * SAFETY))


class Links:
    """Places package files as links to their clip, spreading them over the clip's roots."""

    def __init__(self, spare_dir: Path, limit: int) -> None:
        self.spare_dir = spare_dir
        self.limit = limit
        self._full: set[tuple[int, int]] = set()  # roots a link was refused on (EMLINK)
        self._chains: dict[Path, list[Path]] = {}
        self.spares_made = 0

    def place(self, source: Path, target: Path) -> int:
        """Link ``target`` to ``source``'s content; returns the bytes copied (0 when linked)."""
        while True:
            root = self._root(source)
            try:
                os.link(root, target)
                return 0
            except OSError as exc:
                if exc.errno != errno.EMLINK:  # no links here at all (FAT, a share, another disk)
                    shutil.copyfile(source, target)
                    return target.stat().st_size
                self._full.add(_identity(root))  # the limit was lower than reported: next root

    def _root(self, source: Path) -> Path:
        """The first root of ``source`` with room for one more link, making a spare if needed."""
        for root in self._chain(source):
            if os.stat(root).st_nlink < self.limit and _identity(root) not in self._full:
                return root
        return self._new_spare(source)

    def _chain(self, source: Path) -> list[Path]:
        """The clip, then its spares (made by earlier builds too), in the order they were made."""
        if source not in self._chains:
            pattern = f"{_stem(source)}-*{source.suffix}"
            found = self.spare_dir.glob(pattern) if self.spare_dir.is_dir() else ()
            self._chains[source] = [source, *sorted(found, key=lambda p: int(p.stem.rsplit("-", 1)[1]))]
        return self._chains[source]

    def _new_spare(self, source: Path) -> Path:
        chain = self._chain(source)
        spare = self.spare_dir / f"{_stem(source)}-{len(chain)}{source.suffix}"
        with fsio.atomic_path(spare) as tmp:
            shutil.copyfile(source, tmp)
        chain.append(spare)
        self.spares_made += 1
        return spare

    def prune(self) -> int:
        """Remove spares no package links any more; returns how many."""
        removed = 0
        for spare in self.spare_dir.glob("*") if self.spare_dir.is_dir() else ():
            if spare.is_file() and not spare.name.startswith(".") and spare.stat().st_nlink == 1:
                spare.unlink()
                removed += 1
        return removed


def _stem(source: Path) -> str:
    """Spares are named by content, so a changed clip starts a chain of its own."""
    return inode_hash(source)[:24]


def _identity(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_dev, info.st_ino
