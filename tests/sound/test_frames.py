"""Mixdowns keep the plan's time: joints add nothing, every part plays as it does alone."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import FFMPEG, make_audio, speechlike
from meter import samples

from broadcast.campaign.workspace import builtin_profiles
from broadcast.sound import audio, frames

LOUDSPEAKER = builtin_profiles()["loudspeaker"]
RATE = 44100


def clip(folder: Path, name: str, source: str, seconds: float, profile=LOUDSPEAKER) -> Path:
    """A clip made the way render makes it: lead-in, the sound, lead-out, normalized, LAME."""
    sound = audio.decode(make_audio(folder / f"{name}.wav", source, seconds), rate=profile.sample_rate)
    audio.finish(audio.assemble(sound, profile), profile, folder / f"{name}.mp3")
    return folder / f"{name}.mp3"


@pytest.fixture(scope="module")
def slot(tmp_path_factory) -> tuple[list[Path], list[float]]:
    """A station jingle that ends on its last note, then clips with the profile's lead-out,
    with a gap of silence between items: every kind of joint a slot has."""
    folder = tmp_path_factory.mktemp("slot")
    jingle_profile = LOUDSPEAKER.__class__(**{**vars(LOUDSPEAKER), "lead_in_ms": 0, "lead_out_ms": 0})
    jingle = clip(folder, "jingle", "sine=frequency=660", 1.7, jingle_profile)
    gap = folder / "gap.mp3"
    audio.silence_mp3(0.5, LOUDSPEAKER, gap)
    clips = [clip(folder, f"tin-{i}", speechlike(2.0 + 0.37 * i), 2.0 + 0.37 * i) for i in range(4)]
    parts, tails = [], []
    for item in clips:
        parts += [jingle, gap, item, gap]
        tails += [0.0, 0.5, LOUDSPEAKER.lead_out_ms / 1000, 0.5]
    return parts[:-1], tails[:-1]


def test_joined_slot_decodes_to_the_sum_of_its_parts(slot, tmp_path: Path):
    parts, tails = slot
    audio.join(parts, tmp_path / "mix.mp3", LOUDSPEAKER, tails)
    alone = [samples(p) for p in parts]
    mixed = samples(tmp_path / "mix.mp3")
    assert abs(len(mixed) - sum(len(a) for a in alone)) <= RATE * 0.010
    # Frames copied as they are would have added the encoder's delay and padding at every joint.
    naive = tmp_path / "naive.txt"
    naive.write_text("".join(f"file '{p}'\n" for p in parts))
    subprocess.run([FFMPEG, "-v", "error", "-f", "concat", "-safe", "0", "-i", str(naive), "-c", "copy",
                    "-y", str(tmp_path / "naive.mp3")], check=True)
    assert len(samples(tmp_path / "naive.mp3")) - sum(len(a) for a in alone) > RATE * 0.020 * len(parts)


def test_every_part_plays_as_alone_never_early_and_at_most_three_frames_late(slot, tmp_path: Path):
    parts, tails = slot
    audio.join(parts, tmp_path / "mix.mp3", LOUDSPEAKER, tails)
    mixed = samples(tmp_path / "mix.mp3")
    planned = 0
    for part in parts:
        alone = samples(part)
        loud = np.flatnonzero(np.abs(alone) > 0.01)
        if loud.size:  # a part with sound: find where it sits in the mix
            head = alone[loud[0]:loud[0] + 2048]
            search = mixed[planned + loud[0]:planned + loud[0] + 4 * 1152 + len(head)]
            errors = [np.sum((search[lag:lag + len(head)] - head) ** 2) for lag in range(4 * 1152)]
            late = int(np.argmin(errors))
            assert errors[late] <= 1e-6 * np.sum(head ** 2), part.name  # the same samples
            window = mixed[planned + late:planned + late + len(alone)]
            assert np.max(np.abs(window[:len(alone) - 4096] - alone[:len(alone) - 4096])) < 1e-4
        planned += len(alone)


def test_parts_of_other_rates_are_encoded_once_and_keep_time(tmp_path: Path):
    low = LOUDSPEAKER.__class__(**{**vars(LOUDSPEAKER), "sample_rate": 22050})
    parts = [clip(tmp_path, "a", speechlike(2.0), 2.0), clip(tmp_path, "b", speechlike(2.5), 2.5, low)]
    assert frames.plan([frames.read_part(p) for p in parts]) is None  # no frame-exact join here
    audio.join(parts, tmp_path / "mix.mp3", LOUDSPEAKER)
    want = sum(len(samples(p)) for p in parts)
    assert abs(len(samples(tmp_path / "mix.mp3")) - want) <= RATE * 0.010


def test_info_frame_written_as_ffmpeg_writes_it(slot):
    """set_delay reproduces ffmpeg's own delay, padding and tag CRC byte for byte."""
    data = slot[0][2].read_bytes()
    first = frames.header(data, 0)
    part = frames.read_part(slot[0][2])
    info = bytearray(data[:first.size])
    frames.set_delay(info, part.delay, part.padding)
    assert bytes(info) == data[:first.size]
    frames.set_delay(info, part.delay, part.padding + 1)
    assert bytes(info) != data[:first.size]
