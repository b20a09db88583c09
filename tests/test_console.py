"""Any console: output redirected to a file or pipe on Windows gets the console code page
(cp1252, cp1258), which cannot encode precomposed Vietnamese; nothing printed may crash.

The installed entry point runs in a subprocess with ``PYTHONIOENCODING`` set, as Python sets
it up on such a console, and stdout and stderr going to pipes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MESSAGES, write_workspace

from broadcast import i18n

CODE_PAGES = ["cp1252", "cp1258"]


def run(folder: Path, encoding: str, *args: str | bytes) -> subprocess.CompletedProcess:
    """``broadcast --lang vi ARGS`` started in ``folder``, its output on pipes."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    if encoding:
        env["PYTHONIOENCODING"] = encoding
    return subprocess.run([sys.executable, "-m", "broadcast", "--lang", "vi", *args], cwd=folder,
                          env=env, capture_output=True, timeout=300)


def utf8(data: bytes) -> str:
    """Strict: output that is not UTF-8 fails the test."""
    return data.decode("utf-8")


def no_crash(done: subprocess.CompletedProcess) -> None:
    assert b"UnicodeEncodeError" not in done.stderr and b"Traceback" not in done.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """One workspace, built once (clips, packages, ledger) for every test here."""
    root = write_workspace(tmp_path_factory.mktemp("console") / "ws")
    done = run(root, "", "build", "--offline")
    assert done.returncode == 0, utf8(done.stderr)
    return root


def cp_check(encoding: str) -> None:
    # The premise: these code pages really cannot hold the text (cp1258 has the Vietnamese
    # letters only as a base letter plus a combining tone mark, not precomposed as NFC).
    with pytest.raises(UnicodeEncodeError):
        "Đài truyền thanh xã".encode(encoding)


@pytest.mark.parametrize("encoding", CODE_PAGES)
def test_render_json_is_utf8_with_vietnamese_titles_intact(built: Path, encoding):
    cp_check(encoding)
    done = run(built, encoding, "render", "--offline", "--json")
    no_crash(done)
    assert done.returncode == 0, utf8(done.stderr)
    titles = {r["id"]: r["title"] for r in json.loads(utf8(done.stdout))}
    assert titles == {"tin-01": "Phòng, chống tảo hôn", "tin-02": "Bình đẳng giới trong gia đình"}
    assert "tệp dùng lại" in utf8(done.stderr)  # the summary, in Vietnamese


def test_json_is_utf8_even_where_the_console_could_hold_vietnamese(built: Path):
    done = run(built, "utf-16", "render", "--offline", "--json")
    assert done.returncode == 0
    assert json.loads(utf8(done.stdout))[0]["title"] == "Phòng, chống tảo hôn"


@pytest.mark.parametrize("encoding", CODE_PAGES)
def test_report_prints_vietnamese(built: Path, encoding):
    done = run(built, encoding, "report")
    no_crash(done)
    assert done.returncode == 0, utf8(done.stderr)
    # The heading is "Báo cáo tuyên truyền…": ề, ệ, ố are among what cp1252/cp1258 lack.
    assert utf8(done.stdout).splitlines()[0] == i18n.t_in("vi", "report.title")


@pytest.mark.parametrize("encoding", CODE_PAGES)
def test_spoken_prints_vietnamese(tmp_path: Path, encoding):
    done = run(tmp_path, encoding, "spoken", "Ủy ban nhân dân xã Đắk Pơ")
    no_crash(done)
    assert done.returncode == 0
    assert utf8(done.stdout).strip() == "Ủy ban nhân dân xã Đắk Pơ."


@pytest.mark.parametrize("encoding", CODE_PAGES)
def test_check_reports_errors_in_vietnamese_with_its_usual_exit_code(tmp_path: Path, encoding):
    root = write_workspace(tmp_path / "ws", messages=MESSAGES.replace(
        "text: Vợ chồng cùng chia sẻ việc nhà.", "valid_from: 2026-13-01"))
    done = run(root, encoding, "check")
    no_crash(done)
    assert done.returncode == 2
    out = utf8(done.stdout) + utf8(done.stderr)
    assert "messages.yaml:10:" in out and "không phải là ngày" in out


@pytest.mark.skipif(os.name != "posix", reason="POSIX passes undecodable argument bytes through")
def test_an_undecodable_argument_is_replaced_not_fatal(tmp_path: Path):
    # Python keeps bytes that are not UTF-8 as lone surrogates, which even UTF-8 cannot encode.
    done = run(tmp_path, "utf-8", "spoken", b"X\xff\xfe xa")
    no_crash(done)
    assert done.returncode == 0
    assert utf8(done.stdout).startswith("X")
