"""The schedule command end to end: plan JSON, playlists read by a real parser, sheets, mixdowns."""

from __future__ import annotations

import configparser
import json
from pathlib import Path

import m3u8
import pytest
from conftest import COMMUNES, MESSAGES, SETTINGS, make_audio, speechlike, write_workspace
from meter import loudness, samples
from mutagen.mp3 import MP3

from broadcast.sound import tags

SCHEDULE = """\
schedule: {fill: 0.5, jingle_every: 1, max_per_slot: 2, gap_seconds: 1}
jingles: {station: jingles/nhac-hieu.wav}
"""


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> Path:
    """Two communes (one speaks Bru too), three Vietnamese messages, a Bru recording, a jingle;
    slots of one minute so a few seconds of speech fill them."""
    root = tmp_path_factory.mktemp("schedule") / "ws"
    make_audio(root / "jingles" / "nhac-hieu.wav", "sine=frequency=660", 1.5)
    make_audio(root / "recordings" / "bru.wav", speechlike(3.0), 3.0)
    settings = SETTINGS.replace("minutes: 15", "minutes: 1") + SCHEDULE
    messages = MESSAGES + ("  - id: tin-03\n    title: Trẻ em gái đến trường\n    text: Cho con gái đi học.\n"
                           "  - id: bru-01\n    title: Tảo hôn (tiếng Bru)\n    language: bru\n"
                           "    recording: recordings/bru.wav\n")
    communes = COMMUNES + ("  - id: xa-b\n    name: Xã Lìa\n    province: Quảng Trị\n"
                           "    languages: [vie, bru]\n    slots: [sang]\n")
    return write_workspace(root, settings=settings, messages=messages, communes=communes)


@pytest.fixture(scope="module")
def planned(campaign: Path) -> dict:
    from click.testing import CliRunner

    from broadcast.cli import cli

    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()
    result = runner.invoke(cli, ["--lang", "en", "-w", str(campaign), "schedule", "--offline", "--json",
                                 "--mixdown"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_json_plan_covers_every_commune_day_and_slot(planned: dict):
    communes = {c["commune"]: c for c in planned["communes"]}
    assert set(communes) == {"xa-a", "xa-b"}
    # 15–28 November: 14 days; xa-a has two slots a day, xa-b one.
    assert len(communes["xa-a"]["days"]) == 14 and len(communes["xa-b"]["days"]) == 14
    assert [len(d["slots"]) for d in communes["xa-a"]["days"]] == [2] * 14
    item = communes["xa-a"]["days"][0]["slots"][0]["items"][0]
    assert {"id", "path", "start", "duration", "title", "kind"} <= set(item)
    assert item["kind"] == "jingle" and item["start"] == 0
    bru_ids = {i["id"] for d in communes["xa-b"]["days"] for s in d["slots"] for i in s["items"]}
    assert "bru-01" in bru_ids
    vie_only = {i["id"] for d in communes["xa-a"]["days"] for s in d["slots"] for i in s["items"]}
    assert "bru-01" not in vie_only


def playlists(campaign: Path, commune: str) -> list[Path]:
    return sorted((campaign / "build" / "schedule" / commune).glob("*.m3u8"))


def test_m3u8_playlists_open_in_a_real_parser(campaign: Path, planned: dict):
    files = playlists(campaign, "xa-a")
    assert len(files) == 14 * 2 + 2  # one per day and slot, plus one per slot for date-less players
    for path in files:
        text = path.read_bytes()
        assert text.startswith(b"#EXTM3U\r\n")
        parsed = m3u8.load(str(path))
        assert parsed.segments, path
        for segment in parsed.segments:
            clip = (path.parent / segment.uri).resolve()
            assert clip.is_file() and "\\" not in segment.uri
            assert abs(MP3(clip).info.length - segment.duration) <= 1.0
            assert segment.title == tags.read(clip)["title"]  # Vietnamese, round-tripped


def test_playlist_order_is_the_plan_order(campaign: Path, planned: dict):
    day = next(c for c in planned["communes"] if c["commune"] == "xa-a")["days"][3]
    slot = day["slots"][1]
    parsed = m3u8.load(str(campaign / "build" / "schedule" / "xa-a" / f"{day['date']}_{slot['slot']}.m3u8"))
    assert [Path(s.uri).stem for s in parsed.segments] == [Path(i["path"]).stem for i in slot["items"]]


def test_pls_playlists_parse_as_ini(campaign: Path, planned: dict):
    for path in sorted((campaign / "build" / "schedule" / "xa-b").glob("*.pls")):
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(path.read_text(encoding="utf-8"))
        section = parser["playlist"]
        count = int(section["NumberOfEntries"])
        assert count >= 1 and section["Version"] == "2"
        for n in range(1, count + 1):
            assert (path.parent / section[f"File{n}"]).is_file()
            assert section[f"Title{n}"]


def test_date_less_playlists_hold_only_undated_messages(campaign: Path, planned: dict):
    parsed = m3u8.load(str(campaign / "build" / "schedule" / "xa-a" / "sang.m3u8"))
    assert {Path(s.uri).stem for s in parsed.segments} >= {"tin-01", "tin-02"}


def test_schedule_sheet_is_vietnamese_csv_for_excel(campaign: Path, planned: dict):
    raw = (campaign / "build" / "schedule" / "xa-a" / "lich-phat.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads UTF-8
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Ngày,Thứ,Buổi phát,Giờ phát")
    items = sum(len(s["items"]) for c in planned["communes"] if c["commune"] == "xa-a"
                for d in c["days"] for s in d["slots"])
    assert len(lines) == 1 + items
    assert lines[1].split(",")[:4] == ["2026-11-15", "Chủ Nhật", "Buổi sáng", "06:00:00"]  # not "sang"


def test_mixdown_is_one_loudness_true_mp3_per_slot(campaign: Path, planned: dict):
    commune = next(c for c in planned["communes"] if c["commune"] == "xa-a")
    slot = commune["days"][0]["slots"][0]
    mixed = campaign / "build" / "schedule" / "xa-a" / "mixdown" / f"{commune['days'][0]['date']}_sang.mp3"
    expected = slot["items"][-1]["start"] + slot["items"][-1]["duration"]
    # On time to the sample: the joints add no encoder delay or padding (issue 15).
    assert abs(len(samples(mixed)) / 44100 - expected) <= 0.010
    lufs, peak = loudness(mixed)
    assert abs(lufs + 16) <= 0.5 and peak <= -1.0
    total = sum(len(d["slots"]) for d in commune["days"])
    assert len(list(mixed.parent.glob("*.mp3"))) == total


def test_filters_and_bad_filters(campaign: Path, planned: dict, run_cli):
    shown = run_cli("-w", str(campaign), "schedule", "--offline", "--commune", "xa-b",
                    "--date", "2026-11-20", "--json")
    assert shown.exit_code == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert [c["commune"] for c in data["communes"]] == ["xa-b"]
    assert [d["date"] for d in data["communes"][0]["days"]] == ["2026-11-20"]
    # Filtering shows a part of the one campaign plan: the same day, the same items.
    full = next(c for c in planned["communes"] if c["commune"] == "xa-b")
    assert data["communes"][0]["days"][0] == next(d for d in full["days"] if d["date"] == "2026-11-20")
    table = run_cli("-w", str(campaign), "schedule", "--offline", "--commune", "xa-b", "--date", "2026-11-20")
    assert "Xã Lìa (xa-b)" in table.stdout and "06:00:00" in table.stdout
    assert run_cli("-w", str(campaign), "schedule", "--commune", "nope").exit_code == 2
    assert run_cli("-w", str(campaign), "schedule", "--date", "2027-01-01").exit_code == 2


def test_plan_is_deterministic(campaign: Path, planned: dict, run_cli):
    again = run_cli("-w", str(campaign), "schedule", "--offline", "--json", "--mixdown")
    assert json.loads(again.stdout) == planned


def test_commune_limits_every_output(campaign: Path, planned: dict, run_cli, tmp_path):
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(campaign, root, symlinks=True)
    shutil.rmtree(root / "build" / "schedule")
    shown = run_cli("-w", str(root), "schedule", "--offline", "--commune", "xa-b", "--mixdown")
    assert shown.exit_code == 0, shown.stderr
    assert [p.name for p in (root / "build" / "schedule").iterdir()] == ["xa-b"]  # nothing of xa-a
    assert list((root / "build" / "schedule" / "xa-b" / "mixdown").glob("*.mp3"))


def test_plan_is_printed_commune_by_commune_as_one_json_document(campaign: Path, planned: dict):
    """`schedule --json` streams: the operation hands each commune over and keeps none, and the
    printed document is the whole plan's JSON, to the byte."""
    from broadcast.operations import produce
    from broadcast.operations.campaign import Campaign

    seen: list[list[str]] = []
    streamed = produce.schedule(Campaign(campaign), offline=True,
                                each=lambda one: seen.append([c.commune for c in one.communes]))
    assert seen == [["xa-a"], ["xa-b"]] and streamed.shown.communes == ()
    whole = produce.schedule(Campaign(campaign), offline=True)
    assert whole.shown.to_json() == planned
    assert [w.key for w in streamed.warnings] == [w.key for w in whole.warnings]
