"""Hard links that never run out: no file ever holds more links than the limit, spares are made
only when every root is full, the bytes are always the clip's, and unused spares go."""

from __future__ import annotations

import os
from pathlib import Path

from broadcast.package.links import Links, link_limit


def clip(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_links_spread_over_spares_and_never_exceed_the_limit(tmp_path):
    source = clip(tmp_path / "build" / "clips" / "nhac-hieu.mp3", os.urandom(4000))
    links = Links(tmp_path / "build" / "cache" / "links", limit=5)
    targets = [tmp_path / "dist" / f"{n:03d}.mp3" for n in range(23)]
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        assert links.place(source, target) == 0  # linked, not copied
    roots = {(p.stat().st_ino) for p in targets} | {source.stat().st_ino}
    assert all(p.stat().st_nlink <= 5 for p in [source, *targets])
    # 23 links + 1 clip = 24 names; each root holds at most 5 names (itself among them): the
    # clip takes 4 links, each spare 4 more (its own name is the fifth) → 1 + ceil(19 / 4) = 6 roots.
    assert len(roots) == 6 and links.spares_made == 5
    assert all(t.read_bytes() == source.read_bytes() for t in targets)


def test_spares_are_found_again_and_pruned_when_unused(tmp_path):
    source = clip(tmp_path / "clips" / "a.mp3", b"A" * 1000)
    spare_dir = tmp_path / "spares"
    first = Links(spare_dir, limit=3)
    targets = [tmp_path / "pkg" / f"{n}.mp3" for n in range(6)]
    (tmp_path / "pkg").mkdir()
    for target in targets:
        first.place(source, target)
    again = Links(spare_dir, limit=3)  # a later build finds the spares made before
    more = tmp_path / "pkg" / "more.mp3"
    again.place(source, more)
    assert again.spares_made <= 1
    spares = len(list(spare_dir.iterdir()))
    assert spares >= 2
    assert again.prune() == 0  # all in use
    for target in [*targets, more]:
        target.unlink()
    assert again.prune() == spares
    assert list(spare_dir.iterdir()) == []  # every spare unused: all removed


def test_where_links_cannot_be_made_the_file_is_copied_and_counted(tmp_path):
    source = clip(tmp_path / "clips" / "a.mp3", b"B" * 2048)
    target = Path("/dev/shm") / f"broadcast-test-{os.getpid()}.mp3"
    if os.stat("/dev/shm").st_dev == source.stat().st_dev:
        return  # one file system only here: nothing to cross
    try:
        assert Links(tmp_path / "spares", limit=100).place(source, target) == 2048
        assert target.read_bytes() == source.read_bytes()
    finally:
        target.unlink(missing_ok=True)


def test_the_limit_leaves_room_and_is_known_on_this_file_system(tmp_path):
    assert 2 <= link_limit(tmp_path) <= 58500
