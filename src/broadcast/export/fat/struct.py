"""The bytes of each FAT32 structure, built from a plan: MBR, boot sector, FSInfo, FAT, directories.

Field names in comments are those of Microsoft's FAT specification (fatgen103).
"""

from __future__ import annotations

import struct
import sys
from array import array
from datetime import datetime
from typing import TYPE_CHECKING

from broadcast.export.fat import names as fatnames
from broadcast.export.fat.geometry import FIRST_CLUSTER, NUM_FATS, SECTOR

if TYPE_CHECKING:
    from broadcast.export.fat.plan import FolderPlan, ImagePlan

PARTITION_TYPE_FAT32_LBA = 0x0C
MEDIA_FIXED = 0xF8  # BPB_Media, repeated in the low byte of FAT[0]
END_OF_CHAIN = 0x0FFFFFFF
# FAT[1]: end-of-chain value with the "clean shutdown" and "no disk errors" bits set.
FAT1_CLEAN = 0x0FFFFFFF
FSINFO_SECTOR = 1  # BPB_FSInfo
BACKUP_BOOT_SECTOR = 6  # BPB_BkBootSec; the backup FSInfo follows it, as mkfs.fat does
HEADS, SECTORS_PER_TRACK = 255, 63  # the LBA-assist geometry every BIOS reports for a stick
ATTR_VOLUME_ID, ATTR_DIRECTORY, ATTR_ARCHIVE = 0x08, 0x10, 0x20
# If a PC ever tries to boot the stick: INT 18h (“no bootable disk, try the next one”), then halt.
NOT_BOOTABLE = bytes([0xCD, 0x18, 0xF4, 0xEB, 0xFD])


def _chs(lba: int) -> bytes:
    """A CHS address for the MBR; past cylinder 1023 the convention is 1023/254/63."""
    cylinder, rest = divmod(lba, HEADS * SECTORS_PER_TRACK)
    head, sector = divmod(rest, SECTORS_PER_TRACK)
    if cylinder > 1023:
        cylinder, head, sector = 1023, 254, SECTORS_PER_TRACK - 1
    return bytes([head, (sector + 1) | ((cylinder >> 2) & 0xC0), cylinder & 0xFF])


def mbr(plan: ImagePlan) -> bytes:
    """Sector 0: boot stub, disk signature, one FAT32-LBA partition, signature 0x55AA."""
    geo = plan.geometry
    first, last = geo.partition_start, geo.total_sectors - 1
    entry = (bytes([0x00]) + _chs(first) + bytes([PARTITION_TYPE_FAT32_LBA]) + _chs(last)
             + struct.pack("<II", first, geo.partition_sectors))
    sector = bytearray(SECTOR)
    sector[: len(NOT_BOOTABLE)] = NOT_BOOTABLE
    sector[440:444] = struct.pack("<I", plan.volume_id)  # disk signature; Windows tells disks apart by it
    sector[446:462] = entry
    sector[510:512] = b"\x55\xaa"
    return bytes(sector)


def boot_sector(plan: ImagePlan) -> bytes:
    """BPB and FAT32 extended BPB (partition sector 0, and its backup at sector 6)."""
    geo = plan.geometry
    head = struct.pack(
        "<3s8sHBHBHHBHHHII",
        b"\xeb\x58\x90",  # BS_jmpBoot: jump over the BPB to the boot code at 0x5A
        b"MSWIN4.1",  # BS_OEMName: the value fatgen103 calls most compatible
        SECTOR, geo.sectors_per_cluster, geo.reserved_sectors, NUM_FATS,
        0,  # BPB_RootEntCnt: 0 on FAT32, the root is a cluster chain
        0,  # BPB_TotSec16: 0, the count is in BPB_TotSec32
        MEDIA_FIXED,
        0,  # BPB_FATSz16: 0 on FAT32
        SECTORS_PER_TRACK, HEADS,
        geo.partition_start,  # BPB_HiddSec: sectors before the partition, must match the MBR
        geo.partition_sectors)  # BPB_TotSec32
    ext = struct.pack(
        "<IHHIHH12sBBBI11s8s",
        geo.fat_sectors,  # BPB_FATSz32
        0,  # BPB_ExtFlags: both FATs mirrored
        0,  # BPB_FSVer 0.0
        FIRST_CLUSTER,  # BPB_RootClus
        FSINFO_SECTOR, BACKUP_BOOT_SECTOR, bytes(12),
        0x80,  # BS_DrvNum: hard disk
        0, 0x29,  # BS_Reserved1, BS_BootSig: the three fields below are present
        plan.volume_id, plan.label.encode("ascii"), b"FAT32   ")
    sector = bytearray(SECTOR)
    sector[: len(head) + len(ext)] = head + ext
    sector[90: 90 + len(NOT_BOOTABLE)] = NOT_BOOTABLE
    sector[510:512] = b"\x55\xaa"
    return bytes(sector)


def fsinfo_sector(plan: ImagePlan) -> bytes:
    """FSInfo with the true FSI_Free_Count and FSI_Nxt_Free (fsck.fat checks the count)."""
    used_end = FIRST_CLUSTER + plan.used_clusters
    next_free = used_end if plan.free_clusters else 0xFFFFFFFF  # 0xFFFFFFFF: unknown / none
    sector = bytearray(SECTOR)
    sector[0:4] = struct.pack("<I", 0x41615252)  # FSI_LeadSig
    sector[484:496] = struct.pack("<III", 0x61417272, plan.free_clusters, next_free)
    sector[508:512] = struct.pack("<I", 0xAA550000)  # FSI_TrailSig
    return bytes(sector)


def fat_used_part(plan: ImagePlan) -> bytes:
    """The FAT up to its last used entry, padded to a whole sector; the rest of it is zeros (free).

    Each folder and file is one contiguous run, so each entry points to the next cluster and the
    last one of a run holds the end-of-chain mark.
    """
    runs = [(f.cluster, f.clusters) for f in plan.folders]
    runs += [(f.cluster, f.clusters) for f in plan.files if f.clusters]
    end = max(start + count for start, count in runs)
    entries = array("I", bytes(4 * end))
    entries[0:2] = array("I", [MEDIA_FIXED | 0x0FFFFF00, FAT1_CLEAN])
    for start, count in runs:
        entries[start: start + count - 1] = array("I", range(start + 1, start + count))
        entries[start + count - 1] = END_OF_CHAIN
    if sys.byteorder == "big":
        entries.byteswap()
    data = entries.tobytes()
    return data + bytes(-len(data) % SECTOR)


def _dos_time(when: datetime) -> tuple[int, int, int]:
    """(date, time, tenths) as FAT stores them: 2-second time, tenths add the odd second."""
    date = ((when.year - 1980) << 9) | (when.month << 5) | when.day
    time = (when.hour << 11) | (when.minute << 5) | (when.second // 2)
    tenths = (when.second % 2) * 100 + when.microsecond // 10000
    return date, time, tenths


def _short_entry(short: str, attr: int, cluster: int, size: int, when: datetime) -> bytes:
    date, time, tenths = _dos_time(when)
    # DIR_Name, DIR_Attr, DIR_NTRes, DIR_CrtTimeTenth, DIR_CrtTime, DIR_CrtDate, DIR_LstAccDate,
    # DIR_FstClusHI, DIR_WrtTime, DIR_WrtDate, DIR_FstClusLO, DIR_FileSize
    return struct.pack("<11sBBBHHHHHHHI", short.encode("ascii"), attr, 0, tenths, time, date, date,
                       cluster >> 16, time, date, cluster & 0xFFFF, size)


def directory(plan: ImagePlan, folder: FolderPlan) -> bytes:
    """A folder's clusters: label or "."/"..", then each entry's LFN entries and short entry."""
    when = plan.timestamp
    if folder.path:
        parts = [_short_entry(fatnames.DOT, ATTR_DIRECTORY, folder.cluster, 0, when),
                 _short_entry(fatnames.DOTDOT, ATTR_DIRECTORY, folder.parent_cluster, 0, when)]
    else:
        parts = [_short_entry(plan.label, ATTR_VOLUME_ID, 0, 0, when)]
    for entry in folder.entries:
        short = entry.short_name.encode("ascii")
        if fatnames.needs_long_name(entry.name):
            parts.append(fatnames.long_name_entries(entry.name, short))
        attr = ATTR_DIRECTORY if entry.is_folder else ATTR_ARCHIVE
        parts.append(_short_entry(entry.short_name, attr, entry.cluster, entry.size, when))
    data = b"".join(parts)
    return data.ljust(folder.clusters * plan.geometry.cluster_size, b"\x00")
