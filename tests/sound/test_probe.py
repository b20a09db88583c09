"""``check`` finds what ``render`` would (issue 10): recordings and jingles that are no audio,
lie outside the campaign, hold only silence, are cut off or damaged, or run too long. Real
files made by ffmpeg; the probe is cached by content, so a second check runs no ffmpeg."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from badinput import edit, refused, sub, vietnamese_by_default
from conftest import make_audio, speechlike

from broadcast.errors import InputError
from broadcast.sound import audio, probe


@pytest.fixture(scope="module")
def sounds(tmp_path_factory) -> dict[str, Path]:
    """Recordings made once: speech-like, silent, almost silent, a 40 s MP3 and its damaged copies."""
    folder = tmp_path_factory.mktemp("sounds")
    made = {
        "speech.wav": make_audio(folder / "speech.wav", speechlike(3.0), 3.0),
        "silent.wav": make_audio(folder / "silent.wav", "anullsrc=r=44100:cl=mono", 3.0),
        "hiss.mp3": make_audio(folder / "hiss.mp3", "anoisesrc=color=white:amplitude=0.0005:seed=1", 3.0),
        "long.mp3": make_audio(folder / "long.mp3", speechlike(40.0), 40.0, codec_args=["-b:a", "64k"]),
    }
    data = made["long.mp3"].read_bytes()
    (folder / "cut.mp3").write_bytes(data[:len(data) * 2 // 3])  # the header still says 40 s
    damaged = bytearray(data)
    damaged[len(data) // 2:len(data) // 2 + 600] = random.Random(5).randbytes(600)
    (folder / "damaged.mp3").write_bytes(bytes(damaged))
    wav = made["speech.wav"].read_bytes()
    (folder / "cut.wav").write_bytes(wav[:len(wav) // 2 + 1])
    return {p.name: p for p in folder.iterdir()}


def with_recording(ws: Path, name: str, source: Path | bytes | str) -> None:
    """Message tin-02 (messages.yaml line 6) gets recording ``recordings/<name>`` on line 10,
    the line every problem of the recording names."""
    target = ws / "recordings" / name
    target.parent.mkdir(exist_ok=True)
    if isinstance(source, Path):
        shutil.copy(source, target)
    else:
        target.write_bytes(source.encode() if isinstance(source, str) else source)
    edit(ws, {"messages.yaml": sub("    repeat: 2\n", f"    repeat: 2\n    recording: recordings/{name}\n")})


NOT_AUDIO = {"a text file": ("ghi-am.mp3", "Bản thu sẽ gửi sau."), "an empty file": ("trong.wav", b""),
             "a picture": ("anh.m4a", b"\x89PNG\r\n\x1a\n" + bytes(200)),
             "a document": ("tai-lieu.ogg", b"%PDF-1.4\n" + bytes(300))}


@pytest.mark.parametrize("name", NOT_AUDIO)
def test_a_recording_that_is_no_audio_is_an_error(name, small_copy, run_cli, monkeypatch):
    file, data = NOT_AUDIO[name]
    with_recording(small_copy, file, data)
    vi, en = refused(small_copy, run_cli, monkeypatch, [("messages.yaml", 10, "recording")])
    assert f"'recordings/{file}' is not an audio file" in en and "không phải là tệp âm thanh" in vi


@pytest.mark.parametrize("written", ["../ngoai.wav", "{outside}/ngoai.wav", "recordings/../../ngoai.wav"])
def test_a_recording_outside_the_campaign_is_an_error(written, small_copy, sounds, run_cli, monkeypatch):
    outside = small_copy.parent
    shutil.copy(sounds["speech.wav"], outside / "ngoai.wav")
    written = written.format(outside=outside)
    edit(small_copy, {"messages.yaml": sub("    repeat: 2\n", f"    repeat: 2\n    recording: {written}\n")})
    _, en = refused(small_copy, run_cli, monkeypatch, [("messages.yaml", 10, "recording")])
    assert "lies outside the campaign folder" in en


def test_a_folder_the_settings_allow_may_hold_recordings(small_copy, sounds):
    studio = small_copy.parent / "studio"
    studio.mkdir()
    shutil.copy(sounds["speech.wav"], studio / "ngoai.wav")
    edit(small_copy, {"broadcast.yaml": lambda t: t + f"recordings: {{folders: [{studio}]}}\n",
                      "messages.yaml": sub("    repeat: 2\n",
                                           f"    repeat: 2\n    recording: {studio}/ngoai.wav\n")})
    from broadcast.operations.campaign import Campaign

    assert Campaign(small_copy).workspace.message("tin-02").recording == studio / "ngoai.wav"


@pytest.mark.parametrize("name", ["silent.wav", "hiss.mp3"])
def test_a_silent_recording_is_an_error(name, small_copy, sounds, run_cli, monkeypatch):
    with_recording(small_copy, name, sounds[name])
    _, en = refused(small_copy, run_cli, monkeypatch, [("messages.yaml", 10, "recording")])
    assert "holds only silence" in en


@pytest.mark.parametrize("name,said", [("cut.mp3", "looks cut off: it says it lasts 0:40 but can be"),
                                       ("cut.wav", "looks cut off: it can be read only up to 0:01"),
                                       ("damaged.mp3", "is damaged from about 0:")])
def test_a_cut_off_or_damaged_recording_warns_naming_the_time(name, said, small_copy, sounds, run_cli):
    with_recording(small_copy, name, sounds[name])
    result = run_cli("-w", str(small_copy), "check")
    assert result.exit_code == 0, result.stderr
    assert f"messages.yaml:10: warning: item 'tin-02', field 'recording': 'recordings/{name}' {said}" \
        in result.stderr


def test_a_recording_over_the_limit_is_refused_by_check_and_never_decoded_by_render(
        small_copy, sounds, run_cli, monkeypatch):
    with_recording(small_copy, "long.mp3", sounds["long.mp3"])
    edit(small_copy, {"broadcast.yaml": lambda t: t + "recordings: {max_minutes: 0.5}\n"})
    vi, en = refused(small_copy, run_cli, monkeypatch, [("messages.yaml", 10, "recording")])
    assert "lasts 0.7 minutes, over the limit of 0.5 minutes" in en and "quá giới hạn 0.5 phút" in vi
    decoded = []
    monkeypatch.setattr(audio, "_run", lambda args, *a, **k: decoded.append(args))
    with pytest.raises(InputError) as caught:
        audio.decode(sounds["long.mp3"], rate=44100, max_seconds=30)
    assert caught.value.key == "media.too_long" and decoded == []  # refused before any decoding


def test_a_length_over_the_limit_never_reads_as_the_limit():
    # 6.5 s over a 0.1-minute limit was told as "lasts 0.1 minutes, over the limit of 0.1".
    assert [audio.minutes_over(s) for s in (6.5, 6.01, 40.0, 1800.4)] == ["0.2", "0.2", "0.7", "30.1"]


def test_a_station_jingle_that_is_no_audio_is_named_in_the_settings(small_copy, run_cli, monkeypatch):
    edit(small_copy, {"jingles/tram.mp3": "nhạc hiệu", "broadcast.yaml": lambda t: t + "jingles:\n"
                      "  station: jingles/tram.mp3\n"})
    refused(small_copy, run_cli, monkeypatch, [("broadcast.yaml", 12, "station")])


def test_a_second_check_probes_nothing(small_copy, sounds, run_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("BROADCAST_CACHE_DIR", str(tmp_path / "cache"))  # a cold cache of its own
    with_recording(small_copy, "speech.wav", sounds["speech.wav"])
    calls = []
    original = audio._ffmpeg_log
    monkeypatch.setattr(audio, "_ffmpeg_log", lambda args: calls.append(args) or original(args))
    vietnamese_by_default(monkeypatch)
    assert run_cli("-w", str(small_copy), "check").exit_code == 0
    assert len(calls) == 2  # the header, then one decode
    assert run_cli("-w", str(small_copy), "check").exit_code == 0
    assert len(calls) == 2  # nothing probed again
    (small_copy / "recordings" / "speech.wav").write_bytes(sounds["silent.wav"].read_bytes())
    assert run_cli("-w", str(small_copy), "check").exit_code == 2  # new content: probed again
    assert len(calls) == 4


def test_probe_reads_length_peak_and_damage(sounds):
    whole = probe.probe(sounds["long.mp3"], max_seconds=1800)
    assert whole.audio and abs(whole.declared - 40) < 0.2 and abs(whole.decoded - 40) < 0.2
    assert -20 < whole.peak_db <= 0 and whole.damage == ()
    assert probe.probe(sounds["long.mp3"], max_seconds=10).decoded is None  # over the limit: not decoded
    assert probe.probe(sounds["silent.wav"], max_seconds=1800).peak_db == float("-inf")
    damaged = probe.probe(sounds["damaged.mp3"], max_seconds=1800)
    assert damaged.damage and 10 <= damaged.damage[0] <= 25  # the damage is in the middle (20 s)
    assert probe.judge(damaged, 1800) == [("media.damaged", "warning", {"at": probe.clock(damaged.damage[0]),
                                                                          "count": len(damaged.damage)})]
