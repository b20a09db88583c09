"""Read FAT12/16/32 disk images back: find the file system, list folders in on-disk order, stream files.

Standard library only, read only. Cheap players play entries in the order they stand in the
directory, so ``listdir`` returns them exactly as stored (deleted slots skipped), which is what
``verify`` compares against the play order. Field names are those of fatgen103. No exFAT, no GPT:
the sticks we target are MBR + FAT32 (FIELD.md).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from broadcast.errors import InputError
from broadcast.export.fat.names import short_name_checksum
from broadcast.i18n import t

FAT_PARTITION_TYPES = frozenset({0x01, 0x04, 0x06, 0x0B, 0x0C, 0x0E})
ATTR_HIDDEN, ATTR_SYSTEM, ATTR_VOLUME_ID, ATTR_DIRECTORY = 0x02, 0x04, 0x08, 0x10
ATTR_LONG_NAME, ATTR_LONG_NAME_MASK = 0x0F, 0x3F
LAST_LONG_ENTRY = 0x40
DELETED = 0xE5
NT_LOWER_BASE, NT_LOWER_EXT = 0x08, 0x10  # DIR_NTRes: Windows' "8.3 name shown in lower case"
CHUNK = 1 << 20
MAX_DIRECTORY_BYTES = 65536 * 32  # the spec's limit; a longer chain is a loop or garbage
_FAT32_BLOCK = 64 << 10
_END_OF_CHAIN = {12: 0xFF8, 16: 0xFFF8, 32: 0x0FFFFFF8}


@dataclass(frozen=True)
class FatEntry:
    """One directory entry as stored: the long name when it is intact, else the 8.3 name."""

    path: str  # "/"-joined from the root: "xa-a/01_SANG/001_tao-hon.mp3"
    is_dir: bool
    size: int  # DIR_FileSize; 0 for folders
    attributes: int  # DIR_Attr
    first_cluster: int

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2]

    @property
    def hidden(self) -> bool:
        """Hidden or system attribute: players still give such files a play slot."""
        return bool(self.attributes & (ATTR_HIDDEN | ATTR_SYSTEM))


@dataclass(frozen=True)
class _Volume:
    """The BPB of one FAT file system, in sectors relative to its boot sector at ``offset``."""

    offset: int
    sector: int
    sectors_per_cluster: int
    reserved: int
    fats: int
    root_entries: int
    total_sectors: int
    fat_sectors: int
    root_cluster: int
    active_fat: int
    fat32: bool
    label: str

    @property
    def data_sector(self) -> int:
        root_sectors = -(-self.root_entries * 32 // self.sector)
        return self.reserved + self.fats * self.fat_sectors + root_sectors

    @property
    def cluster_count(self) -> int:
        return max(self.total_sectors - self.data_sector, 0) // self.sectors_per_cluster

    @property
    def bits(self) -> int:
        # Linux's rule: FAT32 when BPB_FATSz16 is 0, else FAT12 below 4085 clusters (fatgen103).
        return 32 if self.fat32 else 12 if self.cluster_count < 4085 else 16

    @property
    def cluster_size(self) -> int:
        return self.sectors_per_cluster * self.sector

    @property
    def fat_offset(self) -> int:
        return self.offset + (self.reserved + self.active_fat * self.fat_sectors) * self.sector

    @property
    def root_offset(self) -> int:
        """The fixed root directory of FAT12/16."""
        return self.offset + (self.reserved + self.fats * self.fat_sectors) * self.sector

    def cluster_offset(self, cluster: int) -> int:
        return self.offset + (self.data_sector + (cluster - 2) * self.sectors_per_cluster) * self.sector


def _parse_bpb(boot: bytes, offset: int) -> _Volume | None:
    """The volume whose boot sector is ``boot``, or None when it is no plausible FAT boot sector."""
    if len(boot) < 512 or boot[0] not in (0xEB, 0xE9) or boot[510:512] != b"\x55\xaa":
        return None
    sector, spc, reserved, fats, root_entries, total16, media, fat16 = struct.unpack_from(
        "<HBHBHHBH", boot, 11)
    total32, fat32_size, ext_flags, _, root_cluster = struct.unpack_from("<IIHHI", boot, 32)
    fat32 = fat16 == 0
    fat_sectors, total = fat16 or fat32_size, total16 or total32
    if (sector not in (512, 1024, 2048, 4096) or spc not in (1, 2, 4, 8, 16, 32, 64, 128)
            or not reserved or not 1 <= fats <= 4 or not fat_sectors or not total
            or media not in (0xF0, *range(0xF8, 0x100)) or (fat32 and root_entries)):
        return None
    label_at, sig_at = (71, 66) if fat32 else (43, 38)
    label = boot[label_at: label_at + 11].decode("cp850").strip() if boot[sig_at] == 0x29 else ""
    active = ext_flags & 0x0F if fat32 and ext_flags & 0x80 else 0  # bit 7: FATs not mirrored
    volume = _Volume(offset, sector, spc, reserved, fats, root_entries, total, fat_sectors,
                     root_cluster, active, fat32, "" if label == "NO NAME" else label)
    return volume if volume.cluster_count and active < fats else None


class _LongName:
    """Collects the LFN entries before a short entry; the name counts only when whole and matching."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.parts: list[bytes] = []
        self.next_order = 0
        self.checksum = -1

    def add(self, raw: bytes) -> None:
        order = raw[0] & 0x1F
        if raw[0] & LAST_LONG_ENTRY and order:
            self.parts, self.checksum = [], raw[13]
        elif not (self.parts and order == self.next_order and raw[13] == self.checksum):
            self.reset()  # an orphan or out-of-sequence part: the spec says ignore the set
            return
        self.next_order = order - 1
        self.parts.append(raw[1:11] + raw[14:26] + raw[28:32])

    def take(self, short: bytes) -> str | None:
        whole = self.parts and self.next_order == 0 and self.checksum == short_name_checksum(short)
        units = b"".join(reversed(self.parts)) if whole else b""
        self.reset()
        name = units.decode("utf-16-le", errors="replace").split("\x00")[0]
        return name or None


def _short_name(raw: bytes) -> str:
    first = b"\xe5" if raw[0] == 0x05 else raw[:1]  # 0x05 stands for a real 0xE5 first byte
    base = (first + raw[1:8]).decode("cp850").rstrip()
    ext = raw[8:11].decode("cp850").rstrip()
    if raw[12] & NT_LOWER_BASE:
        base = base.lower()
    if raw[12] & NT_LOWER_EXT:
        ext = ext.lower()
    return f"{base}.{ext}" if ext else base


def _runs(clusters: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Consecutive clusters merged into (first, count) runs, so a contiguous file is one read."""
    start = count = 0
    for cluster in clusters:
        if count and cluster == start + count:
            count += 1
            continue
        if count:
            yield start, count
        start, count = cluster, 1
    if count:
        yield start, count


class FatImage:
    """A FAT file system in a disk image (MBR-partitioned or a bare "superfloppy"), read only.

    Raises InputError ``verify.not_fat`` naming the image when it is not FAT, has no FAT
    partition, is cut short, or a directory or cluster chain is damaged.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fat_cache: dict[int, bytes] = {}
        self._file = open(self.path, "rb")  # noqa: SIM115 - closed by close() / __exit__
        try:
            self._size = self._file.seek(0, 2)  # seek, not stat: block devices report size 0
            self._volume = self._find_volume()
        except BaseException:
            self._file.close()
            raise

    def __enter__(self) -> FatImage:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    @property
    def bits(self) -> int:
        """12, 16 or 32."""
        return self._volume.bits

    @property
    def label(self) -> str:
        """The volume label: the root's label entry (what Windows shows), else the boot sector's."""
        found = self._parse_directory(self._directory_bytes(None), "", "/")[1]
        return found if found is not None else self._volume.label

    def listdir(self, folder: FatEntry | None = None) -> list[FatEntry]:
        """The entries of ``folder`` (the root when None) in on-disk order, without "." and ".."."""
        prefix = f"{folder.path}/" if folder else ""
        return self._parse_directory(self._directory_bytes(folder), prefix, folder.path if folder else "/")[0]

    def walk(self) -> Iterator[FatEntry]:
        """Every entry, depth-first, each folder's entries in on-disk order."""
        seen: set[int] = set()
        stack = [iter(self.listdir())]
        while stack:
            entry = next(stack[-1], None)
            if entry is None:
                stack.pop()
                continue
            yield entry
            if entry.is_dir:
                if entry.first_cluster in seen:  # two folders sharing clusters: a loop
                    raise self._damaged("damaged_directory", item=entry.path, cluster=entry.first_cluster)
                seen.add(entry.first_cluster)
                stack.append(iter(self.listdir(entry)))

    def chunks(self, entry: FatEntry, size: int = CHUNK) -> Iterator[bytes]:
        """The bytes of a file, in pieces of at most ``size`` bytes."""
        if entry.is_dir:
            raise ValueError(f"{entry.path} is a folder")
        volume, remaining = self._volume, entry.size
        needed = -(-remaining // volume.cluster_size)
        for first, count in _runs(self._chain(entry.first_cluster, needed, "damaged_file", entry.path)):
            offset, length = volume.cluster_offset(first), min(count * volume.cluster_size, remaining)
            remaining -= length
            while length:
                piece = min(length, size)
                yield self._read(offset, piece)
                offset, length = offset + piece, length - piece

    def _damaged(self, reason: str, **params: object) -> InputError:
        return InputError("verify.not_fat", path=self.path, reason=t(f"verify.fat.{reason}", **params))

    def _read(self, offset: int, size: int) -> bytes:
        self._file.seek(offset)
        data = self._file.read(size)
        if len(data) != size:
            raise self._damaged("truncated", size=self._size, needed=offset + size)
        return data

    def _find_volume(self) -> _Volume:
        if self._size < 512:
            raise self._damaged("too_small", size=self._size)
        head = self._read(0, 512)
        volume = _parse_bpb(head, 0)
        if volume is None:
            volume = self._partition_volume(head)
        needed = volume.offset + volume.total_sectors * volume.sector
        if needed > self._size:  # an interrupted download or copy: the tail is missing
            raise self._damaged("truncated", size=self._size, needed=needed)
        return volume

    def _partition_volume(self, mbr: bytes) -> _Volume:
        """The first FAT partition of an MBR partition table."""
        if mbr[510:512] != b"\x55\xaa":
            raise self._damaged("no_filesystem")
        for number in range(1, 5):
            kind, lba = struct.unpack_from("<4xB3xI", mbr, 446 + 16 * (number - 1))
            if kind in FAT_PARTITION_TYPES and lba:
                volume = _parse_bpb(self._read(lba * 512, 512), lba * 512)
                if volume is None:
                    raise self._damaged("partition_not_fat", number=number, type=f"{kind:02X}")
                return volume
        raise self._damaged("no_partition")

    def _next_cluster(self, cluster: int) -> int:
        volume = self._volume
        if volume.bits == 32:
            block, within = divmod(cluster * 4, _FAT32_BLOCK)
            return int.from_bytes(self._fat_block(block)[within: within + 4], "little") & 0x0FFFFFFF
        table = self._fat_block(0)  # FAT12/16 tables are small: one block is the whole table
        if volume.bits == 16:
            return int.from_bytes(table[cluster * 2: cluster * 2 + 2], "little")
        value = int.from_bytes(table[cluster + cluster // 2: cluster + cluster // 2 + 2], "little")
        return value >> 4 if cluster & 1 else value & 0xFFF

    def _fat_block(self, block: int) -> bytes:
        if block not in self._fat_cache:
            if len(self._fat_cache) >= 64:  # a few MiB at most, however large the FAT
                self._fat_cache.clear()
            volume = self._volume
            fat_bytes = volume.fat_sectors * volume.sector
            if volume.bits == 32:
                start, length = block * _FAT32_BLOCK, _FAT32_BLOCK
            else:  # only the part that maps clusters, whatever BPB_FATSz16 claims
                start, length = 0, (volume.cluster_count + 2) * volume.bits // 8 + 2
            length = max(min(length, fat_bytes - start), 0)
            self._fat_cache[block] = self._read(volume.fat_offset + start, length)
        return self._fat_cache[block]

    def _chain(self, first: int, count: int | None, reason: str, where: str) -> Iterator[int]:
        """``count`` clusters of the chain from ``first``; all of it up to end-of-chain when None."""
        volume = self._volume
        limit = count if count is not None else -(-MAX_DIRECTORY_BYTES // volume.cluster_size)
        cluster, end = first, _END_OF_CHAIN[volume.bits]
        for index in range(limit):
            if not 2 <= cluster < volume.cluster_count + 2:
                raise self._damaged(reason, item=where, cluster=cluster)
            yield cluster
            if index + 1 == count:
                return
            cluster = self._next_cluster(cluster)
            if cluster >= end and count is None:
                return
        if limit:  # a directory longer than the spec allows: the chain loops
            raise self._damaged(reason, item=where, cluster=cluster)

    def _directory_bytes(self, folder: FatEntry | None) -> bytes:
        volume = self._volume
        if folder is None and volume.bits != 32:
            return self._read(volume.root_offset, volume.root_entries * 32)
        first = folder.first_cluster if folder else volume.root_cluster
        where = folder.path if folder else "/"
        return b"".join(self._read(volume.cluster_offset(start), count * volume.cluster_size)
                        for start, count in _runs(self._chain(first, None, "damaged_directory", where)))

    def _parse_directory(self, data: bytes, prefix: str, where: str) -> tuple[list[FatEntry], str | None]:
        """Entries in on-disk order, and the volume label entry's text if there is one."""
        entries: list[FatEntry] = []
        label, long_name = None, _LongName()
        for pos in range(0, len(data) - 31, 32):
            raw = data[pos: pos + 32]
            if raw[0] == 0x00:  # end of directory: nothing after this slot is in use
                break
            attributes = raw[11]
            if raw[0] == DELETED:
                long_name.reset()
            elif attributes & ATTR_LONG_NAME_MASK == ATTR_LONG_NAME:
                long_name.add(raw)
            elif attributes & ATTR_VOLUME_ID:
                long_name.reset()
                label = raw[:11].decode("cp850").strip()
            else:
                name = long_name.take(raw[:11]) or _short_name(raw)
                if name not in (".", ".."):
                    entries.append(self._entry(raw, prefix + name, where))
        return entries, label

    def _entry(self, raw: bytes, path: str, where: str) -> FatEntry:
        high, low, size = struct.unpack_from("<H4xHI", raw, 20)
        cluster = (high << 16 | low) if self._volume.bits == 32 else low
        is_dir = bool(raw[11] & ATTR_DIRECTORY)
        if is_dir and cluster < 2:  # only ".." may point at the root with 0
            raise self._damaged("damaged_directory", item=where, cluster=cluster)
        return FatEntry(path, is_dir, 0 if is_dir else size, raw[11], cluster)
