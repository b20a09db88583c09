"""Commune packages end to end: build, image, usb and verify through the CLI, checked by
independent readers (dissect.fat always; fsck.fat and mtools where installed, required in CI)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import COMMUNES, MESSAGES, SETTINGS, make_audio, write_workspace
from fatcheck import dissect_read_all, fsck, mdir

NAME = re.compile(r"^[0-9][A-Za-z0-9_-]*(\.mp3)?$")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("package") / "ws"
    make_audio(root / "jingles" / "nhac-hieu.wav", "sine=frequency=660", 1.5)
    settings = (SETTINGS.replace("end: 2026-11-28", "end: 2026-11-17").replace("minutes: 15", "minutes: 1")
                + "schedule: {fill: 0.6, jingle_every: 2}\njingles: {station: jingles/nhac-hieu.wav}\n")
    messages = MESSAGES + "  - id: tin-03\n    title: Trẻ em gái đến trường\n    text: Cho con gái đi học.\n"
    write_workspace(root, settings=settings, messages=messages, communes=COMMUNES)
    result = cli(root, "build", "--offline")
    assert result.returncode == 0, result.stderr
    return root


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The installed entry point in a subprocess, exactly as an officer runs it."""
    import sys

    env = {**os.environ, "BROADCAST_LANG": "en", "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "broadcast", "-w", str(root), *args],
                          capture_output=True, text=True, env=env)


def package_of(root: Path) -> Path:
    return root / "dist" / "packages" / "xa-a"


def manifest_of(folder: Path) -> dict:
    """The manifest as JSON, with one entry per file (format 2 lists each content once)."""
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {**data, "files": [{**data["contents"][i], "path": path} for path, i in data["files"]]}


def test_package_layout_names_and_manifest(built: Path):
    folder = package_of(built)
    manifest = manifest_of(folder)
    assert manifest["commune"]["id"] == "xa-a" and manifest["format_version"] == 2
    audio = [f for f in manifest["files"] if f["kind"] == "audio"]
    # Play order: folders by date and slot, files by number; numbering makes it also name order.
    assert [f["path"] for f in audio] == sorted(f["path"] for f in audio)
    assert audio[0]["path"].startswith("01_1511_sang/001_")
    for entry in manifest["files"]:
        data = (folder / entry["path"]).read_bytes()
        assert len(data) == entry["size"] and hashlib.sha256(data).hexdigest() == entry["sha256"]
    for entry in audio:
        assert all(NAME.match(part) for part in entry["path"].split("/")), entry["path"]
        assert entry["title"] and entry["duration"] > 0
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert on_disk == {f["path"] for f in manifest["files"]} | {"manifest.json"}
    assert not [p for p in folder.rglob("*") if p.name.startswith(".")]
    guide = (folder / "HUONG-DAN.txt").read_bytes()
    assert guide.startswith(b"\xef\xbb\xbf") and "HƯỚNG DẪN" in guide.decode("utf-8-sig")
    assert "01_1511_sang" in guide.decode("utf-8-sig")
    assert "Xã Dân Hóa" in (folder / "index.html").read_text(encoding="utf-8")


def test_what_the_operator_reads_names_slots_as_they_call_them(built: Path):
    """Playlists' names and the play log's slot column say "Buổi sáng", never the code "sang"."""
    folder = package_of(built)
    dated = (folder / "danh-sach-phat" / "2026-11-15_sang.m3u8").read_text(encoding="utf-8")
    assert dated.splitlines()[1] == "#PLAYLIST:Buổi sáng 15/11/2026"
    assert (folder / "danh-sach-phat" / "chieu.m3u8").read_text(encoding="utf-8").splitlines()[1] \
        == "#PLAYLIST:Buổi chiều"
    import csv
    rows = list(csv.DictReader((folder / "nhat-ky-phat.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert rows and {row["Buổi phát"] for row in rows} == {"Buổi sáng", "Buổi chiều"}


def test_rebuild_is_a_no_op_and_gives_identical_bytes(built: Path, tmp_path: Path):
    folder = package_of(built)
    before = (folder / "manifest.json").read_bytes()
    again = cli(built, "build", "--offline")
    assert again.returncode == 0 and "unchanged" in again.stdout
    shutil.rmtree(built / "dist")
    fresh = cli(built, "build", "--offline")
    assert fresh.returncode == 0 and "built" in fresh.stdout
    assert (folder / "manifest.json").read_bytes() == before


@pytest.fixture(scope="module")
def image(built: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("images")
    result = cli(built, "image", "xa-a", "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out / "xa-a.img"


def test_image_reads_back_in_play_order_through_dissect_fat(built: Path, image: Path):
    manifest = manifest_of(package_of(built))
    tree, contents = dissect_read_all(image)
    files = [path for path, is_folder in tree if not is_folder]
    # dissect.fat shows 8.3 names in upper case where no long name was needed.
    assert [p.lower() for p in files] == [f["path"].lower() for f in manifest["files"]] + ["manifest.json"]
    by_lower = {p.lower(): data for p, data in contents.items()}
    for entry in manifest["files"]:
        assert hashlib.sha256(by_lower[entry["path"].lower()]).hexdigest() == entry["sha256"]
    mbr = image.read_bytes()[:512]
    assert mbr[510:512] == b"\x55\xaa" and mbr[446 + 4] == 0x0C
    assert int.from_bytes(mbr[446 + 8:446 + 12], "little") == 2048


def test_image_passes_fsck_and_lists_in_order_under_mtools(built: Path, image: Path, tmp_path: Path):
    fsck(image, tmp_path)
    expected = [Path(f["path"]).name for f in manifest_of(package_of(built))["files"]
                if f["path"].startswith("01_1511_sang/")]
    assert mdir(image, "01_1511_sang") == expected


@pytest.mark.parametrize(("needed_mib", "made_mib"), [(1, 64), (37, 64), (65, 128), (700, 1024),
                                                      (1024, 1024), (1025, 2048), (5800, 6144)])
def test_images_round_up_to_a_size_a_stick_shows_sensibly(needed_mib, made_mib):
    from broadcast.export.image import stick_size

    assert stick_size(needed_mib << 20) == made_mib << 20


def test_image_is_deterministic_and_sized_on_request(built: Path, image: Path, tmp_path: Path):
    again = cli(built, "image", "xa-a", "-o", str(tmp_path))
    assert again.returncode == 0, again.stderr
    assert _sha(tmp_path / "xa-a.img") == _sha(image)
    assert image.stat().st_size == 64 << 20  # unasked, a size a stick shows sensibly
    big = cli(built, "image", "xa-a", "-o", str(tmp_path / "big"), "--size", "100M")
    assert big.returncode == 0 and (tmp_path / "big" / "xa-a.img").stat().st_size == 100 << 20
    small = cli(built, "image", "xa-a", "-o", str(tmp_path / "small"), "--size", "1M")
    assert small.returncode == 2 and "Traceback" not in small.stderr
    assert not (tmp_path / "small" / "xa-a.img").exists()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_verify_image_and_a_flipped_byte(built: Path, image: Path, tmp_path: Path):
    good = cli(built, "verify", str(image))
    assert good.returncode == 0, good.stdout + good.stderr
    damaged = tmp_path / "damaged.img"
    data = bytearray(image.read_bytes())
    clip = (package_of(built) / manifest_of(package_of(built))["files"][1]["path"]).read_bytes()
    at = data.find(clip[1000:1064])
    assert at > 0
    data[at] ^= 0xFF
    damaged.write_bytes(bytes(data))
    bad = cli(built, "verify", str(damaged))
    assert bad.returncode == 3
    assert "content differs" in bad.stdout


def test_usb_writes_verifies_and_refuses_to_overwrite(built: Path, tmp_path: Path):
    stick = tmp_path / "stick"
    stick.mkdir()
    first = cli(built, "usb", "xa-a", str(stick))
    assert first.returncode == 0, first.stderr
    assert (stick / "xa-a" / "manifest.json").is_file()
    assert not [p for p in stick.iterdir() if p.name != "xa-a"]  # no partial or old copies left
    assert cli(built, "verify", str(stick)).returncode == 0
    again = cli(built, "usb", "xa-a", str(stick))  # the very same package, intact: nothing to do
    assert again.returncode == 0 and "nothing was written" in again.stdout, again.stderr
    clip = next((stick / "xa-a").rglob("*.mp3"))
    clip.write_bytes(clip.read_bytes()[:-10])  # damaged on the stick: no longer "the same"
    refused = cli(built, "usb", "xa-a", str(stick))
    assert refused.returncode == 2 and "--replace" in refused.stderr
    assert cli(built, "usb", "xa-a", str(stick), "--replace").returncode == 0
    assert cli(built, "verify", str(stick)).returncode == 0
    missing = cli(built, "usb", "xa-a", str(tmp_path / "no-stick"))
    assert missing.returncode == 2 and "plugged in" in missing.stderr


def test_usb_refuses_a_stick_too_small(built: Path, tmp_path: Path):
    mount = _tmpfs(tmp_path / "tiny", "64k")
    try:
        result = cli(built, "usb", "xa-a", str(mount))
        assert result.returncode == 1
        assert "not enough space" in result.stderr and "Traceback" not in result.stderr
        assert list(mount.iterdir()) == []
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_usb_reports_a_read_only_stick(built: Path, tmp_path: Path):
    mount = _tmpfs(tmp_path / "ro", "16m", "ro")
    try:
        result = cli(built, "usb", "xa-a", str(mount))
        assert result.returncode == 1
        assert "read-only" in result.stderr and "Traceback" not in result.stderr
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _tmpfs(point: Path, size: str, *options: str) -> Path:
    """A real small or read-only file system, like a full or locked stick (needs root)."""
    point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join([f"size={size}", *options]),
                           "tmpfs", str(point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("mounting a small file system needs root")
    return point


def test_the_creation_time_comes_from_inputs_only_and_never_walks_the_outputs(tmp_path, monkeypatch):
    """A newer file under build/, dist/, keys/ or a hidden folder moves nothing, and those
    folders are not even entered (a thousand communes put millions of files there)."""
    from broadcast.campaign import workspace
    from broadcast.package import contents

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    write_workspace(tmp_path)
    for path in tmp_path.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    for name in ("build/schedule/xa-a/x.m3u8", "dist/packages/xa-a/a.mp3", "keys/k.pub", ".git/HEAD",
                 ".broadcast.lock", "ledger.sqlite-wal"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    ws, _ = workspace.load(tmp_path)
    entered = []
    walk = os.walk

    def watched(top, *args, **kwargs):
        for folder, dirs, files in walk(top, *args, **kwargs):
            entered.append(Path(folder).relative_to(tmp_path).as_posix())
            yield folder, dirs, files

    monkeypatch.setattr(contents.os, "walk", watched)
    assert contents.created_time(ws) == "2023-11-14T22:13:20Z"
    assert not [f for f in entered if f.split("/")[0] in ("build", "dist", "keys", ".git")]
    (tmp_path / "messages.yaml").touch()
    assert contents.created_time(ws) != "2023-11-14T22:13:20Z"
