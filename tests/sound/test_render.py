"""Render end to end through the CLI: real espeak, real ffmpeg, gTTS faked only at HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import responses
from conftest import COMMUNES, MESSAGES, make_audio, speechlike, write_workspace
from meter import loudness
from speech.conftest import GTTS_URL, gtts_reply, make_tone_mp3

from broadcast.sound import tags
from broadcast.speech import gtts as gtts_engine

REQUIRED = {"id", "path", "duration", "lufs", "true_peak", "target_lufs", "cached"}


def render_json(run_cli, root: Path, *extra: str) -> dict[str, dict]:
    result = run_cli("-w", str(root), "render", "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return {r["id"]: r for r in json.loads(result.stdout)}


def test_offline_render_makes_tagged_loudness_true_clips_and_reuses_them(workspace: Path, run_cli):
    first = render_json(run_cli, workspace, "--offline", "--jobs", "2")
    assert set(first) == {"tin-01", "tin-02"}
    for record in first.values():
        assert set(record) >= REQUIRED and record["cached"] is False
        path = Path(record["path"])
        lufs, peak = loudness(path)
        assert abs(lufs - record["target_lufs"]) <= 0.5 and peak <= -1.5
        data = path.read_bytes()
        assert data[:3] == b"ID3" and data[3] == 3  # ID3v2.3
        assert data[-128:-125] != b"TAG"  # no ID3v1
    clip = tags.read(Path(first["tin-01"]["path"]))
    assert clip["title"] == "Phòng, chống tảo hôn" and clip["language"] == "vie"
    assert clip["message_id"] == "tin-01" and clip["genre"] == "tảo hôn"
    assert clip["content_hash"] and clip["transcript"].startswith("UBND")
    # Spoken twice with a gap: clearly longer than once.
    assert first["tin-02"]["duration"] > 2 * 1.0

    before = {i: Path(r["path"]).read_bytes() for i, r in first.items()}
    second = render_json(run_cli, workspace, "--offline")
    assert all(r["cached"] for r in second.values())
    assert {i: Path(r["path"]).read_bytes() for i, r in second.items()} == before

    text = (workspace / "messages.yaml").read_text(encoding="utf-8")
    text = text.replace("Vợ chồng cùng chia sẻ việc nhà.", "Vợ chồng cùng nhau chia sẻ việc nhà.")
    text = text.replace("title: Phòng, chống tảo hôn", "title: Nói không với tảo hôn")
    (workspace / "messages.yaml").write_text(text, encoding="utf-8")
    third = render_json(run_cli, workspace, "--offline")
    # Only the edited text is re-rendered; a new title is only a new tag.
    assert (third["tin-01"]["cached"], third["tin-02"]["cached"]) == (True, False)
    assert tags.read(Path(third["tin-01"]["path"]))["title"] == "Nói không với tảo hôn"


def test_render_summary_and_removed_messages(workspace: Path, run_cli):
    result = run_cli("-w", str(workspace), "render", "--offline")
    assert result.exit_code == 0, result.stderr
    assert "Done: 2 clip(s) made, 0 reused, 0 failed" in result.stderr
    (workspace / "messages.yaml").write_text(MESSAGES.split("  - id: tin-02")[0], encoding="utf-8")
    result = run_cli("-w", str(workspace), "render", "--offline")
    assert "0 clip(s) made, 1 reused" in result.stderr
    assert sorted(p.name for p in (workspace / "build" / "clips").iterdir()) == ["tin-01.mp3"]


RECORDINGS = """\
  - id: bru-01
    title: Tảo hôn (tiếng Bru)
    language: bru
    recording: recordings/bru-01.m4a
    speaker: Hồ Thị Bình
  - id: bru-02
    title: Tảo hôn (tiếng Bru, đọc chậm)
    language: bru
    recording: recordings/bru-01.m4a
    profile: cham
  - id: bru-03
    title: Thu quá nhỏ
    language: bru
    recording: recordings/nho.wav
  - id: bru-04
    title: Thu bị vỡ tiếng
    language: bru
    recording: recordings/vo.wav
"""


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> dict:
    """Four recordings (one under a profile that slows recordings too, one far too quiet, one
    clipped) and the text messages, after an intro chime: rendered once, in this process, with
    every decode and ffmpeg run counted."""
    from click.testing import CliRunner

    from broadcast.cli import cli
    from broadcast.sound import audio

    root = tmp_path_factory.mktemp("recorded") / "ws"
    make_audio(root / "recordings" / "bru-01.m4a", speechlike(4.0), 4.0, codec_args=["-c:a", "aac"])
    make_audio(root / "recordings" / "nho.wav", speechlike(3.0) + ",volume=-42dB", 3.0)
    make_audio(root / "recordings" / "vo.wav", "aevalsrc='1.6*sin(2*PI*300*t)*lt(mod(t,1),0.6)':s=44100", 3.0)
    make_audio(root / "jingles" / "chuong.wav", "sine=frequency=880", 1.0)
    root = write_workspace(root, messages=MESSAGES + RECORDINGS,
                           communes=COMMUNES.replace("[vie]", "[vie, bru]"))
    with open(root / "broadcast.yaml", "a", encoding="utf-8") as fh:
        fh.write("jingles: {intro: jingles/chuong.wav}\n"
                 "profiles: {cham: {base: loudspeaker, recording_tempo: 0.9}}\n")
    decoded: list[Path] = []
    decode = audio.decode
    try:  # click < 8.2 mixes stderr into output unless told not to
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(audio, "decode", lambda path, **kw: (decoded.append(Path(path)), decode(path, **kw))[1])
        result = runner.invoke(cli, ["--lang", "en", "-w", str(root), "render", "--offline", "--json",
                                     "--jobs", "1"])
    assert result.exit_code == 0, result.stderr
    return {"root": root, "records": {r["id"]: r for r in json.loads(result.stdout)},
            "stderr": result.stderr, "decoded": decoded, "runner": runner}


def test_recording_import_with_jingles(recorded: dict):
    bru = recorded["records"]["bru-01"]
    assert tags.read(Path(bru["path"]))["artist"] == "Hồ Thị Bình"
    assert tags.read(Path(bru["path"]))["language"] == "bru"
    # Lead-in 0.3 s + 1 s chime + 0.4 s pause + the 4 s recording at its own pace + lead-out 0.6 s:
    # the profile's tempo (0.95) is for synthesized speech and would have made it 6.5 s.
    assert 6.2 < bru["duration"] < 6.4
    # A profile that says so slows recordings too: 4 s / 0.9.
    assert 6.6 < recorded["records"]["bru-02"]["duration"] < 6.8


def test_jingle_is_decoded_once_per_run(recorded: dict):
    chimes = [p for p in recorded["decoded"] if p.name == "chuong.wav"]
    speech = [p for p in recorded["decoded"] if p.name != "chuong.wav"]
    assert len(chimes) == 1 and len(speech) == len(recorded["records"]) == 6


def test_recordings_far_too_quiet_or_clipped_are_named(recorded: dict):
    records = recorded["records"]
    assert [w["key"] for w in records["bru-03"]["warnings"]] == ["audio.quiet_recording"]
    assert int(records["bru-03"]["warnings"][0]["params"]["gain"]) > 30
    assert [w["key"] for w in records["bru-04"]["warnings"]] == ["audio.clipped_recording"]
    assert records["bru-01"]["warnings"] == records["tin-01"]["warnings"] == []
    assert "nho.wav (message bru-03): the recording is very quiet" in recorded["stderr"]
    assert "vo.wav (message bru-04): the recording clips" in recorded["stderr"]
    # Said again when the clip is reused, until the recording is replaced; in Vietnamese too.
    again = recorded["runner"].invoke(cli_group(), ["--lang", "vi", "-w", str(recorded["root"]), "render",
                                                    "--offline", "--jobs", "1", "--json"])
    assert again.exit_code == 0 and all(r["cached"] for r in json.loads(again.stdout))
    assert "nho.wav (tin bru-03): bản thu rất nhỏ" in again.stderr
    assert "vo.wav (tin bru-04): bản thu bị vỡ tiếng" in again.stderr


def cli_group():
    from broadcast.cli import cli

    return cli


def test_encoder_shift_is_learned_per_profile_and_kept_in_the_cache(recorded: dict):
    from broadcast.sound import aim

    learned = json.loads((recorded["root"] / "build" / "cache" / "calibration.json").read_text())
    assert {key.split(":")[0] for key in learned} == {"espeak", "recording"}
    espeak = next(v for k, v in learned.items() if k.startswith("espeak"))
    assert len(espeak) == 2  # one observation per clip made
    # LAME takes a few tenths of an LU from bright offline speech, not the prior's guess exactly.
    assert all(-0.8 < shift < -0.1 for shift in espeak) and espeak != [aim.ENCODER_SHIFT] * 2


def spoken_text(body: str) -> str:
    """The text inside a gTTS request: form field f.req holds JSON holding JSON."""
    rpc = json.loads(parse_qs(body)["f.req"][0])
    return json.loads(rpc[0][0][1])[0]


def test_gtts_render_runs_real_gtts_against_faked_http(workspace: Path, run_cli):
    settings = (workspace / "broadcast.yaml").read_text(encoding="utf-8")
    (workspace / "broadcast.yaml").write_text(settings.replace("engine: espeak", "engine: gtts"),
                                              encoding="utf-8")
    speech = make_tone_mp3(300, 2.0)
    with responses.RequestsMock() as google:
        google.add(responses.POST, GTTS_URL, body=gtts_reply(speech))
        records = render_json(run_cli, workspace, "--jobs", "1")
        sent = [spoken_text(call.request.body) for call in google.calls]
    assert set(records) == {"tin-01", "tin-02"}
    # Text preparation ran first: the abbreviation was expanded before reaching Google.
    assert any("Ủy ban nhân dân xã" in body for body in sent)
    assert tags.read(Path(records["tin-01"]["path"]))["artist"].startswith("gtts")


def test_gtts_failure_names_the_cause_and_suggests_offline(workspace: Path, run_cli, monkeypatch):
    settings = (workspace / "broadcast.yaml").read_text(encoding="utf-8")
    (workspace / "broadcast.yaml").write_text(settings.replace("engine: espeak", "engine: gtts"),
                                              encoding="utf-8")
    monkeypatch.setattr(gtts_engine, "RETRY", gtts_engine.RetryPolicy(attempts=2, base_delay=0))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as google:
        google.add(responses.POST, GTTS_URL, status=503)
        result = run_cli("-w", str(workspace), "render", "--jobs", "1")
    assert result.exit_code == 1
    assert "--offline" in result.stderr and "Traceback" not in result.stderr
    assert not (workspace / "build" / "clips" / "tin-01.mp3").exists()


def test_killed_render_leaves_no_broken_cache_entry(tmp_path: Path):
    many = "messages:\n" + "".join(
        f"  - id: tin-{i:02d}\n    title: Tin {i}\n    text: Bà con chú ý, đây là tin số {i}. "
        f"Hãy đưa trẻ em đến trường đầy đủ và không tổ chức tảo hôn.\n" for i in range(12))
    root = write_workspace(tmp_path / "ws", messages=many)
    command = [sys.executable, "-m", "broadcast", "-w", str(root), "render", "--offline", "--jobs", "2"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    clips = root / "build" / "cache" / "clips"
    while time.monotonic() < deadline and len(list(clips.rglob("*.json"))) < 3:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    # Every sealed entry is whole; anything else is a leftover ".part" the next run ignores.
    for record in clips.rglob("*.json"):
        entry = json.loads(record.read_text())
        assert record.with_suffix(".mp3").stat().st_size == entry["size"]
    for blob in clips.rglob("*.mp3"):
        assert blob.with_suffix(".json").exists()
    done = subprocess.run([*command, "--json"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) == 12 and any(r["cached"] for r in results)
    assert all(abs(loudness(Path(r["path"]))[0] - r["target_lufs"]) <= 0.5 for r in results[:3])


def test_tags_command_prints_vietnamese_fields(workspace: Path, run_cli):
    records = render_json(run_cli, workspace, "--offline")
    result = run_cli("tags", records["tin-01"]["path"])
    assert result.exit_code == 0
    assert "(ID3v2.3.0)" in result.stdout
    assert "Title" in result.stdout and "Phòng, chống tảo hôn" in result.stdout
    vi = run_cli("--lang", "vi", "tags", records["tin-01"]["path"])
    assert "Tiêu đề" in vi.stdout


@pytest.mark.parametrize("args,stdin", [(["UBND xã họp ngày 15/11/2026"], None),
                                        ([], "UBND xã họp ngày 15/11/2026\n")])
def test_spoken_prints_prepared_text(run_cli, args, stdin, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no workspace here: the built-in lexicon still applies
    result = run_cli("spoken", *args, input=stdin)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == (
        "Ủy ban nhân dân xã họp ngày mười lăm tháng mười một năm hai nghìn không trăm hai mươi sáu.")


def test_spoken_uses_the_workspace_lexicon(workspace: Path, run_cli):
    (workspace / "lexicon.yaml").write_text("abbreviations:\n  ĐCTC: Địa chỉ tin cậy\n", encoding="utf-8")
    result = run_cli("-w", str(workspace), "spoken", "Đến ĐCTC gần nhất")
    assert result.stdout.strip() == "Đến Địa chỉ tin cậy gần nhất."
