"""FAT32 images read back by independent readers: dissect.fat, fsck.fat (dosfstools), mtools.

Every file is random bytes made here from a fixed seed; every image is checked by code that
shares nothing with the writer, so a wrong offset, checksum or count shows up as a difference.
"""

from __future__ import annotations

import hashlib
import random
import re
import struct
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from conftest import require_tool
from dissect.fat import FATFS
from dissect.util.stream import RangeStream
from fatcheck import MIB, PARTITION, dissect_read_all, fsck, mcopy, mdir, random_files

from broadcast.errors import InputError, OperationalError
from broadcast.export.fat.layout import ImageFile, min_image_size, plan_image, write_image


def build(tmp_path: Path, files: list[ImageFile], name: str = "out.img", **options) -> Path:
    image = tmp_path / name
    write_image(plan_image(files, label=options.pop("label", "XA DAN HOA"), **options), image)
    return image


def dissect_tree(image: Path) -> list[tuple[str, bool]]:
    return dissect_read_all(image)[0]


def expected_tree(files: list[ImageFile]) -> list[tuple[str, bool]]:
    """Entries in the order the players must see them: each folder where first named, depth-first."""
    tree: dict = {}
    for f in files:
        node = tree
        for part in f.path.split("/")[:-1]:
            node = node.setdefault(part, {})
        node[f.path.split("/")[-1]] = None
    out: list[tuple[str, bool]] = []

    def walk(node: dict, prefix: str) -> None:
        for name, child in node.items():
            out.append((prefix + name, child is not None))
            if child is not None:
                walk(child, prefix + name + "/")

    walk(tree, "")
    return out


def check_everywhere(image: Path, files: list[ImageFile], tmp_path: Path) -> None:
    """dissect.fat sees exactly the given entries in order with the same bytes; fsck is silent."""
    tree, contents = dissect_read_all(image)
    assert tree == expected_tree(files)
    for f in files:
        assert contents[f.path] == f.source.read_bytes(), f.path
    fsck(image, tmp_path)


FEW = [("01_SANG/001_tao-hon.mp3", 3000), ("01_SANG/002_bao-luc.mp3", 70_000),
       ("README.TXT", 120), ("02_CHIEU/thai/001_binh-dang.mp3", 9000),
       ("02_CHIEU/thai/sau/002.mp3", 1), ("01_SANG/003_an-toan.mp3", 512)]


def test_few_files_in_nested_folders_read_back_by_every_reader(tmp_path):
    files = random_files(tmp_path, FEW)
    image = build(tmp_path, files)
    check_everywhere(image, files, tmp_path)
    assert mdir(image, "") == ["01_SANG", "README.TXT", "02_CHIEU"]
    assert mdir(image, "01_SANG") == ["001_tao-hon.mp3", "002_bao-luc.mp3", "003_an-toan.mp3"]
    assert mdir(image, "02_CHIEU/thai/sau") == ["002.mp3"]
    for f in files:
        assert mcopy(image, f.path) == f.source.read_bytes()


def test_given_order_is_kept_even_when_not_alphabetical(tmp_path):
    spec = [("02_CHIEU/zeta.mp3", 10), ("02_CHIEU/alpha.mp3", 20), ("01_SANG/MID.MP3", 30),
            ("02_CHIEU/Beta.mp3", 40)]
    files = random_files(tmp_path, spec)
    image = build(tmp_path, files)
    assert dissect_tree(image) == [("02_CHIEU", True), ("02_CHIEU/zeta.mp3", False),
                                   ("02_CHIEU/alpha.mp3", False), ("02_CHIEU/Beta.mp3", False),
                                   ("01_SANG", True), ("01_SANG/MID.MP3", False)]
    assert mdir(image, "") == ["02_CHIEU", "01_SANG"]
    assert mdir(image, "02_CHIEU") == ["zeta.mp3", "alpha.mp3", "Beta.mp3"]


def test_six_hundred_files_in_one_folder_span_many_directory_clusters(tmp_path):
    rng = random.Random(3)
    numbers = list(range(600))
    rng.shuffle(numbers)  # a play order that no sort by name would reproduce
    spec = [(f"01_SANG/{n:03d}_thong-diep-so-{n}.mp3", rng.randrange(0, 1500)) for n in numbers]
    files = random_files(tmp_path, spec)
    plan = plan_image(files, label="X")
    assert plan.folders[1].clusters > 50  # 600 × (1 short + 2 LFN) × 32 bytes in 512-byte clusters
    image = tmp_path / "many.img"
    write_image(plan, image)
    check_everywhere(image, files, tmp_path)
    assert mdir(image, "01_SANG") == [p.split("/")[1] for p, _ in spec]
    out = tmp_path / "mcopied"
    out.mkdir()
    subprocess.run([require_tool("mcopy"), "-s", "-i", f"{image}@@1M", "::/01_SANG", str(out)],
                   check=True, capture_output=True)
    for f in files:
        assert (out / f.path).read_bytes() == f.source.read_bytes(), f.path


BOUNDARIES = [("BIG/over-4mib.mp3", 4 * MIB + 1), ("BIG/six.mp3", 6 * MIB - 3), ("EDGE/empty.mp3", 0)]
BOUNDARIES += [(f"EDGE/b{size}.mp3", size) for size in (511, 512, 513, 4095, 4096, 4097, 8192)]


@pytest.mark.parametrize(("size", "cluster"), [(None, 512), (300 * MIB, 4096)])
def test_big_files_and_cluster_boundaries(tmp_path, size, cluster):
    files = random_files(tmp_path, BOUNDARIES)
    plan = plan_image(files, label="BIEN", size=size)
    assert plan.geometry.cluster_size == cluster  # mkfs.fat's choice: 512 B to 260 MiB, then 4 KiB
    image = tmp_path / "edge.img"
    write_image(plan, image)
    check_everywhere(image, files, tmp_path)
    empty = next(e for f in plan.folders for e in f.entries if e.name == "empty.mp3")
    assert empty.cluster == 0  # an empty file owns no cluster
    assert mcopy(image, "BIG/six.mp3") == files[1].source.read_bytes()


def test_long_and_short_names_round_trip(tmp_path):
    names = ["readme.txt", "a" * 13 + ".mp3", "b" * 22, "x" * 251 + ".mp3", "tin.so.1.mp3",
             "chuong-trinh-1.mp3", "chuong-trinh-2.mp3", "ABC.MP3", "file.mpeg",
             "n" * 9 + ".mp3", "m" * 22 + ".mp3"]  # 13 and 26 characters: no terminator fits
    files = random_files(tmp_path, [(f"ten-dai/{n}", 5) for n in names])
    image = build(tmp_path, files)
    check_everywhere(image, files, tmp_path)
    assert mdir(image, "ten-dai") == names
    with image.open("rb") as fh:
        fs = FATFS(RangeStream(fh, PARTITION, image.stat().st_size - PARTITION))
        shorts = [e.short_name for e in fs.get("ten-dai").iterdir()][2:]
    # Windows' rules: upper case, embedded dots dropped, ~N only when the conversion loses something.
    assert shorts == ["README.TXT", "AAAAAA~1.MP3", "BBBBBB~1", "XXXXXX~1.MP3", "TINSO1~1.MP3",
                      "CHUONG~1.MP3", "CHUONG~2.MP3", "ABC.MP3", "FILE~1.MPE", "NNNNNN~1.MP3",
                      "MMMMMM~1.MP3"]


def test_same_input_gives_the_same_bytes(tmp_path):
    files = random_files(tmp_path, FEW)
    first = build(tmp_path, files, "one.img")
    second = build(tmp_path, files, "two.img")
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, second)]
    assert digest[0] == digest[1]
    later = build(tmp_path, files, "three.img", timestamp=datetime(2026, 5, 1, 6, 30))
    assert hashlib.sha256(later.read_bytes()).hexdigest() != digest[0]


def test_partition_table_and_boot_sector(tmp_path):
    image = build(tmp_path, random_files(tmp_path, FEW), volume_id=0x12345678)
    data = image.read_bytes()
    sectors = len(data) // 512
    status, kind, start, length = struct.unpack_from("<B3xB3xII", data, 446)
    assert (kind, start, length) == (0x0C, 2048, sectors - 2048)
    assert status in (0x00, 0x80)
    assert data[510:512] == b"\x55\xaa"
    assert data[462:510] == bytes(48)  # exactly one partition
    boot = data[PARTITION: PARTITION + 512]
    assert struct.unpack_from("<I", boot, 28)[0] == 2048  # BPB_HiddSec matches the MBR
    assert struct.unpack_from("<I", boot, 32)[0] == sectors - 2048  # BPB_TotSec32
    assert struct.unpack_from("<I", boot, 67)[0] == 0x12345678  # BS_VolID
    assert boot[71:90] == b"XA DAN HOA " + b"FAT32   "  # BS_VolLab padded, BS_FilSysType
    backup = data[PARTITION + 6 * 512: PARTITION + 8 * 512]
    assert backup == data[PARTITION: PARTITION + 2 * 512]  # backup boot sector and FSInfo
    assert (sectors * 512) % MIB == 0  # sized to fit: a whole number of MiB


def test_fsinfo_free_count_matches_what_fsck_counts(tmp_path):
    image = build(tmp_path, random_files(tmp_path, BOUNDARIES[2:] + FEW))
    used, total = fsck(image, tmp_path)
    fsinfo = image.read_bytes()[PARTITION + 512: PARTITION + 1024]
    lead, = struct.unpack_from("<I", fsinfo, 0)
    struc, free, next_free = struct.unpack_from("<III", fsinfo, 484)
    assert (lead, struc) == (0x41615252, 0x61417272)
    assert free == total - used
    assert next_free == 2 + used  # everything is packed from cluster 2 on


def test_size_too_small_names_the_size_needed(tmp_path):
    # Planning reads no file, so the sizes can be large without writing anything.
    files = [ImageFile(f"01/{i:03d}.mp3", 5 * MIB + i, tmp_path / "none") for i in range(12)]
    needed = min_image_size(files)
    assert needed % MIB == 0 and needed > 60 * MIB
    with pytest.raises(InputError) as caught:
        plan_image(files, label="X", size=needed - MIB)
    assert caught.value.key == "image.too_small"
    assert caught.value.params["needed"] == needed
    assert str(needed // MIB) in str(caught.value)
    assert plan_image(files, label="X", size=needed).size == needed
    assert plan_image(files, label="X").size == needed


def test_small_packages_still_get_a_valid_fat32_image(tmp_path):
    one = [ImageFile("a.mp3", 10, tmp_path / "none")]
    assert min_image_size(one) == 35 * MIB  # 65541 clusters of 512 B, FATs and the 1 MiB gap
    assert plan_image(one, label="X").geometry.cluster_count >= 65525
    with pytest.raises(InputError) as caught:
        plan_image(one, label="X", size=20 * MIB)
    assert caught.value.params["needed"] == 35 * MIB


@pytest.mark.parametrize("partition_mib", [40, 260, 261, 8192, 8193])
def test_cluster_size_is_the_one_mkfs_fat_picks(tmp_path, partition_mib):
    tool = require_tool("mkfs.fat")
    target = tmp_path / "mkfs.img"
    with target.open("wb") as fh:
        fh.truncate(partition_mib * MIB)
    subprocess.run([tool, "-F", "32", str(target)], check=True, capture_output=True)
    theirs = _byte_at(target, 13)  # BPB_SecPerClus
    ours = plan_image([], label="X", size=(partition_mib + 1) * MIB).geometry.sectors_per_cluster
    assert ours == theirs


def _byte_at(path: Path, offset: int) -> int:
    with path.open("rb") as fh:
        fh.seek(offset)
        return fh.read(1)[0]


@pytest.mark.parametrize("path", ["tảo-hôn.mp3", "a b.mp3", ".hidden.mp3", "x/../y.mp3", "a//b.mp3",
                                  "/abs.mp3", "trailing.", "x" * 256, "desktop.ini?"])
def test_names_players_cannot_take_are_refused(tmp_path, path):
    with pytest.raises(InputError) as caught:
        plan_image([ImageFile(path, 1, tmp_path / "none")], label="X")
    assert caught.value.key == "image.bad_name"
    assert caught.value.path == path


def test_other_input_errors(tmp_path):
    none = tmp_path / "none"
    with pytest.raises(InputError, match="4 GiB") as caught:
        plan_image([ImageFile("huge.mp3", 4 << 30, none)], label="X")
    assert caught.value.key == "image.file_too_big"
    plan_image([ImageFile("max.mp3", (4 << 30) - 1, none)], label="X")  # the limit itself fits
    with pytest.raises(InputError) as caught:
        plan_image([ImageFile("A/x.mp3", 1, none), ImageFile("a/X.MP3", 1, none)], label="X")
    assert caught.value.key == "image.duplicate_path"
    with pytest.raises(InputError) as caught:
        plan_image([ImageFile("x.mp3", 1, none)], label="Xã Dân Hóa")
    assert caught.value.key == "image.bad_label"
    for size in (64 * MIB + 100, 3 << 40):  # not whole sectors; past what an MBR can address
        with pytest.raises(InputError) as caught:
            plan_image([ImageFile("x.mp3", 1, none)], label="X", size=size)
        assert caught.value.key == "image.bad_size"


def test_a_source_that_changed_stops_the_write_and_leaves_nothing(tmp_path):
    files = random_files(tmp_path, FEW)
    plan = plan_image(files, label="X")
    files[3].source.write_bytes(b"shorter")
    with pytest.raises(OperationalError) as caught:
        write_image(plan, tmp_path / "out" / "x.img")
    assert caught.value.key == "image.source_changed"
    assert caught.value.params["image_path"] == files[3].path
    assert list((tmp_path / "out").iterdir()) == []  # no image, no temporary file


def test_progress_adds_up_to_the_contents(tmp_path):
    files = random_files(tmp_path, BOUNDARIES[:2])
    plan = plan_image(files, label="X")
    seen: list[int] = []
    write_image(plan, tmp_path / "p.img", progress=seen.append)
    assert sum(seen) == plan.content_size == sum(f.size for f in files)


def test_messages_exist_in_both_languages_with_the_same_placeholders():
    from broadcast import i18n
    vi, en = i18n.catalog("vi"), i18n.catalog("en")
    keys = {k for k in en if k.startswith("image.")}
    assert keys == {k for k in vi if k.startswith("image.")}
    assert {"image.bad_name", "image.too_small", "image.file_too_big", "image.source_changed"} <= keys
    for key in keys:
        assert set(re.findall(r"{(\w+)", vi[key])) == set(re.findall(r"{(\w+)", en[key])), key


def test_smaller_clusters_when_many_small_files_do_not_fit_the_usual_ones(tmp_path):
    # 300 MiB would get 4 KiB clusters (about 76,700 of them): 80,000 one-byte files need more,
    # but fit in 2 KiB clusters, which still leave far more than FAT32's minimum of clusters.
    none = tmp_path / "none"
    files = [ImageFile(f"{i % 2:02d}/{i:05d}.MP3", 1, none) for i in range(80_000)]
    plan = plan_image(files, label="X", size=300 * MIB)
    assert plan.geometry.cluster_size == 2048
    assert plan.free_clusters >= 0
