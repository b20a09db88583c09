"""The offline engine: real espeak-ng from the espeakng-loader wheel, nothing faked."""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version as dist_version
from pathlib import Path

import numpy as np
import pytest

from broadcast import speech
from broadcast.errors import InputError
from broadcast.speech import espeak, gtts

SENTENCE = ("Ủy ban nhân dân xã thông báo: nghiêm cấm tảo hôn và hôn nhân cận huyết thống. "
            "Khi thấy bạo lực gia đình, hãy báo ngay cho Địa chỉ tin cậy tại trạm y tế xã.")


def read_wav(path: Path) -> tuple[wave._wave_params, np.ndarray]:
    with wave.open(str(path), "rb") as wav:
        params = wav.getparams()
        samples = np.frombuffer(wav.readframes(params.nframes), dtype="<i2")
    return params, samples


def seconds(path: Path) -> float:
    params, _ = read_wav(path)
    return params.nframes / params.framerate


def test_vietnamese_sentence_gives_plausible_speech(tmp_path):
    dest = tmp_path / "clip.wav"

    espeak.synthesize(SENTENCE, dest)

    params, samples = read_wav(dest)
    assert (params.nchannels, params.sampwidth) == (1, 2)
    # espeak-ng's voices are built at 22050 Hz; the file must say the rate the samples have.
    assert params.framerate == espeak.sample_rate() == 22050
    # 33 syllables at 175 words per minute, with pauses: several seconds, not a blip or a hang.
    assert 1.0 < params.nframes / params.framerate < 20.0
    # Speech, not silence: loud enough overall, and sound in most quarter-seconds.
    assert np.sqrt(np.mean(samples.astype(np.float64) ** 2)) > 500
    quarter = params.framerate // 4
    windows = samples[: len(samples) // quarter * quarter].reshape(-1, quarter)
    voiced = np.abs(windows).max(axis=1) > 1000
    assert voiced.mean() > 0.6


def test_slower_rate_gives_longer_audio(tmp_path):
    espeak.synthesize(SENTENCE, tmp_path / "normal.wav", rate=1.0)
    espeak.synthesize(SENTENCE, tmp_path / "slow.wav", rate=0.8)

    ratio = seconds(tmp_path / "slow.wav") / seconds(tmp_path / "normal.wav")
    # 175 → 140 words per minute should stretch speech by about 1/0.8 = 1.25.
    assert 1.15 < ratio < 1.35


def test_every_vietnamese_voice_speaks(tmp_path):
    assert espeak.voices() == ["vi", "vi-vn-x-central", "vi-vn-x-south"]
    for voice in espeak.voices():
        dest = tmp_path / f"{voice}.wav"
        espeak.synthesize(SENTENCE, dest, voice=voice)
        assert 1.0 < seconds(dest) < 20.0


def test_unknown_voice_is_an_input_error_and_leaves_dest_alone(tmp_path):
    dest = tmp_path / "clip.wav"
    dest.write_bytes(b"last good clip")

    with pytest.raises(InputError) as caught:
        espeak.synthesize(SENTENCE, dest, voice="vi-vn-x-hanoi")

    assert caught.value.key == "speech.espeak_voice"
    assert caught.value.params["voice"] == "vi-vn-x-hanoi"
    assert "vi-vn-x-south" in str(caught.value)
    assert dest.read_bytes() == b"last good clip"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.wav"]


@pytest.mark.parametrize(("text", "rate", "key"), [
    ("", 1.0, "speech.empty_text"),
    (" \n\t", 1.0, "speech.empty_text"),
    (SENTENCE, 0.2, "speech.bad_rate"),
    (SENTENCE, float("nan"), "speech.bad_rate"),
])
def test_bad_text_or_rate_is_an_input_error(tmp_path, text, rate, key):
    with pytest.raises(InputError) as caught:
        espeak.synthesize(text, tmp_path / "clip.wav", rate=rate)

    assert caught.value.key == key
    assert not (tmp_path / "clip.wav").exists()


def test_threads_share_the_library_safely(tmp_path):
    settings = [("vi", 1.0), ("vi-vn-x-south", 0.7), ("vi-vn-x-central", 1.4)]
    alone = {}
    for voice, rate in settings:
        espeak.synthesize(SENTENCE, tmp_path / "alone.wav", voice=voice, rate=rate)
        alone[voice, rate] = (tmp_path / "alone.wav").read_bytes()

    def speak(index: int) -> bool:
        voice, rate = settings[index % len(settings)]
        dest = tmp_path / f"thread-{index}.wav"
        espeak.synthesize(SENTENCE, dest, voice=voice, rate=rate)
        return dest.read_bytes() == alone[voice, rate]

    with ThreadPoolExecutor(max_workers=4) as pool:
        same = list(pool.map(speak, range(12)))

    # A thread whose speed another thread changed, or whose buffer caught another's audio,
    # would differ; every utterance starts from a fresh library, so equal means byte-equal.
    assert same == [True] * 12


def test_speech_does_not_depend_on_what_the_process_spoke_before(tmp_path):
    # Measured with one library instance for the whole process: the same text came out as
    # 111,100 bytes of audio first and 111,114 the second time.
    other = "Vợ chồng cùng chia sẻ việc nhà."
    for name, text in (("a1", SENTENCE), ("b", other), ("a2", SENTENCE)):
        espeak.synthesize(text, tmp_path / f"{name}.wav")
    fresh = tmp_path / "b-fresh.wav"
    code = ("import sys; from pathlib import Path; from broadcast.speech import espeak; "
            "espeak.synthesize(sys.argv[1], Path(sys.argv[2]))")
    subprocess.run([sys.executable, "-c", code, other, str(fresh)], check=True,
                   env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})

    assert (tmp_path / "a1.wav").read_bytes() == (tmp_path / "a2.wav").read_bytes()
    assert (tmp_path / "b.wav").read_bytes() == fresh.read_bytes()
    assert (tmp_path / "a1.wav").read_bytes() != fresh.read_bytes()  # not one canned answer


def test_version_names_library_and_wheel():
    version = espeak.version()

    assert version.startswith("espeak-ng 1.")
    assert version.endswith(f"(espeakng-loader {dist_version('espeakng-loader')})")
    assert espeak.SUFFIX == ".wav" and espeak.default_voice() == "vi"


# The registry in broadcast/speech/__init__.py.

def test_registry_names_both_engines():
    assert speech.ENGINES == ("gtts", "espeak")
    assert speech.engine("espeak") is espeak and speech.engine("gtts") is gtts
    for name in speech.ENGINES:
        module = speech.engine(name)
        assert name == module.NAME
        assert callable(module.synthesize) and callable(module.version)


def test_unknown_engine_is_an_input_error():
    with pytest.raises(InputError) as caught:
        speech.engine("piper")

    assert caught.value.key == "speech.unknown_engine"
    assert "espeak" in str(caught.value) and "gtts" in str(caught.value)
