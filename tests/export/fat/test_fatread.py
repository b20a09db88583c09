"""The FAT reader against independent parties: dissect.fat reading the same image, and images made
by mkfs.fat + mtools (FAT12, FAT16, FAT32, with deletions that leave holes), not only by our writer.
"""

from __future__ import annotations

import random
import struct
import subprocess
from pathlib import Path

import pytest
from conftest import require_tool
from fatcheck import dissect_entries, random_files

from broadcast.errors import InputError
from broadcast.export.fat.layout import ImageFile, plan_image, write_image
from broadcast.export.fat.read import FatImage

PARTITION = 2048 * 512

SPEC = [("xa-a/01_SANG/002_bao-luc.mp3", 70_000), ("xa-a/01_SANG/001_tao-hon.mp3", 3000),
        ("xa-a/README.TXT", 120), ("xa-a/02_CHIEU/thai/001_binh-dang.mp3", 9000),
        ("empty.mp3", 0), ("x" * 40 + ".mp3", 513)]


def our_image(tmp_path: Path, spec=SPEC, name: str = "ours.img") -> tuple[Path, list[ImageFile]]:
    files = random_files(tmp_path, spec, seed=5)
    image = tmp_path / name
    write_image(plan_image(files, label="XA DAN HOA"), image)
    return image, files


def ours(image: Path) -> tuple[list[tuple[str, bool, int]], dict[str, bytes]]:
    with FatImage(image) as fat:
        entries = list(fat.walk())
        contents = {e.path: b"".join(fat.chunks(e)) for e in entries if not e.is_dir}
    return [(e.path, e.is_dir, e.size) for e in entries], contents


def theirs(image: Path, offset: int) -> tuple[list[tuple[str, bool, int]], dict[str, bytes]]:
    """dissect.fat's view: entries depth-first in directory order, and every file's bytes."""
    found, contents = dissect_entries(image, offset)
    return [(path, folder, size) for path, folder, size, _ in found], contents


def test_our_writer_read_back_as_dissect_reads_it(tmp_path):
    image, files = our_image(tmp_path)
    tree, contents = ours(image)
    assert (tree, contents) == theirs(image, PARTITION)
    # The given order, not sorted: 002 before 001, the folder where it was first named.
    assert [p for p, _, _ in tree][:4] == ["xa-a", "xa-a/01_SANG", "xa-a/01_SANG/002_bao-luc.mp3",
                                           "xa-a/01_SANG/001_tao-hon.mp3"]
    assert {f.path: f.source.read_bytes() for f in files} == contents
    with FatImage(image) as fat:
        assert (fat.bits, fat.label) == (32, "XA DAN HOA")


def test_files_stream_in_pieces(tmp_path):
    image, files = our_image(tmp_path)
    with FatImage(image) as fat:
        entry = next(e for e in fat.walk() if e.path.endswith("002_bao-luc.mp3"))
        pieces = list(fat.chunks(entry, size=4096))
    assert [len(p) for p in pieces] == [4096] * 17 + [70_000 - 17 * 4096]
    assert b"".join(pieces) == files[0].source.read_bytes()


def mtools(tool: str, *args: str) -> str:
    return subprocess.run([require_tool(tool), *args], check=True, capture_output=True,
                          text=True).stdout


def mdir_names(target: str, folder: str) -> list[str]:
    """Long names in directory order as mtools lists them, hidden ones too (-a)."""
    lines = mtools("mdir", "-a", "-b", "-i", target, f"::/{folder}").splitlines()
    return [line.removeprefix(f"::/{folder}").strip("/") for line in lines]


NAMES = ["readme.txt", "Bản tin sáng.mp3", "ABC.MP3", "x.y.z", "a" * 30 + ".mp3", "tail.bin"]


@pytest.mark.parametrize(("bits", "kib"), [(12, 2048), (16, 20_000), (32, 40_000)])
def test_mkfs_and_mtools_images_with_a_reused_folder(tmp_path, bits, kib):
    image = tmp_path / f"fat{bits}.img"
    subprocess.run([require_tool("mkfs.fat"), "-F", str(bits), "-n", "MKFS", "-C", str(image), str(kib)],
                   check=True, capture_output=True)
    target = str(image)
    mtools("mmd", "-i", target, "::/Thư mục")
    rng = random.Random(bits)
    for number, name in enumerate(NAMES):
        local = tmp_path / f"in{number}"
        local.write_bytes(rng.randbytes(300 + 1500 * number))
        mtools("mcopy", "-i", target, str(local), f"::/Thư mục/{name}")
    # A reused folder: the deleted entry's slots are taken by the next file, which players would
    # then play second, so we must list it there. On FAT12/16 mtools also reuses the freed cluster
    # (measured: late.mp3 runs 4, then 10-13), so its bytes are read across two runs.
    mtools("mdel", "-i", target, "::/Thư mục/Bản tin sáng.mp3")
    late = tmp_path / "late"
    late.write_bytes(rng.randbytes(9000))
    mtools("mcopy", "-i", target, str(late), "::/Thư mục/late.mp3")
    mtools("mattrib", "-i", target, "+h", "::/Thư mục/x.y.z")
    tree, contents = ours(image)
    # dissect.fat ignores DIR_NTRes's lower-case flags, with which mtools (like Windows) stores
    # "readme.txt" as a bare 8.3 entry; Windows, Linux and mdir show it in lower case, as we do.
    dissect_tree, dissect_contents = theirs(image, 0)
    assert [(p.upper(), d, s) for p, d, s in tree] == [(p.upper(), d, s) for p, d, s in dissect_tree]
    assert sorted(contents.values()) == sorted(dissect_contents.values())
    listed = [p.removeprefix("Thư mục/") for p, _, _ in tree[1:]]
    assert listed == mdir_names(target, "Thư mục")
    assert "late.mp3" in listed and "Bản tin sáng.mp3" not in listed
    assert contents["Thư mục/late.mp3"] == late.read_bytes()
    with FatImage(image) as fat:
        assert (fat.bits, fat.label) == (bits, "MKFS")
        hidden = [e.name for e in fat.walk() if e.hidden]
    assert hidden == ["x.y.z"]


def test_an_mbr_partition_made_by_mkfs_is_found(tmp_path):
    """FAT16 (type 0x06) at sector 2048 behind a partition table written here, as on a PC-made stick."""
    image = tmp_path / "part.img"
    with image.open("wb") as fh:
        fh.truncate(PARTITION + 20 * (1 << 20))
    subprocess.run([require_tool("mkfs.fat"), "-F", "16", "--offset", "2048", "-n", "PART", str(image),
                    str(20 * 1024)], check=True, capture_output=True)
    with image.open("r+b") as fh:
        fh.write(bytes(446) + struct.pack("<B3xB3xII", 0, 0x06, 2048, 20 * 2048) + bytes(48) + b"\x55\xaa")
    local = tmp_path / "one.mp3"
    local.write_bytes(b"ID3" + bytes(5000))
    mtools("mcopy", "-i", f"{image}@@1M", str(local), "::/one.mp3")
    tree, contents = ours(image)
    assert tree == [("one.mp3", False, 5003)]
    assert contents["one.mp3"] == local.read_bytes()


def directory_offset(image: Path, short: bytes) -> int:
    data = image.read_bytes()
    at = data.find(short)
    assert at > 0 and at % 32 == 0, short
    return at


def test_long_names_count_only_when_whole_and_matching_their_short_entry(tmp_path):
    # A short entry renamed by a tool that knows nothing of long names: the LFN set before it is
    # intact but orphaned (its checksum is that of the old short name), so the 8.3 name counts.
    # mtools is the referee: dissect.fat does not check LFN checksums at all.
    image, _ = our_image(tmp_path)
    patch(image, directory_offset(image, b"001_TA~1MP3"), b"001_TA~2MP3")
    assert folder_names(image) == ["002_bao-luc.mp3", "001_TA~2.MP3"]
    assert folder_names(image) == mdir_names(f"{image}@@1M", "xa-a/01_SANG")
    # One part of a set with another checksum: fatgen103, Linux's vfat and mtools drop the whole
    # set, and the 8.3 name counts again.
    patch(image, directory_offset(image, b"002_BA~1MP3") - 32 + 13, b"\x00")
    assert folder_names(image) == ["002_BA~1.MP3", "001_TA~2.MP3"]
    assert folder_names(image) == mdir_names(f"{image}@@1M", "xa-a/01_SANG")


def folder_names(image: Path) -> list[str]:
    with FatImage(image) as fat:
        return [e.name for e in fat.walk() if e.path.startswith("xa-a/01_SANG/")]


def fat_entry_offset(image: Path, cluster: int) -> int:
    """Byte offset of FAT[cluster] in the first FAT of one of our images."""
    boot = image.read_bytes()[PARTITION: PARTITION + 512]
    reserved = struct.unpack_from("<H", boot, 14)[0]
    return PARTITION + reserved * 512 + 4 * cluster


def patch(image: Path, offset: int, data: bytes) -> None:
    with image.open("r+b") as fh:
        fh.seek(offset)
        fh.write(data)


def not_fat(image: Path) -> str:
    with pytest.raises(InputError) as caught, FatImage(image) as fat:
        for entry in fat.walk():
            if not entry.is_dir:
                b"".join(fat.chunks(entry))
    assert caught.value.key == "verify.not_fat"
    assert caught.value.path == image
    return str(caught.value)


def test_damaged_chains_are_named(tmp_path):
    image, _ = our_image(tmp_path)
    patch(image, fat_entry_offset(image, 2), struct.pack("<I", 2))  # the root directory loops
    assert "folder '/' is damaged" in not_fat(image)
    image, _ = our_image(tmp_path, name="file.img")
    with FatImage(image) as fat:
        first = next(e for e in fat.walk() if e.name == "002_bao-luc.mp3").first_cluster
    patch(image, fat_entry_offset(image, first + 3), struct.pack("<I", 0))  # chain cut mid-file
    assert "002_bao-luc.mp3' is damaged: its cluster chain breaks at cluster 0" in not_fat(image)


def test_what_is_not_a_fat_image_says_why(tmp_path):
    garbage = tmp_path / "garbage.img"
    garbage.write_bytes(random.Random(1).randbytes(1 << 20))
    assert "neither a FAT boot sector nor a partition table" in not_fat(garbage)
    tiny = tmp_path / "tiny.img"
    tiny.write_bytes(b"FAT32")
    assert "only 5 bytes" in not_fat(tiny)
    linux = tmp_path / "linux.img"
    linux.write_bytes(bytes(446) + struct.pack("<B3xB3xII", 0, 0x83, 2048, 4096) + bytes(48) + b"\x55\xaa")
    assert "no FAT partition" in not_fat(linux)
    fake = tmp_path / "fake.img"
    fake.write_bytes(linux.read_bytes().replace(b"\x83", b"\x0c", 1) + bytes(PARTITION + 512))
    assert "partition 1 (type 0x0C) holds no FAT file system" in not_fat(fake)


def test_a_cut_short_image_is_refused_up_front(tmp_path):
    image, _ = our_image(tmp_path)
    size = image.stat().st_size
    with image.open("r+b") as fh:
        fh.truncate(size // 2)  # all the files still fit before the cut, but the image is not whole
    assert f"cut short: it has {size // 2} bytes but the file system needs {size}" in not_fat(image)
    with image.open("r+b") as fh:
        fh.truncate(4096)
    assert "cut short" in not_fat(image)
