"""verify: packages built here by hand (real MP3s from ffmpeg, a manifest with true sizes and
hashes) as a folder, a stick holding <id>/, and FAT32 images from our writer; then damaged one way
at a time, each damage must give exactly its finding.
"""

from __future__ import annotations

import hashlib
import random
import re
import subprocess
from pathlib import Path

import pytest
from conftest import make_audio, require_tool

from broadcast import i18n
from broadcast.errors import EXIT_VERIFY, InputError, VerificationFailed
from broadcast.export.fat.layout import ImageFile, plan_image, write_image
from broadcast.export.fstype import _mountinfo_points, is_fat_type, mount_type, on_fat
from broadcast.package.manifest import FileEntry, Manifest
from broadcast.trust import verify
from broadcast.trust.verify import Finding, first_difference, format_report

AUDIO = ["01_SANG/001_tao-hon.mp3", "01_SANG/002_bao-luc.mp3", "02_CHIEU/001_binh-dang.mp3"]
OTHER = {"playlists/sang.m3u8": "playlist", "README.TXT": "text"}


@pytest.fixture(scope="module")
def contents(tmp_path_factory) -> dict[str, bytes]:
    """Package path -> bytes, in manifest order: three real MP3s (different tones), then the rest."""
    folder = tmp_path_factory.mktemp("audio")
    data = {}
    for number, path in enumerate(AUDIO):
        mp3 = make_audio(folder / f"{number}.mp3", f"sine=frequency={300 + 200 * number}", 0.3)
        data[path] = mp3.read_bytes()
    rng = random.Random(11)
    data.update({path: rng.randbytes(700) for path in OTHER})
    return data


def make_manifest(data: dict[str, bytes], commune: str = "xa-a") -> Manifest:
    files = tuple(FileEntry(path=p, size=len(b), sha256=hashlib.sha256(b).hexdigest(),
                            kind=OTHER.get(p, "audio"), title=None if p in OTHER else f"Tin {n}")
                  for n, (p, b) in enumerate(data.items()))
    return Manifest(campaign={"id": "thu-nghiem", "name": "Chiến dịch thử nghiệm"},
                    organization="Ban Dân tộc tỉnh Quảng Trị",
                    commune={"id": commune, "name": "Xã Dân Hóa"}, version="2026-11-15.1",
                    created="2026-11-14", tool="broadcast tests", files=files)


def write_folder(root: Path, data: dict[str, bytes], manifest: Manifest | None = None) -> Path:
    """The package files in the given order, manifest.json last (as the usb command writes them)."""
    for path, body in data.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(body)
    (root / "manifest.json").write_text((manifest or make_manifest(data)).to_json(), encoding="utf-8")
    return root


def write_img(tmp_path: Path, data: dict[str, bytes], manifest: Manifest | None = None,
              prefix: str = "", name: str = "goi.img"):
    """An image of the package files in the given order, manifest.json last; returns (image, plan)."""
    stage = tmp_path / f"stage-{name}"
    body = {**data, "manifest.json": (manifest or make_manifest(data)).to_json().encode()}
    files = []
    for number, (path, content) in enumerate(body.items()):
        source = stage / f"{number:03d}"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(content)
        files.append(ImageFile(prefix + path, len(content), source))
    plan = plan_image(files, label="XA A")
    write_image(plan, tmp_path / name)
    return tmp_path / name, plan


def kinds(report: verify.Report) -> list[tuple[str, str]]:
    return [(f.kind, f.path) for f in report.findings]


def test_good_package_folder(tmp_path, contents):
    assert not on_fat(tmp_path), "these tests expect the temporary folder on a non-FAT disk"
    report = verify.verify(write_folder(tmp_path / "xa-a", contents))
    assert report.ok and report.findings == ()
    assert (report.files_checked, report.bytes_checked) == (5, sum(map(len, contents.values())))
    assert report.manifest == make_manifest(contents)
    assert not report.order_checked  # listing order on ext4 is not what a player would see
    verify.require_ok([report])


@pytest.mark.parametrize("prefix", ["", "xa-a/"])
def test_good_image_at_root_or_in_a_folder(tmp_path, contents, prefix):
    image, _ = write_img(tmp_path, contents, prefix=prefix)
    report = verify.verify(image)
    assert report.ok, report.findings
    assert report.order_checked
    assert (report.package, report.files_checked) == (prefix.strip("/"), 5)


def test_image_found_by_content_whatever_its_name(tmp_path, contents):
    image, _ = write_img(tmp_path, contents, name="USB_COPY")
    assert verify.verify(image).ok


def test_good_stick_holding_the_package_folder(tmp_path, contents):
    stick = tmp_path / "stick"
    write_folder(stick / "xa-a", contents)
    report = verify.verify(stick)
    assert report.ok and report.package == "xa-a"
    assert format_report(report)[-1].startswith(f"Package Xã Dân Hóa at {stick}/xa-a: 5 file(s)")


def test_flipped_byte_in_a_folder_and_in_an_image(tmp_path, contents):
    folder = write_folder(tmp_path / "pkg", contents)
    target = folder / AUDIO[1]
    body = bytearray(target.read_bytes())
    body[len(body) // 2] ^= 0x01
    target.write_bytes(body)
    assert kinds(verify.verify(folder)) == [("hash", AUDIO[1])]
    image, plan = write_img(tmp_path, contents)
    where = next(f for f in plan.files if f.path == AUDIO[2])
    with image.open("r+b") as fh:
        fh.seek(plan.geometry.cluster_offset(where.cluster) + 100)
        byte = fh.read(1)[0]
        fh.seek(-1, 1)
        fh.write(bytes([byte ^ 0x80]))
    finding = verify.verify(image).findings[0]
    assert (finding.kind, finding.path) == ("hash", AUDIO[2])
    assert finding.expected == hashlib.sha256(contents[AUDIO[2]]).hexdigest()[:12] != finding.found


def test_cut_short_file_is_a_size_finding(tmp_path, contents):
    folder = write_folder(tmp_path / "pkg", contents)
    (folder / AUDIO[0]).write_bytes(contents[AUDIO[0]][:-10])
    report = verify.verify(folder)
    size = len(contents[AUDIO[0]])
    assert report.findings == (Finding("size", AUDIO[0], expected=str(size), found=str(size - 10)),)
    assert report.files_checked == 4  # the wrong-sized file is not hashed


def test_missing_file(tmp_path, contents):
    folder = write_folder(tmp_path / "pkg", contents)
    (folder / AUDIO[2]).unlink()
    assert kinds(verify.verify(folder)) == [("missing", AUDIO[2])]
    without = {p: b for p, b in contents.items() if p != "README.TXT"}
    image, _ = write_img(tmp_path, without, make_manifest(contents))
    assert kinds(verify.verify(image)) == [("missing", "README.TXT")]


def test_extra_file_and_folder(tmp_path, contents):
    folder = write_folder(tmp_path / "pkg", contents)
    (folder / "01_SANG" / "bonus.mp3").write_bytes(b"ID3 not planned")
    (folder / "old").mkdir()
    (folder / "old" / "001.mp3").write_bytes(b"from last year")
    report = verify.verify(folder)
    assert sorted(kinds(report)) == [("extra", "01_SANG/bonus.mp3"), ("extra", "old")]
    assert next(f for f in report.findings if f.path == "old").detail == "folder"
    image, _ = write_img(tmp_path, {**contents, "02_CHIEU/zz.mp3": b"stray"}, make_manifest(contents))
    assert kinds(verify.verify(image)) == [("extra", "02_CHIEU/zz.mp3")]


def test_swapped_files_in_an_image_are_out_of_order(tmp_path, contents):
    swapped = dict(contents)
    first, second = swapped.pop(AUDIO[0]), swapped.pop(AUDIO[1])
    swapped = {AUDIO[1]: second, AUDIO[0]: first, **swapped}
    image, _ = write_img(tmp_path, swapped, make_manifest(contents), prefix="xa-a/")
    report = verify.verify(image)
    assert report.findings == (Finding("order", "xa-a/01_SANG", expected="001_tao-hon.mp3",
                                       found="002_bao-luc.mp3", position=1),)
    assert report.files_checked == 5  # every byte is right: only the order is wrong


def test_swapped_folders_in_an_image_are_out_of_order(tmp_path, contents):
    reordered = {p: contents[p] for p in [AUDIO[2], AUDIO[0], AUDIO[1], *OTHER]}
    image, _ = write_img(tmp_path, reordered, make_manifest(contents))
    assert verify.verify(image).findings == (
        Finding("order", "", expected="01_SANG", found="02_CHIEU", position=1),)


def test_order_is_not_checked_on_a_non_fat_folder_and_the_report_says_so(tmp_path, contents):
    swapped = {p: contents[p] for p in [AUDIO[1], AUDIO[0], *AUDIO[2:], *OTHER]}
    report = verify.verify(write_folder(tmp_path / "pkg", swapped, make_manifest(contents)))
    assert report.ok and not report.order_checked
    lines = format_report(report, "en")
    assert lines[0].startswith("Play order not checked: this folder is not on a FAT drive")


@pytest.mark.parametrize(("expected", "found", "difference"), [
    (["a", "b", "c"], ["a", "b", "c"], None),
    (["a", "b", "c"], ["b", "a", "c"], (1, "a", "b")),
    (["a", "b", "c"], ["x", "a", "c", "b"], (2, "b", "c")),  # x is extra: reported as such
    (["a", "b", "c"], ["a", "c"], None),  # b is missing: reported as such, not as order
    (["a", "b"], ["manifest.json", "b", "README.TXT", "a"], (1, "a", "b")),
])
def test_first_difference(expected, found, difference):
    assert first_difference(expected, found) == difference


def test_expected_order_covers_every_folder_on_the_way():
    assert verify.expected_order(["p/01/b.mp3", "p/01/a.mp3", "p/00/c.mp3", "p/top.mp3"]) == {
        "": ["p"], "p": ["01", "00", "top.mp3"], "p/01": ["b.mp3", "a.mp3"], "p/00": ["c.mp3"]}


def test_manifest_play_order_no_player_can_follow(contents):
    data = {p: contents[p] for p in [AUDIO[0], AUDIO[2], AUDIO[1]]}
    data["01_sang/001_tao-hon.mp3"] = b"same name but for case"
    found = verify.manifest_findings(make_manifest(data))
    assert found == [Finding("manifest", "01_sang/001_tao-hon.mp3", "duplicate"),
                     Finding("manifest", "01_SANG", "scattered")]


MOUNTINFO = r"""22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 8:17 / /media/op/NO\040NAME rw,nosuid shared:20 - vfat /dev/sdb1 rw,fmask=0022
41 40 0:40 / /media/op/NO\040NAME/inner rw - tmpfs tmpfs rw
42 22 0:41 / /mnt/stick rw - fuse fusefat#/dev/sdc1 rw,user_id=0
43 22 0:42 / /mnt/disk rw - fuse /dev/sdd1 rw,user_id=0
"""


def test_file_system_type_from_the_mount_table():
    points = _mountinfo_points(MOUNTINFO)
    assert points[1] == ("/media/op/NO NAME", "vfat")
    assert mount_type("/media/op/NO NAME/xa-a", points) == "vfat"
    assert mount_type("/media/op/NO NAME", points) == "vfat"
    assert mount_type("/media/op/NO NAMES", points) == "ext4"  # a prefix, not a parent
    assert mount_type("/media/op/NO NAME/inner/x", points) == "tmpfs"
    # FUSE without a subtype: the source names the driver, so a fusefat stick counts as FAT.
    assert is_fat_type(mount_type("/mnt/stick/xa-a", points))
    assert not is_fat_type(mount_type("/mnt/disk/xa-a", points))


def test_hidden_files_in_a_folder(tmp_path, contents):
    folder = write_folder(tmp_path / "pkg", contents)
    (folder / "01_SANG" / ".nhac-cua-toi.mp3").write_bytes(b"not ours")
    (folder / ".cache").mkdir()
    (folder / ".cache" / "x").write_bytes(b"x")
    report = verify.verify(folder)
    assert sorted(kinds(report)) == [("hidden", ".cache"), ("hidden", "01_SANG/.nhac-cua-toi.mp3")]
    assert not report.ok  # one each, not "extra" as well


@pytest.mark.parametrize("left", [
    ["System Volume Information/IndexerVolumeGuid", "$RECYCLE.BIN/desktop.ini"],  # Windows
    [".fseventsd/fseventsd-uuid", ".Spotlight-V100/Store-V2/x", ".Trashes/501/x", ".DS_Store",
     "01_SANG/._001_tao-hon.mp3"],  # macOS
    [".Trash-1000/info/x.trashinfo", "desktop.ini", "Thumbs.db"],  # Linux desktops, Windows Explorer
    ["LOST.DIR/x", ".android_secure/x", ".TemporaryItems/x", ".DocumentRevisions-V100/x",
     "01_SANG/desktop.ini"],  # an Android phone used as the player; macOS; Explorer in a folder
], ids=["windows", "macos", "linux", "android"])
def test_what_an_operating_system_leaves_on_a_stick_is_noted_not_refused(tmp_path, contents, left):
    stick = tmp_path / "stick"
    write_folder(stick / "xa-a", contents)
    for name in left:
        place = stick / name if not name.startswith("01_") else stick / "xa-a" / name
        place.parent.mkdir(parents=True, exist_ok=True)
        place.write_bytes(b"\x00\x05\x16\x07")
    report = verify.verify(stick)
    assert report.ok, report.problems
    assert report.notes and all(f.kind in ("system", "appledouble") for f in report.notes)
    lines = verify.format_report(report)
    assert "everything is as planned" in lines[-1]
    assert any("players skip it" in line or "companion" in line for line in lines)


@pytest.mark.parametrize(("kind", "fat"), [("vfat", True), ("exfat", True), ("fuse.fusefat", True),
                                           ("fuseblk", True), ("fuse.exfat", True), ("ext4", False),
                                           ("fuse.sshfs", False), ("ntfs3", False), ("tmpfs", False)])
def test_fuse_fat_mounts_count_as_fat(kind, fat):
    assert is_fat_type(kind) is fat


def test_hidden_files_in_an_image(tmp_path, contents):
    image, _ = write_img(tmp_path, {**contents, "desktop.ini": b"[x]"}, make_manifest(contents))
    subprocess.run([require_tool("mattrib"), "-i", f"{image}@@1M", "+h", f"::/{AUDIO[1]}"],
                   check=True, capture_output=True)
    report = verify.verify(image)
    assert kinds(report) == [("hidden", AUDIO[1]), ("system", "desktop.ini")]
    assert report.files_checked == 5  # a planned file with the hidden flag is still checked


def test_manifest_pointing_outside_is_refused_before_anything_is_read(tmp_path, contents, monkeypatch):
    (tmp_path / "secret.mp3").write_bytes(b"outside the package")
    folder = write_folder(tmp_path / "pkg", contents)
    text = (folder / "manifest.json").read_text(encoding="utf-8")
    (folder / "manifest.json").write_text(text.replace('"README.TXT"', '"../secret.mp3"'), encoding="utf-8")
    read = spy_reads(monkeypatch)
    with pytest.raises(InputError) as caught:
        verify.verify(folder)
    assert caught.value.key == "manifest.unsafe_path" and caught.value.params["entry"] == "../secret.mp3"
    assert str(caught.value.path).endswith("manifest.json") and caught.value.exit_code == 3
    assert read == ["manifest.json"]


def test_a_link_out_of_the_package_is_never_followed(tmp_path, contents, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(contents["README.TXT"])  # the right bytes, but outside the package
    folder = write_folder(tmp_path / "pkg", contents)
    (folder / "README.TXT").unlink()
    (folder / "README.TXT").symlink_to(secret)
    read = spy_reads(monkeypatch)
    report = verify.verify(folder)
    assert sorted(kinds(report)) == [("extra", "README.TXT"), ("missing", "README.TXT")]
    assert "README.TXT" not in read


def spy_reads(monkeypatch) -> list[str]:
    """Record the path of every file the folder view opens."""
    read: list[str] = []
    original = verify._FolderView.chunks

    def chunks(self, item):
        read.append(item.path)
        return original(self, item)

    monkeypatch.setattr(verify._FolderView, "chunks", chunks)
    return read


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_garbage_or_truncated_image_is_refused_as_damaged(tmp_path, contents, damage):
    image, _ = write_img(tmp_path, contents)
    if damage == "garbage":
        image.write_bytes(random.Random(3).randbytes(1 << 20))
    else:
        with image.open("r+b") as fh:
            fh.truncate(image.stat().st_size - (1 << 20))
    with pytest.raises(InputError) as caught:
        verify.verify(image)
    assert caught.value.key == "verify.not_fat" and caught.value.exit_code == 3  # damaged: refused
    assert str(caught.value).startswith(f"{image}: cannot be read as a FAT disk image: ")


def test_no_package_here(tmp_path):
    (tmp_path / "music").mkdir()
    (tmp_path / "music" / "song.mp3").write_bytes(b"x")
    with pytest.raises(InputError) as caught:
        verify.verify(tmp_path)
    assert caught.value.key == "verify.no_manifest"
    with pytest.raises(InputError) as caught:
        verify.verify(tmp_path / "nothing")
    assert caught.value.key == "verify.not_found"


def test_several_packages_on_one_stick(tmp_path, contents):
    stick = tmp_path / "stick"
    write_folder(stick / "xa-a", contents)
    write_folder(stick / "xa-b", contents, make_manifest(contents, commune="xa-b"))
    (stick / "xa-b" / AUDIO[0]).unlink()
    (stick / "loose.mp3").write_bytes(b"dropped here by hand")
    first, second, rest = verify.verify_all(stick)
    assert (first.package, first.ok) == ("xa-a", True)
    assert (second.package, kinds(second)) == ("xa-b", [("missing", f"xa-b/{AUDIO[0]}")])
    assert (rest.manifest, kinds(rest)) == (None, [("extra", "loose.mp3")])
    with pytest.raises(VerificationFailed) as caught:
        verify.require_ok([first, second, rest])
    assert caught.value.exit_code == EXIT_VERIFY == 3
    assert caught.value.params["problems"] == 2
    with pytest.raises(InputError) as refused:  # usb checks the one package it wrote
        verify.verify(stick)
    assert refused.value.key == "verify.several_packages"
    assert "2 packages are here (xa-a, xa-b)" in str(refused.value)
    assert verify.verify(stick / "xa-a").ok


def test_report_lines_in_both_languages(tmp_path, contents):
    folder = write_folder(tmp_path / "pkg", contents)
    (folder / AUDIO[0]).unlink()
    report = verify.verify(folder)
    en, vi = format_report(report, "en"), format_report(report, "vi")
    assert en[0] == (f"{AUDIO[0]}: missing: the package lists this file but it is not here. Do not play "
                     "this stick: ask the sender for a fresh copy of the package (or fetch it again with "
                     "broadcast pull, if you have a link).")
    assert not any("broadcast usb" in line for line in en + vi)  # operators have no such command
    assert vi[0].startswith(f"{AUDIO[0]}: thiếu tệp: gói có ghi tệp này nhưng ở đây không có.")
    megabytes = f"{report.bytes_checked / 1e6:.1f}"
    assert en[-1] == (f"Package Xã Dân Hóa at {folder}: 4 file(s), {megabytes} MB checked: "
                      "1 problem(s) found.")
    assert vi[-1] == (f"Gói Xã Dân Hóa tại {folder}: đã kiểm tra 4 tệp, {megabytes.replace('.', ',')} MB: "
                      "có 1 vấn đề.")
    assert len(en) == len(vi) == 3  # the finding, the order note, the summary


def test_messages_exist_in_both_languages_with_the_same_placeholders():
    vi, en = i18n.catalog("vi"), i18n.catalog("en")
    keys = {k for k in en if k.startswith(("verify.", "manifest."))}
    assert keys == {k for k in vi if k.startswith(("verify.", "manifest."))}
    kinds_used = {"missing", "extra", "extra_folder", "size", "hash", "order", "hidden",
                  "hidden_folder", "manifest_duplicate", "manifest_scattered"}
    assert {f"verify.finding.{k}" for k in kinds_used} <= keys
    assert {"manifest.unsafe_path", "manifest.not_a_manifest", "manifest.too_new",
            "manifest.malformed"} <= keys
    for key in keys:
        assert set(re.findall(r"{(\w+)", vi[key])) == set(re.findall(r"{(\w+)", en[key])), key
