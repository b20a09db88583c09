#!/usr/bin/env python3
"""Benchmark: writing a FAT32 image from a plan, against a plain copy and mkfs.fat + mcopy.

    python scripts/bench_fatimage.py [--total-mb 500] [--workdir DIR] [--repeat 3]

Makes a package of MP3-sized random files (1–6 MB each, in three folders), then times
(a) ``plan_image`` + ``write_image`` into an image, (b) a plain copy of the files into a folder
with an fsync per file, as a copy to a stick would do, and (c) ``mkfs.fat -F 32`` + ``mcopy``
into an image of the same size (skipped when dosfstools or mtools is missing). Each is run
``repeat`` times and the best run counts; every run ends with its data on disk (fsync).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from broadcast.export.fat.layout import ImageFile, plan_image, write_image  # noqa: E402

MB = 1_000_000
FOLDERS = ("01_SANG", "02_TRUA", "03_CHIEU")


def make_package(root: Path, total_mb: int, seed: int = 1) -> list[ImageFile]:
    """Random files of 1–6 MB until ``total_mb`` is reached, spread over three folders."""
    rng = random.Random(seed)
    files: list[ImageFile] = []
    written = 0
    while written < total_mb * MB:
        size = rng.randrange(1 * MB, 6 * MB)
        folder = FOLDERS[len(files) % len(FOLDERS)]
        path = f"{folder}/{len(files) // len(FOLDERS) + 1:03d}_thong-diep.mp3"
        source = root / path
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(rng.randbytes(size))
        files.append(ImageFile(path=path, size=size, source=source))
        written += size
    return files


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def run_ours(files: list[ImageFile], out: Path) -> None:
    write_image(plan_image(files, label="BENCH"), out / "ours.img")  # fsyncs before its rename


def run_copy(files: list[ImageFile], out: Path) -> None:
    for f in files:
        target = out / "copy" / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f.source, target)
        _fsync(target)


def run_mtools(files: list[ImageFile], out: Path, size: int, package: Path) -> None:
    image = out / "mtools.img"
    with image.open("wb") as fh:
        fh.truncate(size)
    partition_kib = (size - (1 << 20)) // 1024
    subprocess.run(["mkfs.fat", "-F", "32", "--offset", "2048", "-n", "BENCH", str(image),
                    str(partition_kib)], check=True, capture_output=True)
    sources = [str(package / folder) for folder in FOLDERS]
    subprocess.run(["mcopy", "-s", "-i", f"{image}@@1M", *sources, "::/"], check=True,
                   capture_output=True, env={**os.environ, "MTOOLS_SKIP_CHECK": "1"})
    _fsync(image)


def best_seconds(action: Callable[[Path], None], workdir: Path, repeat: int) -> float:
    """The fastest of ``repeat`` runs, each into a fresh folder removed afterwards."""
    best = float("inf")
    for _ in range(repeat):
        out = Path(tempfile.mkdtemp(dir=workdir, prefix="run-"))
        start = time.perf_counter()
        action(out)
        best = min(best, time.perf_counter() - start)
        shutil.rmtree(out)
    return best


def bench(workdir: Path, total_mb: int = 500, repeat: int = 3) -> dict:
    """Time the three ways over the same package; MB/s are of file contents (10^6 bytes)."""
    package = workdir / "package"
    files = make_package(package, total_mb)
    content_mb = sum(f.size for f in files) / MB
    image_size = plan_image(files, label="BENCH").size
    result: dict = {"files": len(files), "content_mb": round(content_mb, 1),
                    "image_mb": round(image_size / MB, 1)}
    timings = {"ours": best_seconds(lambda out: run_ours(files, out), workdir, repeat),
               "copy": best_seconds(lambda out: run_copy(files, out), workdir, repeat)}
    if shutil.which("mkfs.fat") and shutil.which("mcopy"):
        timings["mtools"] = best_seconds(
            lambda out: run_mtools(files, out, image_size, package), workdir, repeat)
    for name, seconds in timings.items():
        result[f"{name}_s"] = round(seconds, 3)
        result[f"{name}_mb_s"] = round(content_mb / seconds, 1)
    result["ours_vs_copy"] = round(result["ours_mb_s"] / result["copy_mb_s"], 2)
    if "mtools" in timings:
        result["ours_vs_mtools"] = round(result["ours_mb_s"] / result["mtools_mb_s"], 2)
    return result


def table(result: dict) -> str:
    rows = [("write_image (ours)", "ours"), ("plain copy + fsync", "copy"),
            ("mkfs.fat + mcopy", "mtools")]
    lines = [f"{result['files']} files, {result['content_mb']} MB in a {result['image_mb']} MB image",
             "", "| way | seconds | MB/s | ours / this |", "|---|---:|---:|---:|"]
    for label, key in rows:
        if f"{key}_s" in result:
            ratio = round(result["ours_mb_s"] / result[f"{key}_mb_s"], 2)
            lines.append(f"| {label} | {result[f'{key}_s']} | {result[f'{key}_mb_s']} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total-mb", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="where to work (default: a temporary folder)")
    args = parser.parse_args()
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        print(table(bench(args.workdir, args.total_mb, args.repeat)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-fatimage-") as tmp:
        print(table(bench(Path(tmp), args.total_mb, args.repeat)))


if __name__ == "__main__":
    main()
