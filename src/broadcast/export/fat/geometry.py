"""Where everything sits in a FAT32 disk image: partition, reserved sectors, FATs, data region.

One partition starting at 1 MiB (what every partitioner since Windows Vista does, and what a stick
written with dd/Rufus/Etcher needs); inside it the classic FAT32 layout of fatgen103: reserved
sectors, two FATs, then the data region whose first cluster is number 2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SECTOR = 512  # BPB_BytsPerSec: the only value every player firmware accepts
MIB = 1 << 20
PARTITION_START = 2048  # sectors: the first partition at 1 MiB
DATA_ALIGN = 2048  # sectors: the data region starts on a 1 MiB boundary, like flash erase blocks
MIN_RESERVED = 32  # BPB_RsvdSecCnt that Windows and mkfs.fat use for FAT32
NUM_FATS = 2  # BPB_NumFATs
FIRST_CLUSTER = 2  # clusters 0 and 1 are the FAT's media and flag entries
# fatgen103: a volume is FAT32 exactly when it has at least 65525 clusters; it also advises
# staying 16 clusters clear of that boundary because some drivers get the comparison wrong.
MIN_CLUSTERS = 65525 + 16
MAX_PARTITION_SECTORS = 0xFFFFFFFF  # MBR partition length and BPB_TotSec32 are 32-bit

# mkfs.fat's (and Windows') default BPB_SecPerClus for FAT32 by file-system size in MiB, rounded
# up; measured here with mkfs.fat 4.2: 260 MiB → 512 B, 261 MiB → 4 KiB, 8193 MiB → 8 KiB ...
CLUSTER_TABLE: tuple[tuple[int, int], ...] = (
    (260, 1),
    (8 * 1024, 8),
    (16 * 1024, 16),
    (32 * 1024, 32),
    (MAX_PARTITION_SECTORS, 64),
)


@dataclass(frozen=True)
class Geometry:
    """Sizes and positions, in 512-byte sectors; partition-relative unless named absolute."""

    total_sectors: int  # the whole image, MBR gap included
    sectors_per_cluster: int  # BPB_SecPerClus
    reserved_sectors: int  # BPB_RsvdSecCnt, padded so the data region is aligned
    fat_sectors: int  # BPB_FATSz32, one FAT
    partition_start: int = PARTITION_START  # BPB_HiddSec and the MBR entry's start LBA

    @property
    def size(self) -> int:
        return self.total_sectors * SECTOR

    @property
    def partition_sectors(self) -> int:
        return self.total_sectors - self.partition_start

    @property
    def data_start(self) -> int:
        return self.reserved_sectors + NUM_FATS * self.fat_sectors

    @property
    def cluster_size(self) -> int:
        return self.sectors_per_cluster * SECTOR

    @property
    def cluster_count(self) -> int:
        """CountofClusters: whole clusters in the data region; a partial one at the end is unused."""
        return (self.partition_sectors - self.data_start) // self.sectors_per_cluster

    def fat_offset(self, copy: int) -> int:
        """Absolute byte offset of FAT number ``copy`` (0 or 1)."""
        return (self.partition_start + self.reserved_sectors + copy * self.fat_sectors) * SECTOR

    def cluster_offset(self, cluster: int) -> int:
        """Absolute byte offset of a data cluster."""
        sector = self.data_start + (cluster - FIRST_CLUSTER) * self.sectors_per_cluster
        return (self.partition_start + sector) * SECTOR


def default_sectors_per_cluster(partition_sectors: int) -> int:
    """BPB_SecPerClus mkfs.fat would choose for a partition of this size."""
    mib = -(-partition_sectors * SECTOR // MIB)
    return next(spc for limit, spc in CLUSTER_TABLE if mib <= limit)


def geometry(total_sectors: int, sectors_per_cluster: int | None = None) -> Geometry:
    """Lay out an image of ``total_sectors``; the cluster size defaults to mkfs.fat's choice.

    BPB_FATSz32 is sized for every cluster the partition could hold with the minimum reserved
    area, so it is never too small once alignment moves the data region a little further on.
    """
    partition = total_sectors - PARTITION_START
    spc = sectors_per_cluster or default_sectors_per_cluster(partition)
    most_clusters = max(partition - MIN_RESERVED, 0) // spc
    fat = -(-(most_clusters + FIRST_CLUSTER) * 4 // SECTOR)
    data_start = -(-(MIN_RESERVED + NUM_FATS * fat) // DATA_ALIGN) * DATA_ALIGN
    return Geometry(total_sectors=total_sectors, sectors_per_cluster=spc,
                    reserved_sectors=data_start - NUM_FATS * fat, fat_sectors=fat)


def holds(geo: Geometry, clusters: int) -> bool:
    """True when the layout is valid FAT32 and has room for ``clusters`` clusters of content."""
    return (geo.partition_sectors <= MAX_PARTITION_SECTORS
            and geo.partition_sectors > geo.data_start
            and geo.cluster_count >= max(clusters, MIN_CLUSTERS))


def geometry_holding(total_sectors: int, clusters_for: Callable[[int], int]) -> Geometry | None:
    """A layout of exactly ``total_sectors`` that holds the content, or None.

    mkfs.fat's cluster size comes first; when the content does not fit in it (many small files
    waste a large cluster each), smaller clusters are tried, which keep the FAT32 minimum of
    clusters whenever the larger ones do.
    """
    spc = default_sectors_per_cluster(total_sectors - PARTITION_START)
    while spc >= 1:
        geo = geometry(total_sectors, spc)
        if holds(geo, clusters_for(geo.cluster_size)):
            return geo
        spc //= 2
    return None


def smallest_geometry(clusters_for: Callable[[int], int]) -> Geometry | None:
    """The smallest whole-MiB image holding the content, with mkfs.fat's cluster size for its size.

    ``clusters_for(cluster_size)`` tells how many clusters the content takes. Each band of the
    cluster table is searched in turn (smaller clusters first); within a band more MiB never
    means fewer clusters, so a binary search finds the least size.
    """
    low = 1
    for limit, spc in CLUSTER_TABLE:
        high = min(limit, MAX_PARTITION_SECTORS // (MIB // SECTOR))  # partition MiB
        need = clusters_for(spc * SECTOR)
        if holds(_of_mib(high, spc), need):
            while low < high:
                mid = (low + high) // 2
                low, high = (low, mid) if holds(_of_mib(mid, spc), need) else (mid + 1, high)
            return _of_mib(low, spc)
        low = high + 1
    return None


def _of_mib(partition_mib: int, spc: int) -> Geometry:
    return geometry(PARTITION_START + partition_mib * (MIB // SECTOR), spc)
