"""The folder tree implied by a list of image paths, children kept in the order first named."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from broadcast.errors import InputError
from broadcast.export.fat import names as fatnames

MAX_FILE_SIZE = 0xFFFFFFFF  # DIR_FileSize is 32 bits: 4 GiB − 1


class _Source(Protocol):
    path: str
    size: int
    source: Path


@dataclass(eq=False)
class TreeFile:
    name: str
    path: str
    size: int
    source: Path


@dataclass(eq=False)
class Folder:
    name: str
    path: str  # "" for the root
    parent: Folder | None = None
    children: list[Folder | TreeFile] = field(default_factory=list)
    # FAT compares names case-insensitively, so two names differing only in case would collide.
    by_key: dict[str, Folder | TreeFile] = field(default_factory=dict)
    in_order: list[TreeFile] = field(default_factory=list)  # the root only: every file as given
    _slots: int | None = None

    @property
    def is_root(self) -> bool:
        return self.parent is None

    def add(self, child: Folder | TreeFile) -> None:
        self.children.append(child)
        self.by_key[child.name.upper()] = child

    def directory_entries(self) -> int:
        """32-byte entries of this directory: the volume label (root) or "." and "..", then each
        child's LFN entries and short entry. Counted once, after the tree is complete."""
        if self._slots is None:
            own = 1 if self.is_root else 2
            self._slots = own + sum(1 + fatnames.long_entry_count(c.name) for c in self.children)
        return self._slots

    def walk(self) -> Iterator[Folder]:
        """This folder and every folder below it, depth-first, children in order."""
        yield self
        for child in self.children:
            if isinstance(child, Folder):
                yield from child.walk()

    def files(self) -> list[TreeFile]:
        """Every file in the order it was given (the root only)."""
        return self.in_order

    def content_size(self) -> int:
        return sum(f.size for f in self.in_order)


def build_tree(files: Sequence[_Source]) -> Folder:
    """The root folder holding ``files``; folders appear where their first file is named.

    Raises InputError for a name players cannot take, the same path twice (or a path that is
    both a file and a folder), and files over FAT32's 4 GiB − 1 limit.
    """
    root = Folder(name="", path="")
    for item in files:
        parts = item.path.split("/")
        for part in parts:
            fatnames.check_name(part, item.path)
        if not 0 <= item.size <= MAX_FILE_SIZE:
            raise InputError("image.file_too_big", path=item.path, size=item.size)
        folder = _folder_for(root, parts[:-1], item.path)
        if parts[-1].upper() in folder.by_key:
            raise InputError("image.duplicate_path", path=item.path)
        leaf = TreeFile(name=parts[-1], path=item.path, size=item.size, source=item.source)
        folder.add(leaf)
        root.in_order.append(leaf)
    return root


def _folder_for(root: Folder, parts: list[str], path: str) -> Folder:
    """Walk down ``parts``, creating folders that do not exist yet."""
    folder = root
    for part in parts:
        child = folder.by_key.get(part.upper())
        if child is None:
            child = Folder(name=part, path=f"{folder.path}/{part}".lstrip("/"), parent=folder)
            folder.add(child)
        elif not isinstance(child, Folder):
            raise InputError("image.duplicate_path", path=path)
        folder = child
    return folder
