"""Nothing lost, nothing half-done: broadcast replaces only what it made, one writer at a time,
records what took effect, guards the bytes packages share, and copes with weak file systems.

Every case here was first seen to lose data or leave a mess; each test drives the real CLI in a
subprocess on a real small campaign and checks the user's bytes afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SETTINGS, write_workspace

from broadcast import fsio
from broadcast.ledger.book import Ledger
from broadcast.operations import lock

SMALL = SETTINGS.replace("end: 2026-11-28", "end: 2026-11-16").replace("minutes: 15", "minutes: 1")


def run(root: Path | None, *args: str, cwd: Path | None = None, env: dict | None = None,
        ) -> subprocess.CompletedProcess:
    """The installed entry point, exactly as an officer or operator runs it."""
    full = {**os.environ, "BROADCAST_LANG": "en", "PYTHONPATH": os.pathsep.join(sys.path), **(env or {})}
    where = ["-w", str(root)] if root is not None else []
    return subprocess.run([sys.executable, "-m", "broadcast", *where, *args], capture_output=True,
                          text=True, env=full, cwd=cwd)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with its sha256: "byte for byte intact"."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> Path:
    root = write_workspace(tmp_path_factory.mktemp("safety") / "ws", settings=SMALL)
    result = run(root, "build", "--offline")
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def own_campaign(campaign: Path, tmp_path: Path) -> Path:
    """A copy of the built campaign for a test that changes it (its clips need no rendering)."""
    root = tmp_path / "ws"
    shutil.copytree(campaign, root, symlinks=True)
    return root


@pytest.fixture(scope="module")
def store(campaign: Path, tmp_path_factory) -> str:
    url = (tmp_path_factory.mktemp("store") / "kho").as_uri()
    result = run(campaign, "publish", url, "--offline")
    assert result.returncode == 0, result.stderr
    return url


def user_folder(path: Path) -> Path:
    """A folder of the user's own, like Documents."""
    (path / "Bao cao").mkdir(parents=True)
    (path / "Bao cao" / "tong-ket.docx").write_bytes(os.urandom(3000))
    (path / "anh-gia-dinh.jpg").write_bytes(os.urandom(5000))
    return path


# --- destinations are sacred -------------------------------------------------------------------

def test_pull_into_a_folder_of_user_files_is_refused_and_nothing_is_touched(store, tmp_path):
    documents = user_folder(tmp_path / "Documents")
    before = snapshot(tmp_path)
    result = run(None, "pull", store, "xa-a", str(documents))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "never deletes your files" in result.stderr and str(documents) in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Documents"]  # no staging folder either


def test_pull_into_the_campaign_folder_is_refused(campaign, store):
    before = snapshot(campaign)
    result = run(None, "pull", store, "xa-a", str(campaign))
    assert result.returncode == 2
    assert "campaign folder" in result.stderr
    assert snapshot(campaign) == before


def test_pull_next_to_a_user_folder_named_old_leaves_it_alone(store, tmp_path):
    mine = user_folder(tmp_path / "xa-a.old")
    before = snapshot(mine)
    first = run(None, "pull", store, "xa-a", str(tmp_path / "xa-a"))
    assert first.returncode == 0, first.stderr
    assert snapshot(mine) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xa-a", "xa-a.old"]


def test_pull_into_the_current_folder(store, tmp_path):
    here = tmp_path / "xa-a"
    here.mkdir()
    result = run(None, "pull", store, "xa-a", ".", cwd=here)
    assert result.returncode == 0, result.stderr
    assert (here / "manifest.json").is_file()
    assert run(None, "verify", str(here)).returncode == 0


def test_pull_refuses_another_communes_package_and_a_package_with_added_files(store, tmp_path):
    dest = tmp_path / "xa-a"
    assert run(None, "pull", store, "xa-a", str(dest)).returncode == 0
    manifest = json.loads((dest / "manifest.json").read_text())
    manifest["commune"]["id"] = "xa-khac"
    (dest / "manifest.json").write_text(json.dumps(manifest))
    other = run(None, "pull", store, "xa-a", str(dest))
    assert other.returncode == 2 and "xa-khac" in other.stderr
    manifest["commune"]["id"] = "xa-a"
    (dest / "manifest.json").write_text(json.dumps(manifest))
    (dest / "ghi-chu-cua-toi.txt").write_text("của tôi")
    before = snapshot(dest)
    added = run(None, "pull", store, "xa-a", str(dest))
    assert added.returncode == 2 and "ghi-chu-cua-toi.txt" in added.stderr
    assert snapshot(dest) == before


def test_pull_keeps_a_filled_in_play_log(store, tmp_path):
    dest = tmp_path / "xa-a"
    assert run(None, "pull", store, "xa-a", str(dest)).returncode == 0
    log = dest / "nhat-ky-phat.csv"
    log.write_text(log.read_text(encoding="utf-8-sig") + "xa-a,2026-11-15,,,,,,,,x,06:01,\n",
                   encoding="utf-8")
    (dest / "index.html").write_text("hỏng")  # damage too: a repair would rewrite the folder
    before = snapshot(dest)
    result = run(None, "pull", store, "xa-a", str(dest))
    assert result.returncode == 2 and "play log" in result.stderr
    assert snapshot(dest) == before


def test_a_user_file_that_only_looks_like_a_temporary_is_never_swept_away(store, tmp_path):
    dest = tmp_path / "xa-a"
    assert run(None, "pull", store, "xa-a", str(dest)).returncode == 0
    (dest / ".ghi-chu.part").write_text("của tôi", encoding="utf-8")  # not a name broadcast makes
    (dest / "index.html").write_text("hỏng")  # damaged: a repair would swap the whole folder
    before = snapshot(dest)
    result = run(None, "pull", store, "xa-a", str(dest))
    assert result.returncode == 2 and ".ghi-chu.part" in result.stderr
    assert snapshot(dest) == before


def test_a_complete_pull_that_was_damaged_is_repaired(store, tmp_path):
    dest = tmp_path / "xa-a"
    assert run(None, "pull", store, "xa-a", str(dest)).returncode == 0
    clip = sorted(dest.rglob("*.mp3"))[1]
    data = bytearray(clip.read_bytes())
    data[len(data) // 2] ^= 0x01
    clip.write_bytes(bytes(data))
    result = run(None, "pull", store, "xa-a", str(dest))
    assert result.returncode == 0, result.stderr
    assert "fetched again" in result.stderr and clip.name in result.stderr
    assert run(None, "verify", str(dest)).returncode == 0


def test_usb_replace_refuses_a_folder_it_did_not_make(campaign, tmp_path):
    stick = tmp_path / "stick"
    mine = user_folder(stick / "xa-a")
    before = snapshot(stick)
    result = run(campaign, "usb", "xa-a", str(stick), "--replace")
    assert result.returncode == 2 and "never deletes your files" in result.stderr
    assert snapshot(stick) == before and mine.is_dir()


def test_usb_to_a_file_says_it_is_a_file(campaign, tmp_path):
    target = tmp_path / "not-a-stick.txt"
    target.write_text("x")
    result = run(campaign, "usb", "xa-a", str(target))
    assert result.returncode == 2 and "is a file" in result.stderr


def test_build_refuses_to_replace_a_package_folder_someone_added_to(own_campaign):
    root = own_campaign
    package = root / "dist" / "packages" / "xa-a"
    (package / "ban-sao-cua-toi.mp3").write_bytes(b"mine")
    before = snapshot(package)
    result = run(root, "build", "--offline")
    assert result.returncode == 2 and "ban-sao-cua-toi.mp3" in result.stderr
    assert snapshot(package) == before


def test_image_never_overwrites_a_file_it_did_not_make(campaign, tmp_path):
    out = tmp_path / "images"
    out.mkdir()
    (out / "xa-a.img").write_bytes(b"my own disk image" * 100)
    before = snapshot(out)
    result = run(campaign, "image", "xa-a", "-o", str(out))
    assert result.returncode == 2 and "never overwrites your files" in result.stderr
    assert snapshot(out) == before
    (out / "xa-a.img").unlink()
    assert run(campaign, "image", "xa-a", "-o", str(out)).returncode == 0
    assert run(campaign, "image", "xa-a", "-o", str(out)).returncode == 0  # its own: replaced


@pytest.mark.parametrize("where", ["recordings", "keys", "link", "through-a-file", "dotdot"])
def test_pull_refuses_hostile_destinations_before_a_byte_is_written(own_campaign, store, tmp_path,
                                                                    where):
    documents = user_folder(tmp_path / "Documents")
    (own_campaign / where).mkdir()  # an empty folder of the campaign's own is still the campaign's
    (tmp_path / "link").symlink_to(documents, target_is_directory=True)
    dest = {"link": tmp_path / "link", "through-a-file": documents / "anh-gia-dinh.jpg" / "xa-a",
            "dotdot": documents / "Bao cao" / ".."}.get(where, own_campaign / where)
    before, ours = snapshot(tmp_path), snapshot(own_campaign)
    result = run(None, "pull", store, "xa-a", str(dest))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith(str(tmp_path)) and result.stderr.count("\n") == 1  # names it
    assert snapshot(tmp_path) == before and snapshot(own_campaign) == ours
    assert not [p for p in tmp_path.rglob("*") if ".broadcast-" in p.name]


@pytest.mark.parametrize("command", [("usb", "xa-a"), ("image", "xa-a", "-o")], ids=["usb", "image"])
def test_usb_and_image_never_write_among_the_campaigns_own_files(own_campaign, command):
    (own_campaign / "recordings").mkdir()
    before = snapshot(own_campaign)
    for place in (own_campaign / "recordings", own_campaign):
        result = run(own_campaign, *command, str(place))
        assert result.returncode == 2 and "campaign folder" in result.stderr, result.stderr
    assert snapshot(own_campaign) == before and not any((own_campaign / "recordings").iterdir())


@pytest.mark.parametrize("kind", ["report-csv", "report-xlsx", "qr-png", "qr-svg", "key"])
def test_an_output_file_never_replaces_a_file_of_the_users(campaign, store, tmp_path, kind):
    name = {"report-csv": "tong-ket.csv", "report-xlsx": "bao-cao.xlsx", "qr-png": "anh.png",
            "qr-svg": "ban-do.svg", "key": "ghi-chu.txt"}[kind]
    mine = tmp_path / name
    mine.write_bytes(os.urandom(2000))
    command = {"report-csv": (campaign, "report", "--format", "csv", "-o"),
               "report-xlsx": (campaign, "report", "--format", "xlsx", "-o"),
               "qr-png": (None, "share", store, "xa-a", "--qr"),
               "qr-svg": (None, "share", store, "xa-a", "--qr"),
               "key": (None, "keys", "init", "--force", "--key")}[kind]
    before = snapshot(tmp_path)
    result = run(*command, str(mine))
    assert result.returncode == 2, result.stdout + result.stderr
    assert str(mine) in result.stderr and "never overwrites your files" in result.stderr
    assert snapshot(tmp_path) == before
    mine.unlink()
    assert run(*command, str(mine)).returncode == 0, "its own output, made afresh"
    again = run(*command, str(mine))  # and replaced: broadcast knows its own
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_schedule_never_deletes_what_the_user_put_in_its_folder(own_campaign, tmp_path):
    folder = own_campaign / "build" / "schedule" / "xa-a"
    assert run(own_campaign, "schedule", "--offline").returncode == 0
    (folder / "ghi-chu.txt").write_text("của tôi", encoding="utf-8")
    before = snapshot(folder)
    result = run(own_campaign, "schedule", "--offline", "--mixdown")
    assert result.returncode == 2 and "ghi-chu.txt" in result.stderr
    assert snapshot(folder) == before
    (folder / "ghi-chu.txt").unlink()
    assert run(own_campaign, "schedule", "--offline", "--mixdown").returncode == 0
    shutil.rmtree(folder)
    mine = user_folder(tmp_path / "Documents")
    folder.symlink_to(mine, target_is_directory=True)  # the folder a link to the user's own
    before = snapshot(mine)
    assert run(own_campaign, "schedule", "--offline").returncode == 2
    assert snapshot(mine) == before


@pytest.fixture
def mounted(tmp_path):
    """A small file system of its own at tmp_path/disk (a stick's root), or a skip without root."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a second file system needs root")
    yield disk
    subprocess.run(["umount", str(disk)], check=False)


def test_pull_to_a_disks_root_or_a_read_only_disk_writes_nothing(store, tmp_path, mounted):
    (mounted / "anh.jpg").write_bytes(b"mine")
    root = run(None, "pull", store, "xa-a", str(mounted))
    assert root.returncode == 2 and str(mounted / "xa-a") in root.stderr
    subprocess.run(["mount", "-o", "remount,ro", str(mounted)], check=True)
    locked = run(None, "pull", store, "xa-a", str(mounted / "xa-a"))
    assert locked.returncode == 1 and "read-only" in locked.stderr
    assert f"{mounted}:" in locked.stderr and ".part" not in locked.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["disk"]
    assert [p.name for p in mounted.iterdir()] == ["anh.jpg"]


# --- the swap: old complete or new complete at every instant --------------------------------------

def _package(folder: Path, version: str) -> Path:
    (folder / "01_sang").mkdir(parents=True)
    (folder / "01_sang" / "001_tin.mp3").write_bytes(version.encode() * 1000)
    (folder / "manifest.json").write_text(json.dumps({"version": version}))
    return folder


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_replace_folder_swaps_in_the_new_package_and_leaves_nothing(tmp_path, monkeypatch, exchange):
    if not exchange:  # the road taken where the OS offers no atomic exchange (Windows, some FAT)
        monkeypatch.setattr(fsio, "exchange", lambda a, b: False)
    final = _package(tmp_path / "xa-a", "old")
    staging = _package(fsio.own_sibling(final, "new"), "new")
    fsio.replace_folder(staging, final)
    assert json.loads((final / "manifest.json").read_text()) == {"version": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["xa-a"]


def test_the_atomic_exchange_is_used_where_the_os_has_it(tmp_path):
    a, b = _package(tmp_path / "a", "a"), _package(tmp_path / "b", "b")
    if not fsio.exchange(a, b):
        pytest.skip("this OS or file system has no atomic exchange")
    assert json.loads((a / "manifest.json").read_text()) == {"version": "b"}


def test_recovery_puts_back_a_package_renamed_aside_by_a_crash(tmp_path):
    final = tmp_path / "xa-a"
    # What a crash between the two renames leaves: the old package aside, the new one unfinished.
    _package(fsio.own_sibling(final, "old"), "old")
    _package(fsio.own_sibling(final, "new"), "half")
    user = user_folder(tmp_path / "xa-a.old")
    before = snapshot(user)
    assert fsio.recover_folder(final, stale_new=True) == ["restored", "removed"]
    assert json.loads((final / "manifest.json").read_text()) == {"version": "old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xa-a", "xa-a.old"]
    assert snapshot(user) == before


def test_verify_performs_and_reports_the_recovery_and_cleans_half_copies(campaign, tmp_path):
    stick = tmp_path / "stick"
    assert run(campaign, "usb", "xa-a", str(stick)).returncode == 0 if stick.mkdir() is None else False
    final = stick / "xa-a"
    os.rename(final, fsio.own_sibling(final, "old"))  # as if killed halfway through --replace
    half = fsio.own_sibling(final, "new")
    half.mkdir()
    (half / "001_tin.mp3").write_bytes(b"half")
    first = run(None, "verify", str(stick))
    assert "put back in place" in first.stdout
    assert first.returncode == 3 and "interrupted copy" in first.stdout  # the half copy is named
    cleaned = run(None, "verify", "--clean", str(stick))
    assert cleaned.returncode == 0, cleaned.stdout
    assert [p.name for p in stick.iterdir()] == ["xa-a"]


# --- one writer at a time ------------------------------------------------------------------------

def test_a_second_writer_is_told_who_holds_the_workspace(campaign):
    with lock.workspace(campaign, "broadcast build"):
        result = run(campaign, "build", "--offline")
    assert result.returncode == 1
    assert f"process {os.getpid()}" in result.stderr and "broadcast build" in result.stderr
    again = run(campaign, "build", "--offline")  # released: the lock of a finished run is no lock
    assert again.returncode == 0, again.stderr


def test_a_stale_lock_of_a_dead_process_is_taken_over(campaign):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    (campaign / lock.WORKSPACE_LOCK).write_text(json.dumps({"pid": int(dead), "command": "build"}))
    result = run(campaign, "build", "--offline")
    assert result.returncode == 0, result.stderr


def test_check_and_verify_need_no_lock(campaign):
    with lock.workspace(campaign, "broadcast build"):
        assert run(campaign, "check").returncode == 0
        assert run(campaign, "verify", str(campaign / "dist" / "packages" / "xa-a")).returncode == 0


# --- records that match reality ------------------------------------------------------------------

def _rows(root: Path, action: str) -> int:
    with Ledger(root / "ledger.sqlite") as book:
        return sum(1 for d in book.deliveries() if d.action == action)


def test_a_rerun_records_work_a_crash_kept_from_the_ledger(own_campaign, tmp_path):
    root = own_campaign
    stick = tmp_path / "stick"
    stick.mkdir()
    assert run(root, "usb", "xa-a", str(stick)).returncode == 0
    # A crash right after the work and before its record: the rows are not there.
    conn = sqlite3.connect(root / "ledger.sqlite")
    with conn:
        conn.execute("DELETE FROM content")
        conn.execute("DELETE FROM delivery")
    conn.close()
    assert run(root, "build", "--offline").returncode == 0
    assert run(root, "usb", "xa-a", str(stick)).returncode == 0
    assert (_rows(root, "build"), _rows(root, "usb")) == (1, 1)
    assert run(root, "build", "--offline").returncode == 0  # and never twice
    assert run(root, "usb", "xa-a", str(stick)).returncode == 0
    assert (_rows(root, "build"), _rows(root, "usb")) == (1, 1)


# --- shared bytes are guarded --------------------------------------------------------------------

def test_a_byte_flipped_in_a_package_is_noticed_repaired_and_never_copied(own_campaign, tmp_path):
    root = own_campaign
    shutil.rmtree(root / "dist")  # built afresh: its clips are hard links of build/clips again
    assert run(root, "build", "--offline").returncode == 0
    package = root / "dist" / "packages" / "xa-a"
    clip = next(p for p in sorted(package.rglob("*.mp3")) if "tin-01" in p.name)
    data = bytearray(clip.read_bytes())
    data[len(data) // 2] ^= 0x01  # in place, as a tag editor or a bad sector would
    assert clip.stat().st_nlink > 1  # so every package holding this clip, and build/clips, change
    with open(clip, "r+b") as fh:
        fh.write(bytes(data))
    rebuilt = run(root, "build", "--offline")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "damaged or edited" in rebuilt.stderr
    assert run(root, "verify", str(package)).returncode == 0
    stick = tmp_path / "stick"
    stick.mkdir()
    assert run(root, "usb", "xa-a", str(stick)).returncode == 0
    assert run(None, "verify", str(stick)).returncode == 0


# --- weak file systems ---------------------------------------------------------------------------

def test_ledger_falls_back_to_a_rollback_journal_where_wal_cannot_work(tmp_path):
    # WAL needs a shared-memory file beside the database; a folder in its place makes it fail as
    # it does on FAT disks behind FUSE and on network shares.
    (tmp_path / "ledger.sqlite-shm").mkdir()
    with Ledger(tmp_path / "ledger.sqlite") as book:
        assert book.journal == "delete"
        assert book.integrity() == "ok"
        assert book.next_sequence("c", "xa-a", "v1") == 1
    with Ledger(tmp_path / "ledger.sqlite") as book:
        assert book.next_sequence("c", "xa-a", "v2") == 2


def test_a_wal_ledger_moved_onto_a_weak_file_system_still_opens(tmp_path):
    with Ledger(tmp_path / "ledger.sqlite") as book:
        assert book.journal == "wal"
        book.next_sequence("c", "xa-a", "v1")
    (tmp_path / "ledger.sqlite-shm").unlink(missing_ok=True)
    (tmp_path / "ledger.sqlite-shm").mkdir()
    with Ledger(tmp_path / "ledger.sqlite") as book:
        assert book.journal == "delete"
        assert book.next_sequence("c", "xa-a", "v2") == 2


def test_where_hard_links_fail_packages_are_copies_and_it_is_said_once(own_campaign):
    root = own_campaign
    dist = root / "dist"
    shutil.rmtree(dist)
    dist.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(dist)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("mounting a second file system needs root")
    try:
        result = run(root, "build", "--offline")
        assert result.returncode == 0, result.stderr
        assert result.stderr.count("Hard links cannot be made") == 1
        clips = list((dist / "packages" / "xa-a").rglob("*.mp3"))
        assert clips and all(p.stat().st_nlink == 1 for p in clips)
        assert run(root, "verify", str(dist / "packages" / "xa-a")).returncode == 0
    finally:
        subprocess.run(["umount", str(dist)], check=False)
