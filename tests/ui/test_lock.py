"""One long operation at a time per campaign folder, with the lock the command line honours:
a ``broadcast build`` typed while the page builds is told so, and the page says so when a
terminal run holds the folder (and refuses to build over it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import SETTINGS, write_workspace

from broadcast.operations import deliver
from broadcast.ui import server
from broadcast.ui.context import Config


@pytest.fixture
def served(tmp_path):
    root = write_workspace(tmp_path / "ws", settings=SETTINGS.replace("end: 2026-11-28", "end: 2026-11-15"))
    serving = server.start(Config(root))
    yield serving
    serving.stop()


def call(serving, method: str, path: str, data: bytes | None = None) -> tuple[int, str]:
    secrets = serving.config.secrets
    headers = {"Cookie": f"{secrets.cookie_name(serving.port)}={secrets.token}",
               "X-CSRF-Token": secrets.csrf, "X-Requested-With": "broadcast"}
    sent = urllib.request.Request(f"http://127.0.0.1:{serving.port}{path}", data=data, method=method,
                                  headers=headers)
    try:
        with urllib.request.urlopen(sent, timeout=30) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode("utf-8")


def finished(serving, url: str) -> dict:
    for _ in range(600):
        job = json.loads(call(serving, "GET", url)[1])
        if job["state"] != "running":
            return job
        time.sleep(0.1)
    raise AssertionError("the job never ended")


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BROADCAST_LANG": "en", "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "broadcast", "-w", str(root), *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_a_terminal_build_is_told_the_page_is_building(served, monkeypatch):
    """The page's build is held at its first progress event, inside the real lock."""
    reached, release = threading.Event(), threading.Event()
    real = deliver.build_packages

    def held_build(campaign, communes=(), **options):
        report = options.pop("report")

        def pausing(event):
            reached.set()
            release.wait(60)
            report(event)
        return real(campaign, communes, report=pausing, **options)

    monkeypatch.setattr(deliver, "build_packages", held_build)
    status, body = call(served, "POST", "/deliver/build", b"")
    assert status == 200, body
    assert reached.wait(60)
    refused = cli(served.config.root, "build", "--offline")
    second = call(served, "POST", "/deliver/build", b"")
    release.set()
    assert refused.returncode == 1
    assert "broadcast build" in refused.stderr and str(os.getpid()) in refused.stderr
    assert second[0] == 409 and "Đóng gói" in json.loads(second[1])["error"]  # the page refuses a second one
    assert finished(served, json.loads(body)["url"])["state"] == "done"


def test_the_page_says_when_a_terminal_holds_the_folder(served):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; from broadcast.operations import lock\n"
         f"with lock.workspace(Path({str(served.config.root)!r}), 'broadcast render'):\n"
         "    print('held', flush=True); sys.stdin.readline()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        assert holder.stdout.readline().strip() == "held"
        status, page = call(served, "GET", "/")
        assert status == 200 and 'id="holder"' in page
        assert "broadcast render" in page and str(holder.pid) in page
        status, body = call(served, "POST", "/deliver/build", b"")
        job = finished(served, json.loads(body)["url"])
        assert job["state"] == "failed" and "broadcast render" in job["error"]
    finally:
        holder.communicate("\n", timeout=30)
    assert 'id="holder"' not in call(served, "GET", "/")[1]  # gone with the terminal run
