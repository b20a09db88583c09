"""fsio.remove_stale_temporaries: broadcast's own leftovers go, nothing of the user's does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from broadcast import fsio


def leftover_of(target: Path) -> Path:
    """The temporary ``atomic_path`` really makes for ``target``, left as a kill leaves it."""
    with pytest.raises(RuntimeError), fsio.atomic_path(target) as tmp:
        name = tmp.name
        raise RuntimeError("killed")
    left = target.parent / name
    left.write_bytes(b"half")  # the kill came before atomic_path could remove it
    return left


def test_names_atomic_path_makes_and_no_others(tmp_path: Path):
    made = leftover_of(tmp_path / "tin-01.mp3")
    assert fsio.is_temporary_name(made.name)
    assert fsio.is_temporary_name(made.name + ".txt")  # audio.join's list of parts beside it
    for name in ["tin-01.mp3", "tin-01.mp3.part", ".tin-01.mp3.part", "ghi-chu.part",
                 ".x.ABCDEFGH.part", ".x.abcdefg.part", ".abcdefgh.part", "..abcdefgh.part",
                 ".x.abcdefgh.part.bak", ".x.abcdefgh.partial"]:
        assert not fsio.is_temporary_name(name), name


def test_removes_only_temporaries_and_only_where_asked(tmp_path: Path):
    top = leftover_of(tmp_path / "a.img")
    deep = leftover_of(tmp_path / "cache" / "ab" / "abcd.mp3")
    users = [tmp_path / "notes.part", tmp_path / ".hidden.part", tmp_path / "cache" / "a.mp3"]
    for path in users:
        path.write_bytes(b"mine")

    assert fsio.remove_stale_temporaries(tmp_path) == [top]
    assert deep.exists()
    assert fsio.remove_stale_temporaries(tmp_path, recursive=True) == [deep]
    assert all(p.read_bytes() == b"mine" for p in users)
    assert fsio.remove_stale_temporaries(tmp_path / "absent") == []


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_never_follows_a_symlink(tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    theirs = leftover_of(elsewhere / "b.mp3")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "link").symlink_to(elsewhere, target_is_directory=True)
    (folder / theirs.name).symlink_to(theirs)

    assert fsio.remove_stale_temporaries(folder, recursive=True) == []
    assert theirs.read_bytes() == b"half"


def test_a_batch_syncs_each_folder_once_and_every_file_is_whole(tmp_path, monkeypatch):
    synced: list[Path] = []
    real = fsio.fsync_dir
    monkeypatch.setattr(fsio, "fsync_dir", lambda path: (synced.append(Path(path)), real(path)))
    with fsio.batch():
        for n in range(20):
            fsio.write_text(tmp_path / "a" / f"{n}.m3u8", f"#EXTM3U {n}\n")
        fsio.write_text(tmp_path / "b" / "x.csv", "x\n")
        assert synced == []  # nothing yet: the renames wait for the end of the block
        assert not (tmp_path / "a" / "0.m3u8").exists()  # no name before its bytes are on disk
    assert sorted(synced) == [tmp_path / "a", tmp_path / "b"]
    assert (tmp_path / "a" / "19.m3u8").read_text() == "#EXTM3U 19\n"
    assert not list(tmp_path.rglob("*.part"))
    fsio.write_text(tmp_path / "c.txt", "alone")  # outside a batch: synced at once
    assert synced[-1] == tmp_path


def test_a_batch_syncs_the_data_once_not_once_per_file(tmp_path, monkeypatch):
    """21 files, one data sync where Linux has syncfs (else one fsync per file, as before)."""
    import sys

    fsyncs: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (fsyncs.append(fd), real(fd)))
    with fsio.batch():
        for n in range(21):
            fsio.write_text(tmp_path / f"{n}.pls", "[playlist]\n")
    data_syncs = len(fsyncs) - 1  # the folder's own sync
    assert data_syncs == (0 if sys.platform.startswith("linux") else 21)


def test_an_interrupted_batch_renames_nothing_and_leaves_no_temporaries(tmp_path):
    (tmp_path / "old.m3u8").write_text("old")
    with pytest.raises(KeyboardInterrupt), fsio.batch():
        fsio.write_text(tmp_path / "old.m3u8", "new")
        fsio.write_text(tmp_path / "more.m3u8", "more")
        raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.m3u8"]
    assert (tmp_path / "old.m3u8").read_text() == "old"
