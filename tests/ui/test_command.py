"""``broadcast ui`` as the officer starts it: the address with its token is the first line of
output, the page answers only with it, and Ctrl-C stops the server cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request

import pytest
from conftest import write_workspace


def start(*args: str, cwd=None) -> subprocess.Popen:
    """``broadcast [args] ui --no-browser``; the args may be global (-w) or the command's own."""
    env = {**os.environ, "BROADCAST_LANG": "en", "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, "-m", "broadcast", *args, "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)


def opened(url: str) -> str:
    jar = urllib.request.HTTPCookieProcessor()
    with urllib.request.build_opener(jar).open(url, timeout=30) as page:
        return page.read().decode("utf-8")


@pytest.mark.parametrize("mode", ["office", "operator"])
def test_first_line_is_the_address_and_ctrl_c_stops_it(tmp_path, mode):
    root = write_workspace(tmp_path / "ws")
    args = ["-w", str(root), "ui"] if mode == "office" else ["ui", "--operator"]
    process = start(*args, cwd=tmp_path)
    try:
        first = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[A-Za-z0-9_-]{32}", first), first
        page = opened(first)
        assert ("Chiến dịch thử nghiệm" in page) if mode == "office" else ("share link" in page.lower())
        with pytest.raises(urllib.error.HTTPError) as refused:
            opened(first.split("?")[0])
        assert refused.value.code == 403
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 130, err
    assert "Stopped on request" in err and "Traceback" not in err


def test_outside_a_campaign_folder_it_says_what_to_do(tmp_path):
    process = start("ui", cwd=tmp_path)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2 and "broadcast.yaml" in err and out == ""
