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
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests"), str(ROOT / "scripts")]

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


# --- issue 2 and 15: render ----------------------------------------------------------------

def _sentences() -> list[str]:
    import yaml

    messages = yaml.safe_load((ROOT / "playlists" / "messages.yaml").read_text("utf-8"))["messages"]
    text = " ".join(m["text"] for m in messages if m.get("text"))
    return [s.strip() + "." for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 20]


def generated_campaign(root: Path, count: int = 100) -> Path:
    """A workspace of ``count`` messages of 1–6 sentences (a few seconds to ~40 s each), each
    after the sample's intro chime, as the sample campaign has them."""
    from conftest import COMMUNES, SETTINGS, write_workspace

    pool = _sentences()
    items = []
    for i in range(count):
        size = 1 + (i * 7) % 6
        body = " ".join(pool[(i * 5 + k) % len(pool)] for k in range(size))
        items.append(f"  - id: tin-{i:03d}\n    title: Tin số {i}\n    repeat: {1 + i % 2}\n"
                     f"    text: {json.dumps(body, ensure_ascii=False)}\n")
    root = write_workspace(root, settings=SETTINGS + "jingles: {intro: chuong-bao.mp3}\n",
                           messages="messages:\n" + "".join(items), communes=COMMUNES)
    shutil.copyfile(ROOT / "playlists" / "jingles" / "chuong-bao.mp3", root / "chuong-bao.mp3")
    return root


def _render_json(root: Path, *extra: str) -> tuple[float, list[dict]]:
    seconds, done = broadcast("-w", str(root), "render", "--offline", "--json", *extra)
    return seconds, json.loads(done.stdout)


CORE = min(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
"""Every CPU comparison runs on this one core: one process against one process."""


def _one_core() -> None:
    if CORE is not None:
        os.sched_setaffinity(0, {CORE})


def _cpu() -> float:
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


ONE_CORE_RENDER = """
import collections, json, os, resource, sys, time
from pathlib import Path
os.sched_setaffinity(0, {int(sys.argv[2])}) if hasattr(os, "sched_setaffinity") else None
start = time.perf_counter()
from broadcast.campaign import workspace
from broadcast.sound import audio, render
runs = collections.Counter()
real = audio._run
def counted(args, *rest, **named):
    runs["lame" if "libmp3lame" in args else "measure" if "ebur128" in " ".join(args) and
         "-i" in args and args[args.index("-i") + 1] != "-" else "other"] += 1
    return real(args, *rest, **named)
audio._run = counted
ws, _ = workspace.load(Path(sys.argv[1]))
results, failures = render.render(render.plan(ws, offline=True), workers=1)
assert not failures and not any(r.cached for r in results), failures
own, child = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"cpu": own.ru_utime + own.ru_stime + child.ru_utime + child.ru_stime,
                  "wall": time.perf_counter() - start, "clips": len(results),
                  "minutes": sum(r.duration for r in results) / 60, "runs": dict(runs),
                  "paths": [r.path for r in results]}))
"""


def _broadcast_one_core(root: Path) -> dict:
    """Render CPU as the clips' processing costs it: the speech is synthesized already (the
    floor does not synthesize either), the clip cache and the learned calibration are not."""
    for made in ("build/cache/clips", "build/clips"):
        shutil.rmtree(root / made, ignore_errors=True)
    (root / "build" / "cache" / "calibration.json").unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", ONE_CORE_RENDER, str(root), str(CORE or 0)],
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout)


def _floor(root: Path, out: Path) -> tuple[float, float]:
    """The one-pass floor: one ffmpeg run per clip from its speech (decode → tempo → high-pass →
    gain → 4× limiter → LAME), repeats looped in. No measuring, so no accuracy: what the
    processing itself costs. Returns (CPU seconds, output minutes)."""
    from mutagen.mp3 import MP3

    from broadcast.campaign import workspace
    from broadcast.sound import audio, render

    ws, _ = workspace.load(root)
    out.mkdir(parents=True)
    before = _cpu()
    for job in render.plan(ws, offline=True):
        p = job.profile
        chain = ",".join([f"aresample={p.sample_rate}", f"atempo={p.tempo}", *audio._highpass(p),
                          *audio._limiter(p, 6.0, p.true_peak_dbtp - 0.5, oversample=4)])
        subprocess.run([audio.ffmpeg(), "-v", "error", "-nostdin", "-stream_loop", str(job.repeat - 1),
                        "-i", str(render._speech_source(job)), "-af", chain,
                        *audio._mp3_output(p, out / f"{job.message_id}.mp3")],
                       check=True, preexec_fn=_one_core)
    minutes = sum(MP3(path).info.length for path in out.glob("*.mp3")) / 60
    return _cpu() - before, minutes


def _ffmpeg_normalize(root: Path, out: Path) -> tuple[float, list[Path]]:
    """Normalize the same pre-normalization audio with ffmpeg-normalize (EBU mode, same targets),
    on one core. Returns its CPU seconds (its own and its ffmpeg runs') and the files."""
    from broadcast.campaign import workspace
    from broadcast.sound import audio, render

    ws, _ = workspace.load(root)
    raw = out / "raw"
    raw.mkdir(parents=True)
    for job in render.plan(ws, offline=True):
        p = job.profile
        sound = audio.trim_silence(audio.decode(render._speech_source(job), rate=p.sample_rate,
                                                tempo=p.tempo), p.silence_threshold_db)
        intro = audio.decode(job.intro, rate=p.sample_rate) if job.intro else None
        audio.assemble(sound, p, repeat=job.repeat, intro=intro).export(raw / f"{job.message_id}.wav",
                                                                        format="wav")
    env = {**os.environ, "FFMPEG_PATH": audio.ffmpeg()}
    inputs = sorted(raw.glob("*.wav"))
    before = _cpu()
    subprocess.run(["ffmpeg-normalize", *map(str, inputs), "-nt", "ebu", "-t", "-16", "-tp", "-1.5",
                    "-c:a", "libmp3lame", "-b:a", "128k", "-ar", "44100", "-of", str(out / "norm"),
                    "-ext", "mp3", "-f", "-q"], check=True, env=env, preexec_fn=_one_core,
                   executable=shutil.which("ffmpeg-normalize", path=str(Path(sys.executable).parent)))
    return _cpu() - before, sorted((out / "norm").glob("*.mp3"))


def _errors(paths: list[Path], target: float) -> str:
    """Loudness error as an independent meter sees it: worst and median, and the highest peak."""
    import statistics

    from meter import loudness

    measured = [loudness(p) for p in paths]
    errors = [abs(lufs - target) for lufs, _ in measured]
    over = sum(1 for e in errors if e > 0.5)
    return (f"worst {max(errors):.2f} LU off target, median {statistics.median(errors):.2f} LU, "
            f"{over} of {len(errors)} clips off by more than 0.5 LU; highest true peak "
            f"{max(peak for _, peak in measured):.2f} dBTP")


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
    ours = _broadcast_one_core(a)
    per_clip = {k: v / ours["clips"] for k, v in ours["runs"].items()}
    floor_cpu, floor_minutes = _floor(a, work / "floor")
    ffn_cpu, ffn_paths = _ffmpeg_normalize(a, work / "ffn")
    ours_rate, floor_rate = ours["cpu"] / ours["minutes"], floor_cpu / floor_minutes
    ffn_rate = ffn_cpu / ours["minutes"]
    return [
        ("campaign", f"{len(clips)} messages after an intro chime, {minutes:.1f} min of audio "
                     "(offline voice)"),
        ("cold render, --jobs 2", f"{cold2:.1f} s ({minutes * 60 / cold2:.0f}× real time)"),
        ("no-op re-render", f"{noop:.2f} s = {noop / cold2:.3f} × cold"),
        ("one message changed", f"{one:.2f} s = {one / cold2:.3f} × cold"),
        ("--jobs 2 speed-up", f"{cold1 / cold2:.2f}× (cold --jobs 1: {cold1:.1f} s)"),
        ("render CPU per output minute, one core: broadcast (speech already synthesized)",
         f"{ours_rate:.2f} s; per clip {sum(per_clip.values()):.2f} ffmpeg runs, of them "
         f"{per_clip.get('lame', 0):.2f} LAME encodes and {per_clip.get('measure', 0):.2f} MP3 measures"),
        ("… one-pass floor (one ffmpeg run per clip: decode → tempo → high-pass → gain → 4× "
         "limiter → LAME; no measuring)", f"{floor_rate:.2f} s"),
        ("… ffmpeg-normalize (EBU mode, same targets, same assembled clips)", f"{ffn_rate:.2f} s"),
        ("broadcast ÷ floor; ÷ ffmpeg-normalize", f"{ours_rate / floor_rate:.2f}× (aim ≤ 1.5); "
                                                   f"{ours_rate / ffn_rate:.2f}×"),
        ("loudness, broadcast (target −16 LUFS, −1.5 dBTP)",
         _errors([Path(path) for path in ours["paths"]], -16.0)),
        ("loudness, ffmpeg-normalize (EBU mode, same targets, same inputs)", _errors(ffn_paths, -16.0)),
    ]


# --- issue 3: schedule and mixdown ---------------------------------------------------------

def _big_workspace(communes: int = 150, messages: int = 100, days: int = 30):
    """A workspace as data: ``communes`` communes with two 30-minute slots, ``messages`` messages."""
    import datetime as dt
    import random

    from broadcast.campaign import model
    from broadcast.campaign.workspace import builtin_profiles
    from broadcast.plan import schedule

    rng = random.Random(3)
    start = dt.date(2026, 11, 15)
    slots = (model.Slot("sang", dt.time(6), 30), model.Slot("chieu", dt.time(17), 30))
    msgs = tuple(model.Message(id=f"tin-{i:03d}", title=f"Tin {i}", language="vie",
                               weight=1.0 + (i % 5 == 0), priority="priority" if i % 25 == 0 else "normal")
                 for i in range(messages))
    places = tuple(model.Commune(id=f"xa-{i:03d}", name=f"Xã {i}", province="Quảng Trị",
                                 languages=("vie",), slots=slots) for i in range(communes))
    settings = model.Settings(organization="Sở", campaign=model.Campaign(
        "bench", "Bench", start, start + dt.timedelta(days=days - 1)),
        schedule=model.ScheduleRules(fill=0.5))
    ws = model.Workspace(Path("."), settings, msgs, places, builtin_profiles())
    clips = {m.id: schedule.ClipInfo(m.id, f"{m.id}.mp3", rng.uniform(20, 90), m.title) for m in msgs}
    return ws, clips, schedule.ClipInfo("_station", "_station.mp3", 4.0, "Nhạc hiệu")


@section("schedule")
def bench_schedule(work: Path) -> list[tuple[str, str]]:
    from broadcast.plan import schedule

    ws, clips, jingle = _big_workspace()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        plan = schedule.plan(ws, clips, jingle)
        best = min(best, time.perf_counter() - start)
    items = sum(len(s.items) for c in plan.communes for d in c.days for s in d.slots)
    plays = schedule.plays(plan)
    equal = [m.id for m in ws.messages if m.weight == 1 and m.priority == "normal"]
    spread = max(max(p[i] for i in equal) - min(p[i] for i in equal) for p in plays.values())
    return [("campaign", "150 communes × 30 days × 2 slots of 30 min, 100 messages"),
            ("planning time (best of 3)",
             f"{best:.2f} s for {items:,} items ({best / 9000 * 1e3:.2f} ms per commune-day-slot)"),
            ("fairness", f"max − min plays of equal-weight messages per commune: {spread}")]


MIXDOWN_SCRIPT = """
import resource, sys, time
from pathlib import Path
parts, dest, how = [Path(p) for p in sys.argv[3:]], Path(sys.argv[1]), sys.argv[2]
start = time.perf_counter()
if how == "broadcast":
    from broadcast.campaign.workspace import builtin_profiles
    from broadcast.sound import audio
    tails = [0.0 if part.name.startswith("jingle") else 0.6 for part in parts]
    audio.join(parts, dest, builtin_profiles()["loudspeaker"], tails)
elif how == "concat":  # what broadcast did before: frames copied as they are
    import imageio_ffmpeg, subprocess
    listing = dest.with_suffix(".txt")
    listing.write_text("".join(f"file '{p}'\\n" for p in parts))
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "concat", "-safe", "0",
                    "-i", str(listing), "-c", "copy", "-y", str(dest)], check=True)
else:
    import imageio_ffmpeg
    from pydub import AudioSegment
    AudioSegment.converter = imageio_ffmpeg.get_ffmpeg_exe()
    whole = AudioSegment.empty()
    for part in parts:
        whole += AudioSegment.from_file(part, format="mp3", codec="mp3")
    whole.export(dest, format="mp3", bitrate="128k")
elapsed = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:  # Linux keeps ru_maxrss across fork+exec (the bench's own size); VmHWM is this process's
    status = open("/proc/self/status").read()
    own = int(status.split("VmHWM:")[1].split()[0])
except (OSError, IndexError):
    pass
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(elapsed, own, child)
"""


def _clip_files(folder: Path, count: int, seconds: float) -> list[Path]:
    """``count`` clips as the renderer makes them (a tone, then 0.6 s of lead-out silence),
    each after a 4 s station jingle that ends on its last note: the slot as the planner lays it."""
    from broadcast.sound import audio

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        for name, source, length, pad in ((f"jingle-{i:03d}", "sine=frequency=660", 4.0, 0.0),
                                          (f"{i:03d}", f"sine=frequency={200 + 10 * i}", seconds, 0.6)):
            path = folder / f"{name}.mp3"
            subprocess.run([audio.ffmpeg(), "-v", "error", "-f", "lavfi", "-i",
                            f"{source}:sample_rate=44100", "-af", f"apad=pad_dur={pad}",
                            "-t", str(length + pad), "-ac", "1", "-c:a", "libmp3lame", "-b:a", "128k",
                            "-y", str(path)], check=True)
            paths.append(path)
    return paths


def _decoded_seconds(path: Path) -> float:
    """Length as a decoder that honours the encoder's delay and padding plays it."""
    from broadcast.sound import audio

    done = subprocess.run([audio.ffmpeg(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1",
                           "-ar", "44100", "-"], capture_output=True, check=True)
    return len(done.stdout) / 2 / 44100


@section("mixdown")
def bench_mixdown(work: Path) -> list[tuple[str, str]]:
    parts = _clip_files(work / "clips", 36, 46.0)  # 30 minutes, 71 joints
    planned = sum(_decoded_seconds(p) for p in parts)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    figures = {}
    for how in ("broadcast", "concat", "pydub"):
        dest = work / f"{how}.mp3"
        done = subprocess.run([sys.executable, "-c", MIXDOWN_SCRIPT, str(dest), how, *map(str, parts)],
                              capture_output=True, text=True, env=env, check=True)
        elapsed, own, child = map(float, done.stdout.split())
        figures[how] = (elapsed, own / 1024, child / 1024,
                       round((_decoded_seconds(dest) - planned) * 1000, 1) or 0.0)
    ours, before, theirs = figures["broadcast"], figures["concat"], figures["pydub"]
    joints = len(parts) - 1
    return [
        ("slot", f"{planned / 60:.0f} minutes: {len(parts) // 2} clips of 46.6 s, each after a 4 s "
                 f"jingle ({joints} joints), 128 kbit/s mono MP3"),
        ("broadcast (frames joined on time, streamed)",
         f"length error {ours[3]:+.1f} ms; peak memory {ours[1]:.0f} MB (python) / {ours[2]:.0f} MB "
         f"(ffmpeg), {ours[0]:.2f} s"),
        ("frames copied as they are (ffmpeg concat; broadcast before issue 15)",
         f"length error {before[3]:+.0f} ms ({before[3] / joints:+.1f} ms per joint); {before[0]:.2f} s"),
        ("pydub, joined in memory and encoded again",
         f"length error {theirs[3]:+.1f} ms; peak memory {theirs[1]:.0f} MB (python) / {theirs[2]:.0f} MB "
         f"(ffmpeg), {theirs[0]:.2f} s"),
        ("ratio", f"peak memory {max(theirs[1:3]) / max(ours[1:3]):.1f}× less,"
                  f" time {theirs[0] / ours[0]:.0f}× less than pydub"),
    ]


# --- issue 4: images ------------------------------------------------------------------------

@section("image")
def bench_image(work: Path) -> list[tuple[str, str]]:
    import bench_fatimage

    r = bench_fatimage.bench(work, total_mb=500, repeat=3)
    rows = [("package", f"{r['files']} files, {r['content_mb']} MB in a {r['image_mb']} MB image"),
            ("broadcast image writer", f"{r['ours_mb_s']} MB/s ({r['ours_s']} s)"),
            ("plain copy to a folder, fsync per file", f"{r['copy_mb_s']} MB/s ({r['copy_s']} s)"),
            ("ours ÷ plain copy", f"{r['ours_vs_copy']}× (aim ≥ 0.5)")]
    if "mtools_mb_s" in r:
        rows += [("mkfs.fat + mcopy", f"{r['mtools_mb_s']} MB/s ({r['mtools_s']} s)"),
                 ("ours ÷ mkfs.fat + mcopy", f"{r['ours_vs_mtools']}×")]
    return rows


# --- issue 5: publish ----------------------------------------------------------------------

def _synthetic_packages(root: Path, communes: int = 150, pool: int = 40, per: int = 25) -> list[Path]:
    """Package folders in the real format: ``per`` clips each, drawn mostly from a shared pool of
    ``pool`` clips (as communes of one province play the same campaign), plus each commune's own
    page, sheet and playlist."""
    import hashlib
    import random

    from broadcast.package.manifest import FileEntry, Manifest

    rng = random.Random(5)
    clips = [rng.randbytes(rng.randrange(80_000, 160_000)) for _ in range(pool)]
    folders = []
    for c in range(communes):
        folder = root / f"xa-{c:03d}"
        entries = []
        chosen = [*rng.sample(range(pool), per - 1), pool - 1 - c % 3]  # a few local variants
        for n, clip in enumerate(chosen):
            path = f"01_1511_sang/{n + 1:03d}_tin-{clip:02d}.mp3"
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(clips[clip])
            entries.append(FileEntry(path, len(clips[clip]), hashlib.sha256(clips[clip]).hexdigest(),
                                     "audio", 60.0, f"Tin {clip}", f"tin-{clip:02d}"))
        for name, kind in (("index.html", "page"), ("lich-phat.csv", "sheet"),
                           ("danh-sach-phat/2026-11-15_sang.m3u8", "playlist")):
            body = f"{name} of commune {c}\n".encode() * 200
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(body)
            entries.append(FileEntry(name, len(body), hashlib.sha256(body).hexdigest(), kind))
        manifest = Manifest(campaign={"id": "bench"}, organization="Sở", commune={"id": folder.name},
                            version=f"v{c}", created="2026-11-10T00:00:00Z", tool="bench",
                            files=tuple(entries))
        (folder / "manifest.json").write_text(manifest.to_json(), "utf-8")
        folders.append(folder)
    return folders


def _naive_sync(endpoint: str, bucket: str, folders: list[Path]) -> tuple[int, int]:
    """What uploading each commune's folder separately does (aws s3 sync into an empty prefix):
    one listing, then every file of every folder."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint)
    requests, sent = 1, 0
    s3.list_objects_v2(Bucket=bucket, Prefix="naive/")
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            data = path.read_bytes()
            s3.put_object(Bucket=bucket, Key=f"naive/{folder.name}/{path.relative_to(folder).as_posix()}",
                          Body=data)
            requests, sent = requests + 1, sent + len(data)
    return requests, sent


@section("publish")
def bench_publish(work: Path) -> list[tuple[str, str]]:
    from broadcast.export.cloud import publish
    from broadcast.export.cloud.stores import open_store

    endpoint = _moto()
    folders = _synthetic_packages(work)
    packages = list(publish.packages_in(folders))
    unique = {}
    for p in packages:
        for f in p.manifest.files:
            unique[f.sha256 if f.kind == "audio" else f"{p.folder.name}/{f.path}"] = f.size
        unique[f"{p.folder.name}/manifest"] = len(p.manifest_bytes)
    unique_bytes = sum(unique.values())
    store = open_store("s3://bench/ours", endpoint_url=endpoint)
    start = time.perf_counter()
    first = publish.publish(store, packages, jobs=8)
    first_time = time.perf_counter() - start
    again_store = open_store("s3://bench/ours", endpoint_url=endpoint)
    again = publish.publish(again_store, packages, jobs=8)
    start = time.perf_counter()
    naive_requests, naive_bytes = _naive_sync(endpoint, "bench", folders)
    naive_time = time.perf_counter() - start
    return [
        ("campaign", f"{len(folders)} communes × 25 clips from a pool of 40 (+ own page, sheet, "
                     f"playlist); unique content {unique_bytes / 1e6:.1f} MB"),
        ("broadcast publish", f"{first.uploaded_bytes / 1e6:.1f} MB uploaded = "
                              f"{first.uploaded_bytes / unique_bytes:.2f} × unique; "
                              f"{first.requests} requests; {first_time:.1f} s"),
        ("each commune's folder separately (aws s3 sync-like)",
         f"{naive_bytes / 1e6:.1f} MB uploaded = {naive_bytes / unique_bytes:.2f} × unique; "
         f"{naive_requests} requests; {naive_time:.1f} s"),
        ("no-change republish",
         f"{again.uploaded_bytes} bytes uploaded, {again.requests} requests (listing only)"),
    ]


# --- issue 15: publish and pull at national scale ----------------------------------------

SCALES = tuple(int(n) for n in os.environ.get("BENCH_SCALES", "17,150,1100").split(","))
"""Communes × 31 days × 3 slots. The 17 are built for real from the sample's clips; larger
sizes are those packages cloned (see ``_clone``): building 1,100 communes here would copy the
station jingle past ext4's 65,000 links per file, some 60 GB (issue 15, item 2)."""
_SCALE: dict[str, object] = {}


def _scale_env() -> dict[str, str]:
    """A signing key and state folder of the bench's own: never the user's."""
    root = _scale_root()
    return {"BROADCAST_SIGNING_KEY": str(root / "signing.key"), "BROADCAST_STATE_DIR": str(root / "state")}


def _scale_root() -> Path:
    if "root" not in _SCALE:
        import atexit

        root = Path(tempfile.mkdtemp(prefix="bench-scale-"))
        atexit.register(shutil.rmtree, root, True)
        _SCALE["root"] = root
    return _SCALE["root"]


def scale_workspace(root: Path, communes: int) -> Path:
    """The sample campaign (31 days) with the offline voice and three slots a day, for
    ``communes`` communes that all speak Vietnamese: they share every clip."""
    shutil.copytree(ROOT / "playlists", root)
    settings = (root / "broadcast.yaml").read_text("utf-8")
    settings = _three_slots(settings.replace("engine: gtts,", "engine: espeak,"))
    (root / "broadcast.yaml").write_text(settings, "utf-8")
    (root / "communes.yaml").write_text(_communes_yaml(communes, groups=(["vie"],)), "utf-8")
    return root


def _scale_run(*args: str) -> None:
    env = {**os.environ, **_scale_env(), "PYTHONPATH": str(ROOT / "src"), "BROADCAST_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "broadcast", *args], capture_output=True, text=True,
                          env=env)
    if done.returncode != 0:
        raise SystemExit(f"broadcast {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def scale_packages(count: int) -> list[Path]:
    """``count`` package folders: the 17 built ones, then clones of them."""
    root = _scale_root()
    built = root / "ws" / "dist" / "packages"
    if not built.exists():
        _scale_run("keys", "init")
        _scale_run("-w", str(scale_workspace(root / "ws", SCALES[0])), "build", "--offline")
    folders = sorted(built.iterdir())
    if count <= len(folders):
        return folders[:count]
    clones = root / f"clones-{count}"
    if not clones.exists():
        links: dict[str, Path] = {}
        for i in range(len(folders), count):
            _clone(folders[i % len(folders)], clones / f"xa-{i:04d}", i, links)
    return folders + sorted(clones.iterdir())


def _clone(source: Path, dest: Path, number: int, links: dict[str, Path]) -> None:
    """A package for commune ``xa-NNNN`` made from ``source``: the same files, hard-linked (to
    a fresh copy whenever one reaches the link limit), and its manifest, naming the new commune,
    signed again."""
    import dataclasses
    import errno

    from broadcast.package import manifest as manifest_format
    from broadcast.trust import signing

    m = manifest_format.parse((source / "manifest.json").read_text("utf-8"), "manifest.json")
    for entry in m.files:
        target = dest / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        origin = links.setdefault(entry.sha256, source / entry.path)
        try:
            os.link(origin, target)
        except OSError as exc:
            if exc.errno != errno.EMLINK:
                raise
            shutil.copyfile(origin, target)
            links[entry.sha256] = target
    commune = {"id": dest.name, "name": f"Xã số {number}", "province": "Quảng Trị"}
    key = _SCALE.setdefault("key", signing.load_key(Path(_scale_env()["BROADCAST_SIGNING_KEY"])))
    signed = signing.sign_manifest(dataclasses.replace(m, commune=commune, signatures=()), key)
    (dest / "manifest.json").write_text(signed.to_json(), "utf-8")


CLOUD_SCRIPT = """
import json, os, sys, tempfile, time
from pathlib import Path
from broadcast.export.cloud import publish, pull
from broadcast.export.cloud.stores import open_store
what, url, endpoint, listed = sys.argv[1:5]
store = open_store(url, endpoint_url=endpoint, addressing="path")
start = time.perf_counter()
if what == "pull":
    done = pull.pull(pull.StoreSource(store), listed, Path(tempfile.mkdtemp()) / listed)
    out = {"files": len(done.manifest.files), "downloaded": done.downloaded}
else:
    folders = [Path(line) for line in Path(listed).read_text().splitlines()]
    packages = publish.packages_in(publish.publish_order(folders))
    done = publish.publish(store, packages, jobs=8, dry_run=what == "plan")
    out = {"uploaded": done.uploaded, "uploaded_bytes": done.uploaded_bytes, "reused": done.reused}
out["seconds"] = time.perf_counter() - start
out["stats"] = dict(store.stats)
out["rss_mb"] = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps(out))
"""


def _cloud(what: str, url: str, endpoint: str, arg: str) -> dict:
    """One publish, plan or pull in a process of its own: its time, peak memory and requests."""
    env = {**os.environ, **_scale_env(), "PYTHONPATH": str(ROOT / "src"), "NO_PROXY": "127.0.0.1"}
    done = subprocess.run([sys.executable, "-c", CLOUD_SCRIPT, what, url, endpoint, arg],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout)
    result["requests"] = sum(v for k, v in result["stats"].items() if not k.startswith("bytes"))
    return result


def _moto() -> str:
    """moto's S3 server, in this process (each publish and pull runs in its own), kept for the
    run: the pull section pulls from what the publish section published."""
    if "endpoint" not in _SCALE:
        import atexit
        import logging

        import boto3
        from moto.server import ThreadedMotoServer

        for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                            "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}.items():
            os.environ[name] = value
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        atexit.register(server.stop)
        host, port = server.get_host_and_port()
        _SCALE["endpoint"] = f"http://{host}:{port}"
        boto3.client("s3", endpoint_url=_SCALE["endpoint"]).create_bucket(Bucket="bench")
    return _SCALE["endpoint"]


def _folders_file(count: int) -> str:
    listed = _scale_root() / f"folders-{count}.txt"
    if not listed.exists():
        listed.write_text("\n".join(map(str, scale_packages(count))))
    return str(listed)


def scale_published(count: int) -> tuple[str, dict]:
    """The store holding ``count`` communes, and what its first publish measured."""
    url = f"s3://bench/scale-{count}"
    if url not in _SCALE:
        _SCALE[url] = _cloud("publish", url, _moto(), _folders_file(count))
    return url, _SCALE[url]


def _text_bytes(folder: Path) -> tuple[int, int, int, int]:
    """One commune version's text: on disk, stored (compressed), page, manifest; and the
    manifest as format 1 (before issue 15) would have written it."""
    import dataclasses

    from broadcast.export.cloud import coding
    from broadcast.package import manifest as manifest_format

    m = manifest_format.parse((folder / "manifest.json").read_text("utf-8"), "manifest.json")
    paths = [folder / e.path for e in m.files if e.kind != "audio"] + [folder / "manifest.json"]
    disk = sum(p.stat().st_size for p in paths)
    stored = sum(len(coding.compress(p.read_bytes())) for p in paths)
    v1 = len(dataclasses.replace(m, format_version=1).to_json().encode("utf-8"))
    return disk, stored, (folder / "index.html").stat().st_size, v1


@section("publish-plan")
def bench_publish_plan(work: Path) -> list[tuple[str, str]]:
    """Publish at three sizes into moto's S3 server: a dry run into an empty store, the first
    publish, a republish with no change."""
    rows = []
    for count in SCALES:
        plan = _cloud("plan", f"s3://bench/plan-{count}", _moto(), _folders_file(count))
        url, first = scale_published(count)
        again = _cloud("publish", url, _moto(), _folders_file(count))
        rows += [(f"{count:,} communes: plan (dry run)",
                  f"{plan['seconds']:.1f} s, peak RSS {plan['rss_mb']:.0f} MB, {plan['requests']} requests"),
                 (f"{count:,} communes: publish",
                  f"{first['seconds']:.1f} s, peak RSS {first['rss_mb']:.0f} MB, "
                  f"{first['uploaded_bytes'] / 1e6:.1f} MB in {first['uploaded']:,} objects, "
                  f"{first['requests']:,} requests"),
                 (f"{count:,} communes: no-change republish",
                  f"{again['seconds']:.1f} s, peak RSS {again['rss_mb']:.0f} MB, "
                  f"{again['uploaded']} uploaded, {again['requests']} requests (listing)")]
    folder = scale_packages(1)[0]
    disk, stored, page_size, v1 = _text_bytes(folder)
    manifest = (folder / "manifest.json").stat().st_size
    return [("campaign", "the sample's messages, offline voice, 31 days × 3 slots; 17 communes built, "
                         "more cloned from them (same files, own manifest)"),
            ("text per commune version", f"{disk / 1e6:.2f} MB on disk (page {page_size / 1e6:.2f} MB, "
                                         f"manifest {manifest / 1e6:.2f} MB; format 1: {v1 / 1e6:.2f} MB); "
                                         f"{stored / 1e6:.2f} MB stored gzip-compressed"),
            *rows]


@section("pull")
def bench_pull(work: Path) -> list[tuple[str, str]]:
    """One commune's pull from stores holding 17, 150 and 1,100 communes."""
    from broadcast.package import manifest as manifest_format

    rows = []
    for count in SCALES:
        url, _ = scale_published(count)
        got = _cloud("pull", url, _moto(), "xa-0000")
        rows.append((f"from {count:,} communes",
                     f"{got['seconds']:.1f} s, peak RSS {got['rss_mb']:.0f} MB, "
                     f"{got['stats']['bytes_down'] / 1e6:.1f} MB in {got['requests']} requests"))
    folder = scale_packages(1)[0]
    m = manifest_format.parse((folder / "manifest.json").read_text("utf-8"), "manifest.json")
    own = (folder / "manifest.json").stat().st_size
    apparent = sum(f.size for f in m.files) + own
    distinct = sum({f.sha256: f.size for f in m.files}.values()) + own
    down = got["stats"]["bytes_down"]
    return [("package", f"{len(m.files):,} files, {apparent / 1e6:.0f} MB as a folder; "
                        f"{distinct / 1e6:.1f} MB distinct content"),
            *rows,
            ("pull bytes ÷ distinct bytes", f"{down / distinct:.2f} (text arrives compressed); "
                                            f"÷ folder size: {down / apparent:.3f}")]


# --- issue 15: one commune costs one commune; packages that do not multiply ----------------------

MEASURED = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
if done.returncode:
    sys.exit(done.stderr[-2000:])
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def measured(*args: str) -> tuple[float, int]:
    """(seconds, peak RSS in KB) of one ``broadcast`` run in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "BROADCAST_LANG": "en"}
    done = subprocess.run([sys.executable, "-c", MEASURED, sys.executable, "-m", "broadcast", *args],
                          capture_output=True, text=True, env=env)
    if done.returncode:
        raise SystemExit(f"broadcast {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    seconds, peak = done.stdout.split()
    return float(seconds), int(peak)


SAMPLE_CHIEU = 'chieu: {start: "17:00", minutes: 30, title: "Buổi chiều"}'


def _three_slots(settings: str) -> str:
    """The sample's settings with a midday slot beside the morning and evening ones."""
    if SAMPLE_CHIEU not in settings:
        raise SystemExit("bench: the sample's evening slot changed; update SAMPLE_CHIEU")
    return settings.replace(SAMPLE_CHIEU, SAMPLE_CHIEU + '\n  trua: {start: "11:00", minutes: 15}')


SAMPLE_LANGUAGES = (["vie", "scb", "bru"], ["vie", "bru"], ["vie", "pac", "tth"], ["vie"])


def _communes_yaml(count: int, groups: tuple[list[str], ...] = SAMPLE_LANGUAGES) -> str:
    """``count`` communes, each with three daily slots, cycling ``groups`` of languages."""
    lines = ["communes:"]
    for n in range(count):
        lines += [f"  - id: xa-{n:04d}", f"    name: Xã số {n}", "    province: Quảng Trị",
                  f"    languages: [{', '.join(groups[n % len(groups)])}]", "    slots: [sang, trua, chieu]"]
    return "\n".join(lines) + "\n"


def _disk(folder: Path) -> int:
    """Bytes a folder takes on disk, each inode once (hard links are not copies)."""
    seen, total = set(), 0
    for path in folder.rglob("*") if folder.exists() else ():
        info = path.lstat()
        if path.is_file() and (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            total += info.st_size
    return total


def _sample_base(work: Path) -> Path:
    """The sample campaign with three slots a day, its clips rendered offline: what every
    size of the scale sections is copied from."""
    base = work / "base"
    broadcast("init", str(base))
    settings = base / "broadcast.yaml"
    settings.write_text(_three_slots(settings.read_text("utf-8")), "utf-8")
    broadcast("-w", str(base), "render", "--offline")
    return base


def _sized(base: Path, work: Path, size: int) -> Path:
    """A copy of ``base`` with ``size`` communes."""
    root = work / f"ws-{size}"
    shutil.copytree(base, root, symlinks=True)
    (root / "communes.yaml").write_text(_communes_yaml(size), "utf-8")
    return root


@section("scale")
def bench_scale(work: Path) -> list[tuple[str, str]]:
    """build, publish and build ONE at three sizes (31 days × 3 slots), from the sample's clips."""
    key = work / "k.key"
    os.environ["BROADCAST_SIGNING_KEY"] = str(key)
    broadcast("keys", "init", "--key", str(key))
    base = _sample_base(work)
    rows, one = [], {}
    for size in SCALES:
        root = _sized(base, work, size)
        seconds, peak = measured("-w", str(root), "build", "--offline")
        packages = root / "dist" / "packages"
        audio = _disk(root / "build" / "clips")
        text = sum(p.stat().st_size for p in packages.rglob("*") if p.is_file() and p.suffix != ".mp3")
        used = _disk(packages) + _disk(root / "build" / "cache" / "links")
        links = max(p.stat().st_nlink for p in (root / "build" / "clips").glob("*.mp3"))
        edited = root / "messages.yaml"  # an edit: every package's creation time moves with it
        before, stat = edited.read_text("utf-8"), edited.stat()
        edited.write_text(before + "# sửa\n", "utf-8")
        one[size], one_kb = measured("-w", str(root), "build", "--offline", "xa-0001")
        edited.write_text(before, "utf-8")  # undone, time included: the packages are current again
        os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        rows += [(f"{size} communes: build all", f"{seconds:.1f} s, peak {peak / 1024:.0f} MB"),
                 (f"{size} communes: disk", f"{used / 1e6:.1f} MB for packages = "
                  f"{used / (audio + text):.2f} × (distinct audio {audio / 1e6:.1f} MB + text "
                  f"{text / 1e6:.1f} MB); most links on one clip: {links:,}"),
                 (f"{size} communes: build ONE after an edit",
                  f"{one[size]:.1f} s, peak {one_kb / 1024:.0f} MB")]
        _keep("scale", rows)
        store = (work / f"store-{size}").as_uri()  # the user's whole command: build (a no-op now), publish
        pub_s, pub_kb = measured("-w", str(root), "publish", store, "--offline")
        rows.append((f"{size} communes: `broadcast publish file://…` after the build",
                     f"{pub_s:.1f} s, peak {pub_kb / 1024:.0f} MB"))
        _keep("scale", rows)
        shutil.rmtree(root)
        shutil.rmtree(work / f"store-{size}")
    small, large = SCALES[0], SCALES[-1]
    rows.append((f"build ONE, {large:,} communes ÷ {small}", f"{one[large] / one[small]:.2f} (aim ≤ 2)"))
    return rows


@section("plan")
def bench_plan(work: Path) -> list[tuple[str, str]]:
    """Plan all, and plan ONE, at the scale section's sizes: `schedule --json` prints the plan
    commune by commune, so its memory should not grow with the country."""
    base = _sample_base(work)
    rows, peaks = [], {}
    for size in SCALES:
        root = _sized(base, work, size)
        seconds, peaks[size] = measured("-w", str(root), "schedule", "--offline", "--json")
        one_s, one_kb = measured("-w", str(root), "schedule", "--offline", "--json", "--commune", "xa-0001")
        printed = len(broadcast("-w", str(root), "schedule", "--offline", "--json", "--commune",
                                "xa-0001")[1].stdout.encode("utf-8"))
        rows += [(f"{size} communes: plan all (`schedule --json`)",
                  f"{seconds:.1f} s, peak {peaks[size] / 1024:.0f} MB"),
                 (f"{size} communes: plan ONE (`--commune`)",
                  f"{one_s:.1f} s, peak {one_kb / 1024:.0f} MB, {printed / 1e6:.1f} MB of JSON")]
        _keep("plan", rows)
        shutil.rmtree(root)
    small, large = SCALES[0], SCALES[-1]
    rows.append((f"plan all peak memory, {large:,} communes ÷ {small}", f"{peaks[large] / peaks[small]:.2f}"))
    return rows


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


def _keep(name: str, rows: list[tuple[str, str]]) -> None:
    """Store a long section's rows as they come: an interrupted run keeps what it measured
    (``--readme-only`` then shows it)."""
    stored = json.loads(RESULTS.read_text("utf-8")) if RESULTS.exists() else {}
    stored[name] = {"date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(), "rows": rows,
                    "partial": True}
    RESULTS.write_text(json.dumps(stored, ensure_ascii=False, indent=1) + "\n", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append")
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument("--readme-only", action="store_true", help="rewrite the README from stored results")
    args = parser.parse_args()
    stored = json.loads(RESULTS.read_text("utf-8")) if RESULTS.exists() else {}
    for name in [] if args.readme_only else args.only or list(SECTIONS):
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            rows = SECTIONS[name](Path(tmp))
        stored[name] = {"date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(), "rows": rows}
        print(table(name, rows), flush=True)
    if args.update_readme or args.readme_only:
        RESULTS.write_text(json.dumps(stored, ensure_ascii=False, indent=1) + "\n", "utf-8")
        update_readme("\n".join(
            table(f"{name} (measured {entry['date']} on {entry['cores']} cores"
                  f"{'; interrupted, rows so far' if entry.get('partial') else ''})", entry["rows"])
            for name, entry in stored.items() if name in SECTIONS))


if __name__ == "__main__":
    main()
