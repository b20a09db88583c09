"""A FAT32 image as plain data: every folder's entries and every file's clusters, decided before
any byte is written. ``layout`` makes a plan, ``struct`` turns it into on-disk structures and
``write`` carries it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from broadcast.export.fat.geometry import Geometry


@dataclass(frozen=True)
class ImageFile:
    """One file to put in the image."""

    path: str  # inside the image, "/"-separated: "01_SANG/001_tao-hon.mp3"; folders implied
    size: int
    source: Path  # where its bytes are read from


@dataclass(frozen=True)
class EntryPlan:
    """One entry of a folder, as it will stand in the directory."""

    name: str  # as given ("001_tao-hon.mp3"); LFN entries carry it when it is not plain 8.3
    short_name: str  # the 11-character DIR_Name: "001_TA~1MP3"
    is_folder: bool
    cluster: int  # DIR_FstClusHI/LO: first cluster, 0 for an empty file
    size: int  # DIR_FileSize; 0 for folders, as FAT stores them


@dataclass(frozen=True)
class FolderPlan:
    """A directory: where its clusters are and what it lists, in order."""

    path: str  # "" for the root
    cluster: int
    clusters: int
    parent_cluster: int  # for "..": 0 when the parent is the root, as the spec asks
    entries: tuple[EntryPlan, ...]


@dataclass(frozen=True)
class FilePlan:
    """Where one file's contents go."""

    path: str
    source: Path
    size: int
    cluster: int  # 0 for an empty file
    clusters: int


@dataclass(frozen=True)
class ImagePlan:
    """The whole image, computed before any byte is written. Folders and files in cluster order."""

    geometry: Geometry
    label: str  # 11 characters, space-padded (BS_VolLab and the root's volume-label entry)
    volume_id: int  # BS_VolID, also the MBR disk signature
    timestamp: datetime  # every entry's creation and write time, so equal inputs give equal bytes
    folders: tuple[FolderPlan, ...]
    files: tuple[FilePlan, ...]

    @property
    def size(self) -> int:
        """Bytes of the whole image file."""
        return self.geometry.size

    @property
    def used_clusters(self) -> int:
        return sum(f.clusters for f in self.folders) + sum(f.clusters for f in self.files)

    @property
    def free_clusters(self) -> int:
        """FSI_Free_Count."""
        return self.geometry.cluster_count - self.used_clusters

    @property
    def content_size(self) -> int:
        """Bytes of file contents; the progress callback of ``write_image`` adds up to this."""
        return sum(f.size for f in self.files)
