"""Offline stays offline: once ``build --offline`` has run, ``usb``, ``image`` and ``publish`` use
the packages it made, render nothing, and touch no network; when an input changed they speak it
with the same offline voice and say so.

The network is really taken away: the commands run in a network namespace of their own with no
interfaces (``unshare -rn``), so any attempt to reach Google fails as it does in a mountain commune.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SETTINGS, write_workspace

ONLINE = SETTINGS.replace("speech: {engine: espeak}", "speech: {engine: gtts}").replace(
    "end: 2026-11-28", "end: 2026-11-16").replace("minutes: 15", "minutes: 1")


def offline(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The CLI in a network namespace without a network."""
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode:
        pytest.skip("this system cannot take the network away (unshare -rn)")
    env = {**os.environ, "BROADCAST_LANG": "en", "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([unshare, "-rn", sys.executable, "-m", "broadcast", "-w", str(root), *args],
                          capture_output=True, text=True, env=env)


def cache_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in (root / "build" / "cache").rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = write_workspace(tmp_path_factory.mktemp("offline") / "ws", settings=ONLINE)
    result = offline(root, "build", "--offline")
    assert result.returncode == 0, result.stderr
    return root


def test_after_build_offline_nothing_renders_and_nothing_reaches_for_the_network(built, tmp_path):
    before = cache_files(built)
    stick = tmp_path / "stick"
    stick.mkdir()
    runs = [offline(built, "usb", "xa-a", str(stick)),
            offline(built, "image", "xa-a", "-o", str(tmp_path / "images")),
            offline(built, "publish", (tmp_path / "kho").as_uri())]
    for result in runs:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Google" not in result.stderr and "gTTS" not in result.stderr
        assert "made" not in result.stderr  # no clip line: every clip came from the cache
    assert cache_files(built) == before
    assert (tmp_path / "images" / "xa-a.img").is_file()


def test_a_changed_message_is_spoken_with_the_remembered_offline_voice(built, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(built, root, symlinks=True)
    text = (root / "messages.yaml").read_text(encoding="utf-8")
    (root / "messages.yaml").write_text(text.replace("việc nhà.", "việc nhà, chăm con."), encoding="utf-8")
    stick = tmp_path / "stick"
    stick.mkdir()
    result = offline(root, "usb", "xa-a", str(stick))
    assert result.returncode == 0, result.stderr
    assert "Speaking 1 clip(s) with the offline voice, as the last render did" in result.stderr
    clip = next((stick / "xa-a").rglob("*tin-02.mp3"))
    from broadcast.sound import tags

    assert tags.read(clip)["artist"].startswith("espeak")


def test_online_undoes_the_choice(built, tmp_path):
    import responses
    from speech.conftest import GTTS_URL, gtts_reply, make_tone_mp3

    from broadcast.operations import campaign, produce, voice
    from broadcast.sound import tags

    root = tmp_path / "ws"
    shutil.copytree(built, root, symlinks=True)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as google:
        google.add(responses.POST, GTTS_URL, body=gtts_reply(make_tone_mp3(440)))
        rendered = produce.render(campaign.find(root), offline=False)  # what --online asks
    assert not rendered.failures and all(not r.cached for r in rendered.results)
    assert voice.choose(campaign.find(root), None) == voice.Voice(offline=False, remembered=True)
    assert tags.read(root / "build" / "clips" / "tin-01.mp3")["artist"].startswith("gtts")
