"""Faults, as storage engineers test them: kill broadcast at the exact system calls of a package
swap and of the ledger write (strace's syscall tampering), and at random moments, then check that
nothing half-made stands under a final name, run the command again, and verify.

The campaign has two versions: every trial starts with version 1 in place and asks for version 2,
so a kill can land on either side of the swap. After each kill the package at the final name must
verify and be version 1 or 2 (where the OS has no atomic exchange, a kill between the two renames
leaves the old package aside, and ``verify`` puts it back); after the rerun it must be version 2,
recorded exactly once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import SETTINGS, require_tool, write_workspace

from broadcast.ledger.book import Ledger
from broadcast.trust import verify

SMALL = SETTINGS.replace("end: 2026-11-28", "end: 2026-11-16").replace("minutes: 15", "minutes: 1")
CALLS = "rename,renameat2,pwrite64,fdatasync"


def command(root: Path | None, *args: str) -> list[str]:
    where = ["-w", str(root)] if root is not None else []
    return [sys.executable, "-m", "broadcast", *where, *args]


def environment(state: Path) -> dict[str, str]:
    return {**os.environ, "BROADCAST_LANG": "en", "PYTHONPATH": os.pathsep.join(sys.path),
            "BROADCAST_STATE_DIR": str(state)}


def run(cmd: list[str], state: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, env=environment(state))


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> dict[str, Path]:
    """A campaign published twice: version 1 kept aside (its package, its ledger, a pulled
    copy), version 2 built and published last."""
    base = tmp_path_factory.mktemp("faults")
    state = base / "state"
    root = write_workspace(base / "ws", settings=SMALL)
    store = (base / "kho").as_uri()
    assert run(command(root, "publish", store, "--offline"), state).returncode == 0
    saved = {"package": base / "v1-package", "ledger": base / "v1-ledger.sqlite",
             "pulled": base / "v1-pulled"}
    shutil.copytree(root / "dist" / "packages" / "xa-a", saved["package"])
    shutil.copyfile(root / "ledger.sqlite", saved["ledger"])
    saved["store-v1"] = base / "kho-v1"
    shutil.copytree(base / "kho", saved["store-v1"])
    assert run(command(None, "pull", store, "xa-a", str(saved["pulled"])), state).returncode == 0
    messages = (root / "messages.yaml").read_text(encoding="utf-8")
    (root / "messages.yaml").write_text(messages.replace("việc nhà.", "việc nhà, chăm sóc con."),
                                        encoding="utf-8")
    assert run(command(root, "publish", store, "--offline"), state).returncode == 0
    return {"root": root, "store": Path(store), "state": state, **saved}


def version_of(folder: Path) -> str:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["version"]


class Trial:
    """One fresh copy of the world with version 1 in place, for one command."""

    def __init__(self, kind: str, versions: dict[str, Path], where: Path) -> None:
        self.kind = kind
        self.state = where / "state"
        shutil.copytree(versions["state"], self.state)
        self.root = where / "ws"
        shutil.copytree(versions["root"], self.root, symlinks=True)
        shutil.copyfile(versions["ledger"], self.root / "ledger.sqlite")
        self.old = version_of(versions["package"])
        self.new = version_of(versions["root"] / "dist" / "packages" / "xa-a")
        store = str(versions["store"])
        if kind == "build":
            self.final = self.root / "dist" / "packages" / "xa-a"
            shutil.rmtree(self.final)
            shutil.copytree(versions["package"], self.final)
            self.cmd = command(self.root, "build", "--offline", "-j", "1")
            self.ledger, self.action = self.root / "ledger.sqlite", "build"
        elif kind == "usb":
            self.final = where / "stick" / "xa-a"
            shutil.copytree(versions["package"], self.final)
            self.cmd = command(self.root, "usb", "xa-a", str(self.final.parent), "--replace")
            self.ledger, self.action = self.root / "ledger.sqlite", "usb"
        elif kind == "image":
            from broadcast.export.image import make_image

            self.final = where / "images" / "xa-a.img"
            self.final.parent.mkdir()
            make_image(versions["package"], self.final)
            self.cmd = command(self.root, "image", "xa-a", "-o", str(self.final.parent), "--offline")
            self.ledger, self.action = self.root / "ledger.sqlite", "image"
        elif kind == "publish":
            self.final = where / "kho"
            shutil.copytree(versions["store-v1"], self.final)
            self.cmd = command(self.root, "publish", self.final.as_uri(), "--offline")
            self.ledger, self.action = self.root / "ledger.sqlite", "publish"
        else:
            self.final = where / "pulled" / "xa-a"
            shutil.copytree(versions["pulled"], self.final)
            self.cmd = command(None, "pull", store, "xa-a", str(self.final))
            self.ledger, self.action = self.state / "ledger.sqlite", "pull"

    def check_whole(self) -> str:
        """The final name holds a complete package, old or new; returns its version."""
        if self.kind == "publish":
            return self._check_store()
        assert self.final.exists(), f"{self.final} is missing"
        reports = verify.verify_all(self.final)
        assert all(r.ok for r in reports), [f for r in reports for f in r.findings]
        found = reports[0].manifest.version
        assert found in (self.old, self.new)
        return found

    def _check_store(self) -> str:
        """The pointer names a version whose manifest and every object are in the store."""
        from broadcast.export.cloud import layout
        from broadcast.export.cloud.stores import open_store
        from broadcast.package import manifest as manifest_format

        store = open_store(self.final.as_uri())
        pointer = layout.parse_pointer(store.get_bytes(layout.pointer_key("xa-a")), store.url)
        m = manifest_format.parse(store.get_bytes(pointer["manifest"]).decode("utf-8"), "m")
        for entry in m.files:
            key = (layout.blob_key(entry.sha256) if entry.kind == "audio"
                   else layout.version_key("xa-a", m.version, entry.path))
            found = store.head(key)
            assert found is not None, key
            if found.content_encoding:  # text is stored compressed: its content is what counts
                assert hashlib.sha256(store.get_bytes(key)).hexdigest() == entry.sha256, key
            else:
                assert found.size == entry.size, key
        assert m.version in (self.old, self.new)
        return m.version

    def rerun_and_check(self) -> None:
        again = run(self.cmd, self.state)
        assert again.returncode == 0, again.stdout + again.stderr
        assert self.check_whole() == self.new
        with Ledger(self.ledger) as book:
            assert book.integrity() == "ok"
            rows = Counter((d.action, d.version) for d in book.deliveries())
        assert rows[(self.action, self.new)] == 1, rows  # recorded, and never twice


def strace(cmd: list[str], state: Path, *specs: str, log: Path | None = None) -> subprocess.CompletedProcess:
    args = ["strace", "-f", "-qq", "-y", "-o", str(log or os.devnull), "-e", f"trace={CALLS}"]
    for spec in specs:
        args += ["-e", f"inject={spec}"]
    return subprocess.run(args + cmd, capture_output=True, text=True, env=environment(state))


LINE = re.compile(r"^(\d+)\s+(\w+)\((.*)\)\s+= (-?\d+)")


def kill_points(trial: Trial, log: Path) -> dict[str, str]:
    """From a traced dry run, inject specs that kill at the swap (before it takes effect), at
    each of the two renames after it (on the two-renames road the first falls between the
    renames), and at the first write and the first flush of the ledger record that follows.
    strace delivers the signal on entry to the call, so the call itself never happens."""
    counts: Counter = Counter()
    renames: list[str] = []
    points: dict[str, str] = {}
    for line in log.read_text(errors="replace").splitlines():
        match = LINE.match(line)
        if not match:
            continue
        _, name, args, result = match.groups()
        counts[name] += 1
        spec = f"{name}:signal=SIGKILL:when={counts[name]}"
        if name in ("rename", "renameat2") and int(result) == 0:
            if renames or f'"{trial.final}"' in args:
                renames.append(spec)
        elif renames and "ledger.sqlite" in args and name in ("pwrite64", "fdatasync"):
            points.setdefault(f"ledger {name}", spec)
    names = ["at the swap", "after the swap call", "after the next rename"]
    points |= dict(zip(names, renames[:len(names)], strict=True))
    assert len(points) == 5, points
    return points


@pytest.mark.parametrize("kind", ["pull", "usb", "build"])
@pytest.mark.parametrize("road", ["exchange", "two-renames"])
def test_a_kill_at_every_step_of_the_swap_and_the_record(kind, road, versions, tmp_path):
    require_tool("strace")
    forced = ["renameat2:error=EINVAL"] if road == "two-renames" else []  # as on FAT or Windows
    dry = Trial(kind, versions, tmp_path / "dry")
    log = tmp_path / "dry.trace"
    done = strace(dry.cmd, dry.state, *forced, log=log)
    assert done.returncode == 0, done.stderr
    points = kill_points(dry, log)
    # Where each road can break: the exchange is one call, so before it, right after it and in
    # the record that follows; the two renames leave a moment between them, and the record.
    wanted = (("at the swap", "after the swap call", "ledger pwrite64") if road == "exchange"
              else ("after the swap call", "ledger fdatasync"))
    for name, spec in ((n, points[n]) for n in wanted):
        trial = Trial(kind, versions, tmp_path / name.replace(" ", "-"))
        killed = strace(trial.cmd, trial.state, *forced, spec)
        assert killed.returncode != 0, f"{name}: the kill did not happen"
        if road == "two-renames" and not trial.final.exists():
            # Between the two renames: verify (as the operator runs it) puts the old one back.
            recovered = run(command(None, "verify", str(trial.final)), trial.state)
            assert "put back in place" in recovered.stdout, recovered.stdout + recovered.stderr
        trial.check_whole()
        trial.rerun_and_check()


@pytest.mark.parametrize("kind", ["pull", "usb", "build", "image", "publish"])
def test_random_kills_leave_old_or_new_and_a_rerun_finishes(kind, versions, tmp_path):
    chance = random.Random(f"faults-{kind}")
    for number in range(2):
        trial = Trial(kind, versions, tmp_path / f"trial-{number}")
        process = subprocess.Popen(trial.cmd, env=environment(trial.state), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(chance.uniform(0.3, 1.6))
        with_group(process, signal.SIGKILL)
        trial.check_whole()
        trial.rerun_and_check()


def with_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # finished first: a kill after the end is a case too
        os.killpg(process.pid, sig)
    process.wait(timeout=30)
