"""The distribution ledger: records survive a killed process whole, numbers only go up, plays
are counted once, and the file is a versioned SQLite database."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from broadcast.errors import OperationalError
from broadcast.ledger.book import (
    SCHEMA_VERSION,
    ContentLine,
    Delivery,
    Ledger,
    Play,
    content_of,
    delivery_from_manifest,
)
from broadcast.package.manifest import FileEntry, Manifest
from broadcast.plan import schedule

SRC = Path(__file__).resolve().parents[2] / "src"


def lines(count: int) -> tuple[ContentLine, ...]:
    return tuple(ContentLine(f"tin-{n:02d}", f"Tin số {n}", "vie", ("tảo hôn", "bình đẳng giới"), n + 1,
                             30.5) for n in range(count))


def delivery(commune: str = "xa-a", version: str = "v1", *, action: str = "usb", channel: str = "usb",
             when: str = "2026-11-15T05:00:00Z", content: tuple[ContentLine, ...] = lines(3),
             target: str = "/media/usb", sequence: int = 1) -> Delivery:
    return Delivery(action, "chien-dich", commune, "Xã Dân Hóa", version, sequence, channel, target, 12,
                    34567, content, when)


def test_a_delivery_comes_back_as_recorded(tmp_path):
    book = Ledger(tmp_path / "ledger.sqlite")
    sent = delivery()
    book.record(sent)
    assert book.deliveries() == [sent]


def test_schema_is_versioned_and_the_journal_is_durable(tmp_path):
    Ledger(tmp_path / "ledger.sqlite").close()
    conn = sqlite3.connect(tmp_path / "ledger.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"delivery", "content", "version", "planned", "play"}


def test_a_ledger_from_a_newer_broadcast_is_refused(tmp_path):
    path = tmp_path / "ledger.sqlite"
    Ledger(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(OperationalError) as caught:
        Ledger(path)
    assert caught.value.key == "ledger.too_new" and caught.value.params["version"] == 99


def test_a_damaged_file_is_named_not_a_traceback(tmp_path):
    path = tmp_path / "ledger.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(OperationalError) as caught:
        Ledger(path)
    assert caught.value.key == "ledger.unreadable" and str(path) in caught.value.message()


def test_time_is_stored_as_utc_and_filled_when_empty(tmp_path):
    book = Ledger(tmp_path / "ledger.sqlite")
    book.record(delivery(when="2026-11-15T12:30:00+07:00"))
    book.record(delivery(when=""))
    first, second = book.deliveries()
    assert first.time == "2026-11-15T05:30:00Z"
    recorded = dt.datetime.fromisoformat(second.time.replace("Z", "+00:00"))
    assert abs((dt.datetime.now(dt.timezone.utc) - recorded).total_seconds()) < 60


def test_targets_keep_no_secrets(tmp_path):
    book = Ledger(tmp_path / "ledger.sqlite")
    book.record(delivery(target="https://key:secret@s3.example.vn:9000/bucket/xa-a?X-Amz-Signature=abc#x"))
    assert book.deliveries()[0].target == "https://s3.example.vn:9000/bucket/xa-a"


def test_period_filters_by_date_inclusive(tmp_path):
    book = Ledger(tmp_path / "ledger.sqlite")
    for day in (10, 15, 20):  # noon UTC: the same date in every time zone from UTC-11 to UTC+11
        book.record(delivery(when=f"2026-11-{day}T12:00:00Z"))
    found = book.deliveries(dt.date(2026, 11, 15), dt.date(2026, 11, 20))
    assert [d.time[:10] for d in found] == ["2026-11-15", "2026-11-20"]
    assert len(book.deliveries(end=dt.date(2026, 11, 14))) == 1


def test_content_of_a_manifest_counts_plays_and_skips_jingles():
    def audio(path, message, seconds, topics=("tảo hôn",)):
        return FileEntry(path, 1000, "0" * 64, "audio", seconds, f"Tin {message}", message,
                         "vie", topics)

    files = (audio("01/001.mp3", "_station", 5.0), audio("01/002.mp3", "tin-01", 62.4),
             audio("01/003.mp3", "tin-02", 30.0, None), audio("02/001.mp3", "_station", 5.0),
             audio("02/002.mp3", "tin-01", 62.4), FileEntry("lich-phat.csv", 500, "1" * 64, "sheet"))
    manifest = Manifest({"id": "cd"}, "Ban Dân tộc", {"id": "xa-a", "name": "Xã A"}, "abc", "t", "b",
                        files, sequence=4)
    assert content_of(manifest) == (ContentLine("tin-01", "Tin tin-01", "vie", ("tảo hôn",), 2, 62.4),
                                    ContentLine("tin-02", "Tin tin-02", "vie", (), 1, 30.0))
    made = delivery_from_manifest(manifest, action="usb", channel="usb", target="E:/xa-a")
    # Every listed file plus manifest.json itself.
    assert made.files == 7
    assert made.bytes == 5 * 1000 + 500 + len(manifest.to_json().encode("utf-8"))
    assert (made.campaign, made.commune, made.commune_name, made.version, made.sequence) == \
        ("cd", "xa-a", "Xã A", "abc", 4)


def test_next_sequence_only_goes_up_and_is_stable_per_version(tmp_path):
    path = tmp_path / "ledger.sqlite"
    book = Ledger(path)
    # Rebuilding the newest content keeps its number; going back to older content (v1 after v2)
    # is a new package for the communes, which already hold number 2: it must be numbered 3.
    assert [book.next_sequence("cd", "xa-a", v) for v in ("v1", "v1", "v2", "v1", "v1", "v3")] == [
        1, 1, 2, 3, 3, 4]
    assert book.next_sequence("cd", "xa-b", "v1") == 1  # each commune counts on its own
    # A package numbered elsewhere (pulled from a store) still pushes the numbers up.
    book.record(Delivery("pull", "cd", "xa-a", "Xã A", "v9", 7, "cloud", "s3://b/p", 1, 1, ()))
    assert book.next_sequence("cd", "xa-a", "v4") == 8
    book.close()
    again = Ledger(path)
    assert again.next_sequence("cd", "xa-a", "v4") == 8  # the newest, rebuilt: same number
    assert again.next_sequence("cd", "xa-a", "v2") == 9 and again.next_sequence("cd", "xa-a", "v5") == 10


def _play(message: str, played: bool, order: int = 2, day: int = 15) -> Play:
    return Play("xa-a", dt.date(2026, 11, day), "sang", "06:00:05", message, "T", played, "log.csv", 2, order)


def test_plays_are_counted_once_and_a_correction_wins(tmp_path):
    book = Ledger(tmp_path / "ledger.sqlite")
    first = [_play("tin-01", False), _play("tin-02", True, order=3)]
    assert book.record_plays(first) == 2
    assert book.record_plays(first) == 0
    assert book.record_plays([_play("tin-01", True)]) == 0
    assert [(p.message, p.played) for p in book.plays()] == [("tin-01", True), ("tin-02", True)]
    assert book.plays(start=dt.date(2026, 11, 16)) == []


def _plan(commune: str, ids: list[str]) -> schedule.CommunePlan:
    items = [schedule.Item("jingle", "_station", "j.mp3", "Nhạc hiệu", 0, 5, "normal", "")]
    items += [schedule.Item("message", i, f"{i}.mp3", f"Tin {i}", 5 + 60 * n, 60, "normal", "vie")
              for n, i in enumerate(ids)]
    slot = schedule.SlotPlan("sang", dt.time(6), 15, 900, tuple(items))
    return schedule.CommunePlan(commune, (schedule.DayPlan(dt.date(2026, 11, 15), (slot,)),))


def test_the_delivered_plan_is_the_latest_delivered_versions(tmp_path):
    book = Ledger(tmp_path / "ledger.sqlite")
    book.record(delivery(version="v1", action="build", channel="folder", when="2026-11-10T12:00:00Z"),
                _plan("xa-a", ["tin-01"]))
    book.record(delivery(version="v1", when="2026-11-11T12:00:00Z"))
    # v2 is built but not delivered yet: the commune still plays v1.
    built = delivery(version="v2", action="build", channel="folder", when="2026-11-12T12:00:00Z", sequence=2)
    book.record(built, _plan("xa-a", ["tin-02", "tin-03"]))
    plan = book.delivered_plan()
    assert [i.id for i in plan.communes[0].days[0].slots[0].items] == ["tin-01"]
    book.record(delivery(version="v2", when="2026-11-13T12:00:00Z", sequence=2))
    items = book.delivered_plan().communes[0].days[0].slots[0].items
    assert [(i.id, i.start) for i in items] == [("tin-02", 5), ("tin-03", 65)]
    # An older stick handed out again later does not take the commune back to v1's plan.
    book.record(delivery(version="v1", when="2026-11-14T12:00:00Z"))
    assert book.delivered_plan().communes[0].days[0].slots[0].items == items


WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from broadcast.ledger.book import ContentLine, Delivery, Ledger

    class Slow(tuple):
        \"\"\"Content that takes seconds to read: the record is half written when it is killed.\"\"\"
        def __iter__(self):
            for line in tuple.__iter__(self):
                time.sleep(0.01)
                yield line

    book = Ledger(Path(sys.argv[1]))
    n = 0
    while True:
        n += 1
        # The content line count is in the target, so a reader can tell a whole record.
        count = 20 + n % 60
        content = tuple(ContentLine(f"tin-{i}", "Tiêu đề " * 20, "vie", ("tảo hôn",), i, 61.5)
                        for i in range(count))
        if sys.argv[2] == "inside" and n > 30:
            print("slow", flush=True)
            content, count = Slow(content * 20), count * 20
        book.record(Delivery("usb", "cd", f"xa-{n % 5}", "Xã", f"v{n}", n, "usb", f"lines={count}",
                             count, 1000 * n, content))
        print(n, flush=True)
""")


def _run_and_kill(path: Path, mode: str) -> None:
    """Start the writer, wait until it has written 30 records (and, ``inside``, until it is in the
    middle of the next one), then SIGKILL it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), mode], stdout=subprocess.PIPE,
                              env=env, text=True)
    try:
        deadline = time.monotonic() + 60
        wanted = "slow" if mode == "inside" else "30"
        while writer.stdout.readline().strip() != wanted:
            assert writer.poll() is None and time.monotonic() < deadline, "writer stopped early"
        time.sleep(0.3 if mode == "inside" else random.uniform(0, 0.05))
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL


@pytest.mark.parametrize("mode", ["loop", "inside"])
def test_a_ledger_killed_mid_write_keeps_every_record_whole(tmp_path, mode):
    path = tmp_path / "ledger.sqlite"
    _run_and_kill(path, mode)
    book = Ledger(path)
    assert book.integrity() == "ok"
    found = book.deliveries()
    assert len(found) >= 30
    if mode == "inside":  # the record being written when killed is absent, not half there
        assert len(found) == 30
    for got in found:  # no half record: every delivery has all its content lines
        assert len(got.content) == int(got.target.removeprefix("lines=")) == got.files
    assert [int(d.version[1:]) for d in found] == list(range(1, len(found) + 1))
    book.record(delivery(version="after", when=""))
    assert book.deliveries()[-1].version == "after" and len(book.deliveries()) == len(found) + 1
    highest = max(d.sequence for d in found if d.commune == "xa-0")
    assert book.next_sequence("cd", "xa-0", "new") == highest + 1
