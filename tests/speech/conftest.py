"""Fixtures for the speech engines: real MP3 tones made with ffmpeg, and Google's reply format."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Callable

import imageio_ffmpeg
import pytest
import responses

GTTS_URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"


def make_tone_mp3(frequency: int, seconds: float = 1.0) -> bytes:
    """A real MP3 of a sine tone, mono 24 kHz 32 kb/s like Google's speech replies."""
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error",
        "-f", "lavfi", "-i", f"sine=frequency={frequency}:duration={seconds}",
        "-ac", "1", "-ar", "24000", "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3", "-",
    ]
    return subprocess.run(command, check=True, capture_output=True).stdout


@pytest.fixture(scope="session")
def tone_mp3() -> Callable[[int], bytes]:
    """Tone MP3s by frequency, each generated once per session."""
    made: dict[int, bytes] = {}

    def tone(frequency: int) -> bytes:
        if frequency not in made:
            made[frequency] = make_tone_mp3(frequency)
        return made[frequency]

    return tone


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def gtts_reply(mp3: bytes) -> str:
    """A batchexecute reply as Google sends it: an anti-JSON prefix, then length-prefixed lines.

    gTTS only looks for the line holding ``jQ1olc","[\\"<base64>\\"]``; the rest is there so
    the parser meets what it meets in the field.
    """
    payload = _compact([base64.b64encode(mp3).decode("ascii")])
    rpc = _compact([["wrb.fr", "jQ1olc", payload, None, None, None, "generic"],
                    ["di", 42], ["af.httprm", 41, "-1234567890123456789", 7]])
    trailer = _compact([["e", 4, None, None, len(rpc) + 50]])
    return f")]}}'\n\n{len(rpc)}\n{rpc}\n{len(trailer)}\n{trailer}\n"


@pytest.fixture
def google() -> responses.RequestsMock:
    """Google Translate faked at the HTTP layer; any request not registered fails, so no test
    can reach the internet."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock
