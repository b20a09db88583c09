"""Carry out an image plan: one sequential pass from the MBR to the last file, holes for zeros.

Everything is written in increasing offset order: MBR, boot sector and FSInfo, their backups,
both FATs, then the data region cluster by cluster (folders, then files). Regions that are all
zeros (the gap before the partition, the free part of each FAT, the free clusters) are skipped
with a seek and the final ``truncate``, so they cost nothing and read back as zeros.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from broadcast.errors import OperationalError
from broadcast.export.fat import struct as fatstruct
from broadcast.export.fat.geometry import SECTOR
from broadcast.fsio import atomic_path

if TYPE_CHECKING:
    from broadcast.export.fat.plan import FilePlan, ImagePlan

CHUNK = 8 << 20  # large reads and writes: the copy runs at the disk's pace, not Python's


class _SequentialWriter:
    """Writes at ever-increasing offsets; a jump forward leaves a hole that reads as zeros."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.position = 0

    def write_at(self, offset: int, data: bytes | memoryview) -> None:
        if offset < self.position:
            raise AssertionError(f"image plan overlaps at byte {offset} (already at {self.position})")
        if offset > self.position:
            self.out.seek(offset)
        self.out.write(data)
        self.position = offset + len(data)

    def append(self, data: bytes | memoryview) -> None:
        self.write_at(self.position, data)


def write_image(plan: ImagePlan, dest: Path, *,
                progress: Callable[[int], None] | None = None) -> None:
    """Write the image planned by ``plan_image`` to ``dest``, whole or not at all.

    ``progress`` is called after each chunk of file contents with the number of bytes just
    copied; the calls add up to ``plan.content_size``. Raises OperationalError
    ``image.source_changed`` when a source file is missing or no longer has its planned size.
    """
    with atomic_path(Path(dest)) as tmp, open(tmp, "wb") as out:
        writer = _SequentialWriter(out)
        _write_system_area(plan, writer)
        for folder in plan.folders:
            writer.write_at(plan.geometry.cluster_offset(folder.cluster),
                            fatstruct.directory(plan, folder))
        buffer = memoryview(bytearray(CHUNK))
        for item in plan.files:
            if item.clusters:
                writer.write_at(plan.geometry.cluster_offset(item.cluster), b"")
            _copy_contents(item, writer, buffer, progress)
        out.truncate(plan.size)


def _write_system_area(plan: ImagePlan, writer: _SequentialWriter) -> None:
    """MBR, boot sector + FSInfo (and their backups at sector 6), then both FATs."""
    geo = plan.geometry
    writer.write_at(0, fatstruct.mbr(plan))
    boot = fatstruct.boot_sector(plan) + fatstruct.fsinfo_sector(plan)
    partition = geo.partition_start * SECTOR
    writer.write_at(partition, boot)
    writer.write_at(partition + fatstruct.BACKUP_BOOT_SECTOR * SECTOR, boot)
    fat = fatstruct.fat_used_part(plan)
    for copy in range(2):
        writer.write_at(geo.fat_offset(copy), fat)


def _copy_contents(item: FilePlan, writer: _SequentialWriter, buffer: memoryview,
                   progress: Callable[[int], None] | None) -> None:
    """Stream one source file into its clusters, checking it still has its planned size."""
    try:
        source = open(item.source, "rb", buffering=0)  # noqa: SIM115 - closed just below
    except FileNotFoundError:
        raise _changed(item) from None
    with source:
        if os.fstat(source.fileno()).st_size != item.size:
            raise _changed(item)
        remaining = item.size
        while remaining:
            count = source.readinto(buffer[: min(len(buffer), remaining)])
            if not count:
                raise _changed(item)
            writer.append(buffer[:count])
            remaining -= count
            if progress is not None:
                progress(count)
        if source.read(1):
            raise _changed(item)


def _changed(item: FilePlan) -> OperationalError:
    return OperationalError("image.source_changed", path=item.source, image_path=item.path,
                            expected=item.size)
