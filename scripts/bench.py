#!/usr/bin/env python3
"""Benchmarks: what each issue names, side by side with what a user would otherwise do.

    python scripts/bench.py                  # all sections, prints Markdown tables
    python scripts/bench.py --only render    # one section
    python scripts/bench.py --update-readme  # also rewrite the table in README.md

Runs in the test environment (``python scripts/test.py`` makes it): the independent loudness
meter (pyloudnorm) and ffmpeg-normalize come from the ``test`` extra. Every figure comes from one
run on this machine; ratios are what to compare across machines.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

SECTIONS: dict[str, Callable[[Path], list[tuple[str, str]]]] = {}


def section(name: str):
    def register(func):
        SECTIONS[name] = func
        return func
    return register


def broadcast(*args: str, check: bool = True) -> tuple[float, subprocess.CompletedProcess]:
    """Run the real CLI in a subprocess, as a user would; return (seconds, result)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "BROADCAST_LANG": "en"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "broadcast", *args], capture_output=True, text=True,
                          env=env)
    elapsed = time.perf_counter() - start
    if check and done.returncode != 0:
        raise SystemExit(f"broadcast {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return elapsed, done


# --- issue 2: render ------------------------------------------------------------------------

def _sentences() -> list[str]:
    import yaml

    messages = yaml.safe_load((ROOT / "playlists" / "messages.yaml").read_text("utf-8"))["messages"]
    text = " ".join(m["text"] for m in messages if m.get("text"))
    return [s.strip() + "." for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 20]


def generated_campaign(root: Path, count: int = 100) -> Path:
    """A workspace of ``count`` messages of 1–6 sentences (a few seconds to ~40 s each)."""
    from conftest import COMMUNES, SETTINGS, write_workspace

    pool = _sentences()
    items = []
    for i in range(count):
        size = 1 + (i * 7) % 6
        body = " ".join(pool[(i * 5 + k) % len(pool)] for k in range(size))
        items.append(f"  - id: tin-{i:03d}\n    title: Tin số {i}\n    repeat: {1 + i % 2}\n"
                     f"    text: {json.dumps(body, ensure_ascii=False)}\n")
    return write_workspace(root, settings=SETTINGS, messages="messages:\n" + "".join(items),
                           communes=COMMUNES)


def _render_json(root: Path, *extra: str) -> tuple[float, list[dict]]:
    seconds, done = broadcast("-w", str(root), "render", "--offline", "--json", *extra)
    return seconds, json.loads(done.stdout)


def _ffmpeg_normalize(root: Path, out: Path) -> tuple[float, list[Path]]:
    """Normalize the same pre-normalization audio with ffmpeg-normalize (EBU mode, same targets)."""
    from broadcast import audio, render, workspace

    ws, _ = workspace.load(root)
    raw = out / "raw"
    raw.mkdir(parents=True)
    for job in render.plan(ws, offline=True):
        p = job.profile
        sound = audio.trim_silence(audio.decode(render._speech_source(job), rate=p.sample_rate,
                                                tempo=p.tempo), p.silence_threshold_db)
        audio.assemble(sound, p, repeat=job.repeat).export(raw / f"{job.message_id}.wav", format="wav")
    env = {**os.environ, "FFMPEG_PATH": audio.ffmpeg()}
    inputs = sorted(raw.glob("*.wav"))
    start = time.perf_counter()
    subprocess.run(["ffmpeg-normalize", *map(str, inputs), "-nt", "ebu", "-t", "-16", "-tp", "-1.5",
                    "-c:a", "libmp3lame", "-b:a", "128k", "-ar", "44100", "-of", str(out / "norm"),
                    "-ext", "mp3", "-f", "-q"], check=True, env=env,
                   executable=shutil.which("ffmpeg-normalize", path=str(Path(sys.executable).parent)))
    return time.perf_counter() - start, sorted((out / "norm").glob("*.mp3"))


def _errors(paths: list[Path], target: float) -> tuple[float, float]:
    from meter import loudness

    measured = [loudness(p) for p in paths]
    return max(abs(lufs - target) for lufs, _ in measured), max(peak for _, peak in measured)


@section("render")
def bench_render(work: Path) -> list[tuple[str, str]]:
    a = generated_campaign(work / "a")
    cold2, clips = _render_json(a, "--jobs", "2")
    noop, again = _render_json(a)
    assert all(c["cached"] for c in again)
    text = (a / "messages.yaml").read_text("utf-8")
    text = text.replace("title: Tin số 7\n    repeat: 2", "title: Tin số 7\n    repeat: 3")
    (a / "messages.yaml").write_text(text, "utf-8")
    one, changed = _render_json(a)
    assert sum(not c["cached"] for c in changed) == 1
    b = generated_campaign(work / "b")
    cold1, _ = _render_json(b, "--jobs", "1")
    minutes = sum(c["duration"] for c in clips) / 60
    ours_err, ours_peak = _errors([Path(c["path"]) for c in clips], -16.0)
    ffn_time, ffn_paths = _ffmpeg_normalize(a, work / "ffn")
    ffn_err, ffn_peak = _errors(ffn_paths, -16.0)
    return [
        ("campaign", f"{len(clips)} messages, {minutes:.1f} min of audio (offline voice)"),
        ("cold render, --jobs 2", f"{cold2:.1f} s ({minutes * 60 / cold2:.0f}× real time)"),
        ("no-op re-render", f"{noop:.2f} s = {noop / cold2:.3f} × cold"),
        ("one message changed", f"{one:.2f} s = {one / cold2:.3f} × cold"),
        ("--jobs 2 speed-up", f"{cold1 / cold2:.2f}× (cold --jobs 1: {cold1:.1f} s)"),
        ("loudness error, broadcast", f"max |LUFS − target| {ours_err:.2f} LU, max true peak {ours_peak:.2f} dBTP"),
        ("loudness error, ffmpeg-normalize 1.x (EBU, same inputs)",
         f"max |LUFS − target| {ffn_err:.2f} LU, max true peak {ffn_peak:.2f} dBTP ({ffn_time:.1f} s)"),
    ]


# --- output -------------------------------------------------------------------------------

def table(name: str, rows: list[tuple[str, str]]) -> str:
    lines = [f"**{name}**", "", "| measure | result |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines) + "\n"


def update_readme(text: str) -> None:
    readme = ROOT / "README.md"
    body = readme.read_text("utf-8")
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start not in body:
        raise SystemExit("README.md has no bench markers")
    head, rest = body.split(start, 1)
    tail = rest.split(end, 1)[1]
    readme.write_text(f"{head}{start}\n{text}{end}{tail}", "utf-8")


RESULTS = ROOT / "scripts" / "bench_results.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append")
    parser.add_argument("--update-readme", action="store_true")
    args = parser.parse_args()
    stored = json.loads(RESULTS.read_text("utf-8")) if RESULTS.exists() else {}
    for name in args.only or list(SECTIONS):
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            rows = SECTIONS[name](Path(tmp))
        stored[name] = {"date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(), "rows": rows}
        print(table(name, rows), flush=True)
    if args.update_readme:
        RESULTS.write_text(json.dumps(stored, ensure_ascii=False, indent=1) + "\n", "utf-8")
        update_readme("\n".join(
            table(f"{name} (measured {entry['date']} on {entry['cores']} cores)", entry["rows"])
            for name, entry in stored.items() if name in SECTIONS))


if __name__ == "__main__":
    main()
