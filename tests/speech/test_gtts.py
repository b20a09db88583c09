"""The gTTS engine against Google faked at the HTTP layer only.

gTTS's own request building, tokenizer and reply parsing all run; the replies carry real MP3s
made by ffmpeg in Google's reply format. No test touches the internet.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import urllib.parse
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from importlib.metadata import version as dist_version
from pathlib import Path

import imageio_ffmpeg
import pytest
import requests

from broadcast.errors import InputError, OperationalError
from broadcast.i18n import current_language, set_language
from broadcast.speech import gtts as engine
from broadcast.speech.gtts import RetryPolicy

from .conftest import GTTS_URL, gtts_reply

NO_WAIT = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0)

# 265 characters: over gTTS's 100, so it is cut at every comma, colon and full stop followed
# by a space (gTTS's tokenizer_cases), which leaves clauses under 100 characters here.
LONG_TEXT = (
    "Ủy ban nhân dân xã thông báo: nghiêm cấm tảo hôn và hôn nhân cận huyết thống, "
    "vì con sinh ra dễ mắc bệnh tật và gia đình thêm nghèo khó. "
    "Khi thấy bạo lực gia đình, hãy báo ngay cho Địa chỉ tin cậy tại trạm y tế xã, "
    "hoặc gọi cho trưởng thôn để được giúp đỡ kịp thời."
)
SHORT_TEXT = "Phụ nữ và nam giới bình đẳng trong gia đình."
# What gTTS must send for LONG_TEXT: its clauses, without the punctuation that cut them.
LONG_PIECES = re.split(r"[,:.] ", LONG_TEXT)
TONES = [440, 494, 523, 587, 659, 698]  # one per piece, so the order of the join shows


@pytest.fixture
def language():
    """Set the message language for one test and restore it afterwards."""
    before = current_language()
    yield set_language
    set_language(before)


def sent_text(call) -> list:
    """The [text, lang, speed, "null"] parameter gTTS packed into one request body."""
    form = urllib.parse.parse_qs(call.request.body)
    rpc = json.loads(form["f.req"][0])
    return json.loads(rpc[0][0][1])


def decoded_seconds(path: Path) -> float:
    """Duration of an MP3 as ffmpeg decodes it, from the PCM it produces."""
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error",
               "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", "8000", "-"]
    pcm = subprocess.run(command, check=True, capture_output=True).stdout
    return len(pcm) / 2 / 8000


def test_long_text_is_sent_in_pieces_and_joined_in_order(google, tone_mp3, tmp_path):
    tones = [tone_mp3(frequency) for frequency in TONES]
    for tone in tones:
        google.post(GTTS_URL, body=gtts_reply(tone))
    dest = tmp_path / "clip.mp3"

    engine.synthesize(LONG_TEXT, dest, retry=NO_WAIT)

    assert [sent_text(call)[0] for call in google.calls] == LONG_PIECES
    assert len(LONG_PIECES) == 6
    assert dest.read_bytes() == b"".join(tones)
    # The joined file plays through: six one-second tones decode to about six seconds.
    assert decoded_seconds(dest) == pytest.approx(6.0, abs=0.3)


def test_vietnamese_text_round_trips_into_the_request(google, tone_mp3, tmp_path):
    google.post(GTTS_URL, body=gtts_reply(tone_mp3(440)))

    engine.synthesize(SHORT_TEXT, tmp_path / "clip.mp3", retry=NO_WAIT)

    assert sent_text(google.calls[0]) == [SHORT_TEXT, "vi", None, "null"]


def test_slow_rate_asks_for_the_slow_voice_and_com_vn_uses_its_host(google, tone_mp3, tmp_path):
    google.post(GTTS_URL.replace(".com/", ".com.vn/"), body=gtts_reply(tone_mp3(440)))

    engine.synthesize(SHORT_TEXT, tmp_path / "clip.mp3", voice="com.vn", rate=0.7,
                      retry=NO_WAIT)

    # gTTS sends true for slow and null for normal speed.
    assert sent_text(google.calls[0])[2] is True


@pytest.mark.parametrize("failures", [[429], [503, 500]], ids=["rate-limited", "server-error"])
def test_transient_failures_are_retried_until_success(google, tone_mp3, tmp_path, failures):
    for status in failures:
        google.post(GTTS_URL, status=status)
    google.post(GTTS_URL, body=gtts_reply(tone_mp3(440)))
    dest = tmp_path / "clip.mp3"

    engine.synthesize(SHORT_TEXT, dest, retry=NO_WAIT)

    assert len(google.calls) == len(failures) + 1
    assert dest.read_bytes() == tone_mp3(440)


def test_retry_resends_only_the_failed_piece(google, tone_mp3, tmp_path):
    tones = [tone_mp3(frequency) for frequency in TONES]
    google.post(GTTS_URL, body=gtts_reply(tones[0]))
    google.post(GTTS_URL, status=429)
    for tone in tones[1:]:
        google.post(GTTS_URL, body=gtts_reply(tone))
    dest = tmp_path / "clip.mp3"

    engine.synthesize(LONG_TEXT, dest, retry=NO_WAIT)

    sent = [sent_text(call)[0] for call in google.calls]
    # The 2nd piece twice; the 1st, already received, never again.
    assert sent == [LONG_PIECES[0], LONG_PIECES[1], *LONG_PIECES[1:]]
    assert dest.read_bytes() == b"".join(tones)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_rate_limited_every_time_fails_and_suggests_offline(google, tmp_path, language, lang):
    language(lang)
    for _ in range(NO_WAIT.attempts):
        google.post(GTTS_URL, status=429)
    dest = tmp_path / "clip.mp3"

    with pytest.raises(OperationalError) as caught:
        engine.synthesize(SHORT_TEXT, dest, retry=NO_WAIT)

    assert caught.value.key == "speech.gtts_rate_limited"
    assert len(google.calls) == NO_WAIT.attempts
    assert "429" in str(caught.value) and "--offline" in str(caught.value)
    assert not dest.exists()


def test_server_error_every_time_names_the_status(google, tmp_path, language):
    language("en")
    for _ in range(NO_WAIT.attempts):
        google.post(GTTS_URL, status=503)

    with pytest.raises(OperationalError) as caught:
        engine.synthesize(SHORT_TEXT, tmp_path / "clip.mp3", retry=NO_WAIT)

    assert caught.value.key == "speech.gtts_http"
    assert "HTTP 503" in str(caught.value) and "--offline" in str(caught.value)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_connection_error_says_offline(google, tmp_path, language, lang):
    language(lang)
    for _ in range(NO_WAIT.attempts):
        google.post(GTTS_URL, body=requests.exceptions.ConnectionError("Name or service not known"))
    dest = tmp_path / "clip.mp3"

    with pytest.raises(OperationalError) as caught:
        engine.synthesize(SHORT_TEXT, dest, retry=NO_WAIT)

    assert caught.value.key == "speech.gtts_offline"
    assert len(google.calls) == NO_WAIT.attempts  # a dropped link is worth retrying too
    assert "translate.google.com" in str(caught.value) and "--offline" in str(caught.value)
    assert not dest.exists()


def test_client_error_is_not_retried(google, tmp_path):
    google.post(GTTS_URL, status=403)

    with pytest.raises(OperationalError) as caught:
        engine.synthesize(SHORT_TEXT, tmp_path / "clip.mp3", retry=NO_WAIT)

    assert caught.value.key == "speech.gtts_http"
    assert len(google.calls) == 1  # asking again gets the same refusal


@pytest.mark.parametrize("body", [
    "<html><body>Đăng nhập Wi-Fi</body></html>",  # a captive portal: no RPC line at all
    ")]}'\n\n[[\"wrb.fr\",\"jQ1olc\",null,null,null,[3],\"generic\"]]\n",  # RPC line, no audio
])
def test_reply_without_audio_fails_with_empty(google, tmp_path, body):
    google.post(GTTS_URL, body=body)
    dest = tmp_path / "clip.mp3"

    with pytest.raises(OperationalError) as caught:
        engine.synthesize(SHORT_TEXT, dest, retry=NO_WAIT)

    assert caught.value.key == "speech.gtts_empty"
    assert "--offline" in str(caught.value)
    assert not dest.exists()


def test_failure_midway_leaves_the_existing_clip_untouched(google, tone_mp3, tmp_path):
    dest = tmp_path / "clip.mp3"
    dest.write_bytes(b"the clip from the last good run")
    google.post(GTTS_URL, body=gtts_reply(tone_mp3(440)))
    for _ in range(NO_WAIT.attempts):
        google.post(GTTS_URL, status=429)

    with pytest.raises(OperationalError):
        engine.synthesize(LONG_TEXT, dest, retry=NO_WAIT)

    assert dest.read_bytes() == b"the clip from the last good run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp3"]  # no .part left over


@pytest.mark.parametrize("text", ["", "   \n", "… — !"])
def test_text_with_nothing_to_say_is_an_input_error(google, tmp_path, text):
    with pytest.raises(InputError) as caught:
        engine.synthesize(text, tmp_path / "clip.mp3")

    assert caught.value.key == "speech.empty_text"
    assert not google.calls


def test_unknown_voice_and_bad_rate_are_input_errors(google, tmp_path):
    with pytest.raises(InputError) as voice:
        engine.synthesize(SHORT_TEXT, tmp_path / "a.mp3", voice="fr")
    with pytest.raises(InputError) as rate:
        engine.synthesize(SHORT_TEXT, tmp_path / "a.mp3", rate=0.0)

    assert voice.value.key == "speech.gtts_voice" and "com.vn" in str(voice.value)
    assert rate.value.key == "speech.bad_rate"
    assert not google.calls


def test_backoff_doubles_with_jitter_and_is_capped():
    policy = RetryPolicy(attempts=5, base_delay=1.0, max_delay=5.0)
    rng = random.Random(7)

    waits = [policy.delay(attempt, rng=rng) for attempt in (1, 2, 3, 4)]

    # Jitter keeps each wait between half and all of base × 2^(attempt-1), then the cap.
    assert 0.5 <= waits[0] <= 1.0
    assert 1.0 <= waits[1] <= 2.0
    assert 2.0 <= waits[2] <= 4.0
    assert waits[3] <= 5.0


def test_retry_after_is_a_floor_under_the_cap():
    policy = RetryPolicy(attempts=5, base_delay=1.0, max_delay=30.0)

    assert policy.delay(1, retry_after=12.0) == 12.0
    assert policy.delay(1, retry_after=600.0) == 30.0


def test_retry_after_header_reads_seconds_and_dates():
    in_ten = datetime.now(timezone.utc) + timedelta(seconds=10)

    assert engine._retry_after("7") == 7.0
    assert engine._retry_after(format_datetime(in_ten, usegmt=True)) == pytest.approx(10, abs=2)
    assert engine._retry_after("soon") is None
    assert engine._retry_after(None) is None


def test_version_names_the_installed_gtts():
    assert engine.version() == f"gtts {dist_version('gTTS')}"
    assert engine.SUFFIX == ".mp3" and engine.default_voice() == "com"
