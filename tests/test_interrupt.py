"""Ctrl-C, SIGTERM and a killed parent, with real signals sent to a real ``broadcast render``.

The render tests start the CLI in its own process group and signal it once it is mid-render
(a clip has been reported and more are queued), as a terminal does when the user presses
Ctrl-C. The rest check the pieces: click's own interrupt paths, thread pools, leftovers.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import write_workspace
from meter import loudness

from broadcast import __version__, fsio, i18n, interrupts
from broadcast.cli.app import BroadcastGroup

real_signals = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                  reason="real POSIX signals and /proc are needed")

COUNT = 4
MESSAGES = "messages:\n" + "".join(
    f"  - id: tin-{i:02d}\n    title: Tin số {i} về phòng, chống tảo hôn\n"
    f"    text: Bà con chú ý, đây là tin số {i}.\n"
    for i in range(COUNT))
PROGRESS = re.compile(r"\[\s*\d+/\d+(?:, [^\]]*)?\] ")  # "[3/15] " or "[3/15, 2 min left] "
SPEC_SECONDS = 3.0
"""Issue 9: exit within 3 s of the signal (measured here: 0.2–0.4 s)."""
BOUND = 60.0
"""Only so a broken build fails instead of hanging; never asserted on."""


class Render:
    """``broadcast render --offline --jobs 2`` in its own process group, stderr read by lines."""

    def __init__(self, root: Path, lang: str = "en") -> None:
        command = [sys.executable, "-m", "broadcast", "-w", str(root), "render", "--offline",
                   "--jobs", "2"]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "BROADCAST_LANG": lang}
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                        start_new_session=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for_progress(self) -> list[str]:
        """Lines up to the first clip reported: the render is under way, clips still queued."""
        seen = []
        deadline = time.monotonic() + BOUND
        while time.monotonic() < deadline:
            line = self.lines.get(timeout=BOUND)
            assert line is not None, f"render ended before any progress: {seen}"
            seen.append(line)
            if PROGRESS.match(line):
                return seen
        pytest.fail("no progress line")

    def rest(self) -> list[str]:
        lines = []
        while (line := self.lines.get(timeout=BOUND)) is not None:
            lines.append(line)
        return lines


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) from /proc, or None once the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[0], int(fields[1])


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"  # a zombie has ended; only its exit status remains


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        children = {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                    and (s := _stat(int(p.name))) is not None and s[1] in frontier}
        frontier = children - found
        found |= children
    return found


def _leftovers(root: Path) -> list[Path]:
    """Temporaries and unsealed cache blobs (audio whose record was never written)."""
    cache = root / "build" / "cache"
    parts = [p for p in root.rglob("*") if ".part" in p.name]
    unsealed = [blob for blob in [*cache.rglob("*.mp3"), *cache.rglob("*.wav")]
                if not blob.with_suffix(".json").exists()]
    return parts + unsealed


def _rerun_makes_valid_clips(root: Path) -> None:
    command = [sys.executable, "-m", "broadcast", "-w", str(root), "render", "--offline", "--json"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=BOUND * 3)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) == COUNT
    assert any(r["cached"] for r in results) and not all(r["cached"] for r in results)
    for record in results:
        lufs, peak = loudness(Path(record["path"]))
        assert abs(lufs - record["target_lufs"]) <= 0.5 and peak <= record["true_peak_limit"] + 0.5


@real_signals
@pytest.mark.parametrize(("signum", "code", "lang"), [(signal.SIGINT, 130, "vi"),
                                                      (signal.SIGTERM, 143, "en")])
def test_signal_mid_render_stops_in_time_with_one_line(tmp_path: Path, signum, code, lang):
    root = write_workspace(tmp_path / "ws", messages=MESSAGES)
    render = Render(root, lang)
    render.wait_for_progress()

    os.killpg(render.process.pid, signum)
    sent = time.monotonic()
    render.process.wait(timeout=BOUND)
    elapsed = time.monotonic() - sent

    assert render.process.returncode == code
    assert elapsed < SPEC_SECONDS
    after = render.rest()
    # A progress line the child wrote just before the signal may still have been in the pipe;
    # after the signal it writes exactly one line: no per-clip errors, no traceback, no
    # "Exception ignored", no click "Aborted!".
    assert [line for line in after if not PROGRESS.match(line)] == [
        i18n.t_in(lang, "cli.interrupted")]
    assert after[-1] == i18n.t_in(lang, "cli.interrupted")
    assert render.process.stdout.read() == ""
    assert _leftovers(root) == []
    _rerun_makes_valid_clips(root)


@real_signals
def test_killed_parent_leaves_no_worker_or_child_behind(tmp_path: Path):
    root = write_workspace(tmp_path / "ws", messages=MESSAGES)
    render = Render(root)
    render.wait_for_progress()
    workers = _descendants(render.process.pid)  # two pool workers and their ffmpeg children
    assert len(workers) >= 2

    render.process.kill()  # SIGKILL to the main process only: no cleanup code of its own runs
    render.process.wait(timeout=BOUND)
    deadline = time.monotonic() + 5  # the workers notice within a poll (0.25 s) and unwind
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.05)

    assert [p for p in workers if _alive(p)] == []
    assert _leftovers(root) == []  # the workers removed their own temporaries


@real_signals
def test_next_render_removes_only_what_a_killed_run_left(tmp_path: Path):
    root = write_workspace(tmp_path / "ws", messages=MESSAGES)
    render = Render(root)
    render.wait_for_progress()
    os.killpg(render.process.pid, signal.SIGKILL)  # everything at once: nobody cleans up
    render.process.wait(timeout=BOUND)
    # Whatever the kill left, plus a temporary as the kill can leave it in each folder render
    # writes, and files of the user's that merely look alike.
    cache = root / "build" / "cache"
    planted = [cache / "clips" / "ab" / ".ab12.mp3.k3x_9q2z.part",
               cache / "speech" / "cd" / ".cd34.wav.0a1b2c3d.part",
               root / "build" / "clips" / ".tin-01.mp3.zz_zz_zz.part",
               root / "build" / "schedule" / "xa-a" / ".sang.mp3.p0q1r2s3.part.txt"]
    mine = [root / "build" / "clips" / "ghi-chu.part", cache / "clips" / ".notes.part",
            cache / "clips" / ".x.mp3.ABCDEFGH.part", root / ".broadcast.yaml.k3x_9q2z.part"]
    for path in planted + mine:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")

    _rerun_makes_valid_clips(root)

    assert [p for p in root.rglob("*") if fsio.is_temporary_name(p.name)] == [mine[-1]]
    assert all(p.read_bytes() == b"half" for p in mine)


# --- the pieces ------------------------------------------------------------------------------

class OneCommandGroup(BroadcastGroup):
    """The real group and its error handling, with a command of the test's own."""

    list_commands = click.Group.list_commands
    get_command = click.Group.get_command


def invoke(command: click.Command, *, input: str | None = None):
    group = OneCommandGroup(name="broadcast", commands={command.name: command})
    try:  # click < 8.2 mixes stderr into output unless told not to
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()
    return runner.invoke(group, [command.name], input=input)


@pytest.mark.parametrize(("raised", "code"), [(KeyboardInterrupt, 130), (interrupts.Interrupted, 130),
                                              (interrupts.Terminated, 143)])
def test_an_interrupted_command_says_so_once_and_exits_130_or_143(raised, code):
    @click.command("work")
    def work():
        raise raised()

    result = invoke(work)

    # click alone prints an empty line and "Aborted!" and exits 1.
    assert result.exit_code == code
    assert result.stderr == i18n.t("cli.interrupted") + "\n"
    assert result.stdout == ""


def test_a_prompt_abort_is_stopped_the_same_way():
    @click.command("ask")
    def ask():
        click.confirm("Go on?", abort=True, err=True)

    # click.Abort, as Ctrl-C or the end of input at any click prompt raises it.
    result = invoke(ask, input="n\n")

    assert result.exit_code == 130
    assert result.stderr.endswith(i18n.t("cli.interrupted") + "\n")
    assert i18n.translate_msgid("Aborted!") not in result.stderr


def test_thread_pool_cancels_queued_work_and_running_work_gives_up():
    started, finished = [], []

    def job(number: int, stop: interrupts.StopRequest) -> None:
        started.append(number)
        for _ in range(400):  # 20 s unless stopped
            stop.check()
            time.sleep(0.05)
        finished.append(number)

    with pytest.raises(KeyboardInterrupt), interrupts.thread_pool(2) as (pool, stop):
        futures = [pool.submit(job, n, stop) for n in range(10)]
        while len(started) < 2:
            time.sleep(0.01)
        raise KeyboardInterrupt  # what Ctrl-C raises in the main thread

    assert sorted(started) == [0, 1] and finished == []
    assert all(f.done() for f in futures)  # the running two gave up within the grace period
    assert [f.cancelled() for f in futures] == [False] * 2 + [True] * 8
    assert all(isinstance(f.exception(), KeyboardInterrupt) for f in futures[:2])


def test_next_image_removes_only_its_own_leftovers(workspace: Path, run_cli):
    images = workspace / "dist" / "images"
    images.mkdir(parents=True)
    left = images / ".xa-a.img.q7_2m0xk.part"  # as fsio.atomic_path names it
    mine = [images / "xa-a.img.part", images / ".ghi-chu.part", images / "doc.txt"]
    for path in [left, *mine]:
        path.write_bytes(b"half")

    result = run_cli("-w", str(workspace), "image", "xa-a", "--offline")

    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in images.iterdir()) == sorted(["xa-a.img", *(p.name for p in mine)])


_SIGNAL_AT = """
import atexit, builtins, os, runpy, signal, sys
when, signum, sys.argv = sys.argv[1], getattr(signal, sys.argv[2]), ["broadcast", *sys.argv[3:]]
real_import = builtins.__import__
def importing(name, *args, **kwargs):  # the signal comes while the command line is imported
    if name == "yaml" and when == "import" and not hasattr(importing, "sent"):
        importing.sent = True
        os.kill(os.getpid(), signum)
    return real_import(name, *args, **kwargs)
builtins.__import__ = importing
if when == "exit":  # the command has finished and said so: the interpreter is shutting down
    atexit.register(os.kill, os.getpid(), signum)
if os.environ["ENTRY"] == "script":  # what pip's `broadcast` wrapper does with the entry point
    from importlib.metadata import entry_points
    sys.exit(next(e for e in entry_points(group="console_scripts") if e.name == "broadcast").load()())
runpy.run_module("broadcast", run_name="__main__", alter_sys=True)
"""


@real_signals
@pytest.mark.parametrize("entry", ["module", "script"])
@pytest.mark.parametrize(("when", "signame", "code"), [("import", "SIGINT", 130), ("import", "SIGTERM", 143),
                                                       ("exit", "SIGINT", 0), ("exit", "SIGTERM", 0)])
def test_a_signal_before_or_after_the_command_still_ends_in_one_line(tmp_path, when, signame, code, entry):
    # Without a guard, a signal while the command line is imported (a few hundred
    # milliseconds on an office PC) ended with a traceback or killed by SIGINT; one while the
    # interpreter shut down after a finished command, killed by SIGINT without a word. Both
    # `python -m broadcast` and the installed `broadcast` command start behind the guard.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "BROADCAST_LANG": "vi", "ENTRY": entry}
    done = subprocess.run([sys.executable, "-c", _SIGNAL_AT, when, signame, "--version"], env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=BOUND)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    stopped = i18n.t_in("vi", "cli.interrupted") + "\n"
    assert done.stderr == (stopped if code else "")
    assert (__version__ in done.stdout) == (when == "exit")  # the command ran only when it was not stopped
