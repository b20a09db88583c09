"""One commune costs one commune: a command naming a commune plans and writes only that commune,
and leaves every other commune's files exactly as they were (not rewritten, not even touched)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import COMMUNES, MESSAGES, SETTINGS, make_audio, speechlike, write_workspace


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BROADCAST_LANG": "en", "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "broadcast", "-w", str(root), *args], capture_output=True,
                          text=True, env=env)


def state(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file with its inode and modification time: any rewrite or touch changes one."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def test_a_one_commune_build_touches_no_other_communes_files(tmp_path):
    root = tmp_path / "ws"
    make_audio(root / "recordings" / "bru.wav", speechlike(2.0), 2.0)
    settings = SETTINGS.replace("end: 2026-11-28", "end: 2026-11-16").replace("minutes: 15", "minutes: 1")
    messages = MESSAGES + ("  - id: bru-01\n    title: Tảo hôn (tiếng Bru)\n    language: bru\n"
                           "    recording: recordings/bru.wav\n")
    communes = COMMUNES + ("  - id: xa-b\n    name: Xã Lìa\n    province: Quảng Trị\n"
                           "    languages: [vie, bru]\n    slots: [sang]\n")
    write_workspace(root, settings=settings, messages=messages, communes=communes)
    assert run(root, "build", "--offline").returncode == 0
    others = [root / "dist" / "packages" / "xa-b", root / "build" / "schedule" / "xa-b"]
    before = [state(folder) for folder in others]
    # A change that concerns xa-b, then a build of xa-a alone: xa-b is not planned, not written.
    make_audio(root / "recordings" / "bru.wav", speechlike(3.0), 3.0)
    text = (root / "messages.yaml").read_text(encoding="utf-8")
    (root / "messages.yaml").write_text(text.replace("việc nhà.", "việc nhà, chăm con."), encoding="utf-8")
    result = run(root, "build", "--offline", "xa-a")
    assert result.returncode == 0, result.stderr
    assert "xa-a: " in result.stdout and "xa-b" not in result.stdout
    assert [state(folder) for folder in others] == before
    assert run(root, "verify", str(root / "dist" / "packages" / "xa-a")).returncode == 0


def test_a_build_finishes_each_commune_before_it_plans_the_next(tmp_path, monkeypatch):
    """Memory is one commune's plan, not the country's: each commune is planned, written and
    recorded before the next one is planned, and what the build keeps holds no plan."""
    from broadcast import pipeline
    from broadcast.operations import deliver
    from broadcast.operations.campaign import Campaign
    from broadcast.package import contents
    from broadcast.plan import rotation

    root = tmp_path / "ws"
    communes = COMMUNES + "".join(f"  - id: xa-{c}\n    name: Xã {c}\n    province: Quảng Trị\n"
                                  f"    languages: [vie]\n    slots: [sang]\n" for c in "bcd")
    settings = SETTINGS.replace("end: 2026-11-28", "end: 2026-11-16").replace("minutes: 15", "minutes: 1")
    write_workspace(root, settings=settings, communes=communes)
    events: list[str] = []
    walk, write = rotation.walk, contents.write_folder
    monkeypatch.setattr("broadcast.plan.schedule.walk",
                        lambda commune, *a: events.append(f"plan {commune.id}") or walk(commune, *a))
    monkeypatch.setattr(contents, "write_folder",
                        lambda p, *a, **k: events.append(f"write {p.commune.id}") or write(p, *a, **k))
    built = deliver.build(Campaign(root), offline=True)
    ids = ["xa-a", "xa-b", "xa-c", "xa-d"]
    assert events == [e for c in ids for e in (f"plan {c}", f"write {c}")]
    assert [b.commune for b in built] == ids
    assert all(isinstance(b, pipeline.Built) and not hasattr(b, "plan") for b in built)
    assert built[0].manifest().commune["id"] == "xa-a" and built[0].files > 0
