"""Shared fixtures: real ffmpeg-made audio, small workspaces, the CLI, and CI-tool strictness.

Fixtures are generated here by code (tones, noise bursts, offline speech), never downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import imageio_ffmpeg
import pytest

from broadcast import i18n

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(name: str) -> str:
    """Path of an external checker CI installs; in CI its absence fails the test, else skips."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is required in CI (CI=true) but is not installed")
        pytest.skip(f"{name} not installed")
    return path


def make_audio(path: Path, source: str, seconds: float, *, codec_args: list[str] | None = None,
               rate: int = 44100) -> Path:
    """Write a real audio file from an ffmpeg lavfi source (``sine=...``, ``anoisesrc=...``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", source, "-t", str(seconds),
         "-ar", str(rate), "-ac", "1", *(codec_args or []), "-y", str(path)],
        check=True)
    return path


def speechlike(seconds: float) -> str:
    """A lavfi source that behaves like speech for a loudness meter: bursts with pauses."""
    return ("aevalsrc='0.5*sin(2*PI*220*t)*sin(2*PI*3*t)*(lt(mod(t,1.3),0.9))"
            f"+0.2*sin(2*PI*660*t)*(lt(mod(t,1.3),0.9))':s=44100:d={seconds}")


@pytest.fixture(scope="session", autouse=True)
def signing_key_path(tmp_path_factory) -> Path:
    """One organization key for the whole run, made by the real code, kept in a temporary folder:
    tests never touch the real home directory's key. Set for the session, so module-scoped
    fixtures that build packages see it too."""
    from broadcast.trust import signing

    path = tmp_path_factory.mktemp("keys") / "signing.key"
    signing.init_key(path)
    os.environ["BROADCAST_SIGNING_KEY"] = str(path)
    return path


@pytest.fixture(scope="session", autouse=True)
def probe_cache(tmp_path_factory) -> Path:
    """The probe cache (``sound.probe``) of the whole run, in a temporary folder: tests never
    write into the real user's cache, and a recording probed once is not probed again."""
    path = tmp_path_factory.mktemp("cache")
    os.environ["BROADCAST_CACHE_DIR"] = str(path)
    return path


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch, signing_key_path, probe_cache, tmp_path_factory):
    """Tests read messages in English unless they ask otherwise; each test starts clean, with the
    test key and a private state folder (what pull remembers)."""
    monkeypatch.delenv("BROADCAST_WORKSPACE", raising=False)
    monkeypatch.setenv("BROADCAST_SIGNING_KEY", str(signing_key_path))
    monkeypatch.setenv("BROADCAST_CACHE_DIR", str(probe_cache))
    monkeypatch.setenv("BROADCAST_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    monkeypatch.setenv("BROADCAST_LANG", "en")
    i18n.set_language("en")
    yield
    i18n.set_language("en")


SETTINGS = """\
organization: Ban Dân tộc tỉnh Quảng Trị
campaign: {id: thu-nghiem, name: Chiến dịch thử nghiệm, start: 2026-11-15, end: 2026-11-28}
language: vie
profile: loudspeaker
speech: {engine: espeak}
# The campaign dates are fixed so plans are stable; packages must stay valid whenever tests run.
signing: {expires: 2099-12-31}
slots:
  sang: {start: "06:00", minutes: 15}
  chieu: {start: "17:00", minutes: 15}
"""

MESSAGES = """\
messages:
  - id: tin-01
    title: Phòng, chống tảo hôn
    topics: [tảo hôn]
    text: UBND xã đề nghị bà con không tổ chức tảo hôn.
  - id: tin-02
    title: Bình đẳng giới trong gia đình
    topics: [bình đẳng giới]
    repeat: 2
    text: Vợ chồng cùng chia sẻ việc nhà.
"""

COMMUNES = """\
communes:
  - id: xa-a
    name: Xã Dân Hóa
    province: Quảng Trị
    languages: [vie]
    slots: [sang, chieu]
"""


def write_workspace(root: Path, *, settings: str = SETTINGS, messages: str = MESSAGES,
                    communes: str = COMMUNES, extra: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    files = {"broadcast.yaml": settings, "messages.yaml": messages, "communes.yaml": communes,
             **(extra or {})}
    for name, body in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(body), encoding="utf-8")
    return root


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A small valid workspace with two Vietnamese messages spoken offline."""
    return write_workspace(tmp_path / "ws")


@pytest.fixture
def run_cli():
    """Run the real CLI in-process through click's CliRunner; returns the click Result."""
    from click.testing import CliRunner

    from broadcast.cli import cli

    def run(*args: str, input: str | None = None, env: dict | None = None):
        try:  # click < 8.2 mixes stderr into output unless told not to
            runner = CliRunner(mix_stderr=False)
        except TypeError:
            runner = CliRunner()
        return runner.invoke(cli, list(args), input=input, env=env, catch_exceptions=False)
    return run


@pytest.fixture(scope="session")
def built_small(tmp_path_factory, signing_key_path, probe_cache) -> Path:
    """A small campaign (two offline messages, one commune, two days) built once per run:
    clips, packages and ledger. Tests that change it work on a copy (``small_copy``)."""
    from broadcast.operations import deliver
    from broadcast.operations.campaign import Campaign

    root = write_workspace(tmp_path_factory.mktemp("built") / "ws",
                           settings=SETTINGS.replace("end: 2026-11-28", "end: 2026-11-16"))
    deliver.build_packages(Campaign(root), offline=True)
    return root


@pytest.fixture
def small_copy(built_small: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(built_small, root, symlinks=True)
    return root

