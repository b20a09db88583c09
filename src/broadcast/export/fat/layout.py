"""Plan a FAT32 disk image from the list of files it will hold, before any byte is written.

Every file is known up front, so the whole layout is plain data: the geometry, each folder's
entries in the order given (cheap players play in directory order, not by name), and the first
cluster of every folder and file. Folders come first from cluster 2 (the root), then the files,
each in one contiguous run, in the order given. ``write_image`` (fatwrite.py) carries a plan out
in one sequential pass.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from broadcast.errors import InputError
from broadcast.export.fat import names as fatnames
from broadcast.export.fat.geometry import (
    FIRST_CLUSTER,
    MAX_PARTITION_SECTORS,
    MIB,
    PARTITION_START,
    SECTOR,
    Geometry,
    geometry_holding,
    smallest_geometry,
)
from broadcast.export.fat.plan import EntryPlan, FilePlan, FolderPlan, ImageFile, ImagePlan
from broadcast.export.fat.tree import Folder, build_tree
from broadcast.export.fat.write import write_image

__all__ = ["ImageFile", "ImagePlan", "min_image_size", "plan_image", "write_image"]

DEFAULT_TIMESTAMP = datetime(2026, 1, 1, 0, 0)
DIR_ENTRY = 32
MAX_DIR_ENTRIES = 65536  # a FAT directory may not exceed 2 MiB of 32-byte entries
_LABEL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_- ")


def plan_image(files: Sequence[ImageFile], *, label: str, size: int | None = None,
               volume_id: int | None = None, timestamp: datetime = DEFAULT_TIMESTAMP) -> ImagePlan:
    """Lay out a FAT32 image holding ``files`` with their folders, entries in the given order.

    ``size`` in bytes (a multiple of 512, e.g. a stick's capacity) fixes the image size; without
    it the image is the smallest whole number of MiB that holds everything and is still valid
    FAT32 (35 MiB at least). The cluster size is mkfs.fat's for the partition size (512 B up to
    260 MiB, 4 KiB to 8 GiB, 8/16/32 KiB beyond), smaller only when a given ``size`` would not
    hold the content otherwise. ``timestamp`` is every entry's time and, with the label and file
    list, seeds the default ``volume_id``: the same input gives the same bytes.
    Raises InputError for names players cannot take, files over 4 GiB − 1, or a ``size`` too small.
    """
    padded_label = _check_label(label)
    _check_timestamp(timestamp)
    root = build_tree(files)
    geo = _choose_geometry(root, size)
    folders, file_plans = _allocate(root, geo.cluster_size)
    if volume_id is None:
        volume_id = _default_volume_id(padded_label, files, timestamp)
    return ImagePlan(geometry=geo, label=padded_label, volume_id=volume_id & 0xFFFFFFFF,
                     timestamp=timestamp, folders=folders, files=file_plans)


def min_image_size(files: Sequence[ImageFile]) -> int:
    """Bytes of the smallest image (whole MiB, never below the FAT32 minimum) that holds ``files``."""
    return _smallest(build_tree(files)).size


def _check_label(label: str) -> str:
    """BS_VolLab: upper case like Windows and mlabel store it, 1–11 characters, space-padded."""
    upper = label.upper()
    if not 1 <= len(upper) <= 11 or not set(upper) <= _LABEL_CHARS or not upper.strip():
        raise InputError("image.bad_label", label=label)
    return upper.ljust(11)


def _check_timestamp(timestamp: datetime) -> None:
    # DIR_WrtDate counts years from 1980 in 7 bits.
    if not 1980 <= timestamp.year <= 2107:
        raise InputError("image.bad_timestamp", timestamp=timestamp.isoformat())


def _choose_geometry(root: Folder, size: int | None) -> Geometry:
    if size is None:
        return _smallest(root)
    if size <= 0 or size % SECTOR or size // SECTOR - PARTITION_START > MAX_PARTITION_SECTORS:
        raise InputError("image.bad_size", size=size)
    geo = geometry_holding(size // SECTOR, lambda cluster_size: _clusters_needed(root, cluster_size))
    if geo is None:
        needed = _needed_beyond(root, size)
        raise InputError("image.too_small", size=size, size_mib=_mib(size), needed=needed,
                         needed_mib=_mib(needed))
    return geo


def _smallest(root: Folder) -> Geometry:
    geo = smallest_geometry(lambda cluster_size: _clusters_needed(root, cluster_size))
    if geo is None:
        raise InputError("image.content_too_big", size=root.content_size())
    return geo


def _needed_beyond(root: Folder, size: int) -> int:
    """The size to suggest when ``size`` is too small: the least whole-MiB size above it that fits.

    That is the smallest image overall, except in the rare case where ``size`` is not a whole
    number of MiB and missed only because aligning the data region cost it a few clusters.
    """
    smallest = _smallest(root).size
    if smallest > size:
        return smallest
    mib = size // MIB + 1
    while not geometry_holding(mib * MIB // SECTOR,
                               lambda cluster_size: _clusters_needed(root, cluster_size)):
        mib += 1
    return mib * MIB


def _mib(size: int) -> str:
    return f"{size / MIB:.1f}"


def _clusters_of(size: int, cluster_size: int) -> int:
    return -(-size // cluster_size)


def _folder_bytes(folder: Folder) -> int:
    """Bytes of a directory (FAT32 directories have no size field: the chain's length is theirs)."""
    count = folder.directory_entries()
    if count > MAX_DIR_ENTRIES:
        raise InputError("image.too_many_entries", path=folder.path or "/", count=count)
    return count * DIR_ENTRY


def _folder_clusters(folder: Folder, cluster_size: int) -> int:
    return max(1, _clusters_of(_folder_bytes(folder), cluster_size))  # even an empty one has "."


def _clusters_needed(root: Folder, cluster_size: int) -> int:
    folders = sum(_folder_clusters(f, cluster_size) for f in root.walk())
    return folders + sum(_clusters_of(f.size, cluster_size) for f in root.files())


def _allocate(root: Folder, cluster_size: int) -> tuple[tuple[FolderPlan, ...], tuple[FilePlan, ...]]:
    """First clusters: folders from 2 (root first, then depth-first), then files in given order."""
    start: dict[int, int] = {}
    next_cluster = FIRST_CLUSTER
    for folder in root.walk():
        start[id(folder)] = next_cluster
        next_cluster += _folder_clusters(folder, cluster_size)
    file_plans = []
    for item in root.files():
        count = _clusters_of(item.size, cluster_size)
        start[id(item)] = next_cluster if count else 0
        file_plans.append(FilePlan(path=item.path, source=item.source, size=item.size,
                                   cluster=start[id(item)], clusters=count))
        next_cluster += count
    folders = tuple(_folder_plan(f, start, cluster_size) for f in root.walk())
    return folders, tuple(file_plans)


def _folder_plan(folder: Folder, start: dict[int, int], cluster_size: int) -> FolderPlan:
    shorts = fatnames.short_names([c.name for c in folder.children])
    entries = tuple(
        EntryPlan(name=child.name, short_name=short, is_folder=isinstance(child, Folder),
                  cluster=start[id(child)], size=0 if isinstance(child, Folder) else child.size)
        for child, short in zip(folder.children, shorts, strict=True))
    parent = folder.parent
    parent_cluster = 0 if parent is None or parent.is_root else start[id(parent)]
    return FolderPlan(path=folder.path, cluster=start[id(folder)],
                      clusters=_folder_clusters(folder, cluster_size),
                      parent_cluster=parent_cluster, entries=entries)


def _default_volume_id(label: str, files: Sequence[ImageFile], timestamp: datetime) -> int:
    """BS_VolID from the label, timestamp and file list, so a rebuild gives the same bytes."""
    digest = hashlib.sha256(repr((label, timestamp.isoformat(),
                                  [(f.path, f.size) for f in files])).encode())
    return int.from_bytes(digest.digest()[:4], "little")
