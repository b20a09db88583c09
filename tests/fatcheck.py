"""Independent FAT readers for tests: dissect.fat (a pip package, always), and Debian's
fsck.fat and mtools (installed by CI; a test needing them fails under CI=true if they are missing).

Shared by the image writer's tests and the package tests, so every image is judged the same way.
"""

from __future__ import annotations

import random
import re
import subprocess
from pathlib import Path

from conftest import require_tool
from dissect.fat import FATFS
from dissect.util.stream import RangeStream

from broadcast.export.fat.layout import ImageFile

MIB = 1 << 20
PARTITION = 2048 * 512  # where every image's partition starts


def random_files(root: Path, spec: list[tuple[str, int]], seed: int = 7) -> list[ImageFile]:
    """Random-byte source files with the given image paths and sizes."""
    rng = random.Random(seed)
    files = []
    for number, (path, size) in enumerate(spec):
        source = root / "src" / f"{number:04d}.bin"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(rng.randbytes(size))
        files.append(ImageFile(path=path, size=size, source=source))
    return files


def dissect_entries(image: Path, offset: int = PARTITION,
                    ) -> tuple[list[tuple[str, bool, int, bool]], dict[str, bytes]]:
    """As dissect.fat reads the file system at ``offset``: (path, is_folder, size, hidden or
    system) depth-first in directory order, and every file's contents."""
    found: list[tuple[str, bool, int, bool]] = []
    contents: dict[str, bytes] = {}

    def walk(folder, prefix: str) -> None:
        for entry in folder.iterdir():
            if entry.name in (".", "..") or entry.is_volume_id():
                continue
            path = f"{prefix}{entry.name}"
            folder_ = entry.is_directory()
            found.append((path, folder_, 0 if folder_ else entry.size,
                          entry.is_hidden() or entry.is_system()))
            if folder_:
                walk(entry, path + "/")
            else:
                contents[path] = entry.open().read()

    with image.open("rb") as fh:
        walk(FATFS(RangeStream(fh, offset, image.stat().st_size - offset)).root, "")
    return found, contents


def dissect_read_all(image: Path) -> tuple[list[tuple[str, bool]], dict[str, bytes]]:
    """(path, is_folder) in directory order and file contents; nothing hidden may be there."""
    found, contents = dissect_entries(image)
    assert not [path for path, _, _, hidden in found if hidden]
    return [(path, folder) for path, folder, _, _ in found], contents


def fsck(image: Path, tmp_path: Path) -> tuple[int, int]:
    """Run ``fsck.fat -n`` on the partition; it must say nothing but its summary. (used, total)."""
    tool = require_tool("fsck.fat")
    part = tmp_path / f"{image.name}.part"
    with image.open("rb") as src, part.open("wb") as out:
        src.seek(PARTITION)
        while chunk := src.read(MIB):  # copy sparsely: holes stay holes
            if chunk == bytes(len(chunk)):
                out.seek(len(chunk), 1)
            else:
                out.write(chunk)
        out.truncate()
    run = subprocess.run([tool, "-n", str(part)], capture_output=True, text=True)
    lines = run.stdout.strip().splitlines()
    assert run.returncode == 0, run.stdout + run.stderr
    # Anything between the banner and the summary is a complaint (a backup boot sector that
    # differs is reported with exit code 0, so the code alone is not enough).
    assert len(lines) == 2, run.stdout
    summary = re.fullmatch(r".*: (\d+) files, (\d+)/(\d+) clusters", lines[1])
    assert summary, lines[1]
    part.unlink()
    return int(summary[2]), int(summary[3])


def mdir(image: Path, folder: str) -> list[str]:
    """Long names in a folder, in directory order, as mtools lists them."""
    tool = require_tool("mdir")
    run = subprocess.run([tool, "-b", "-i", f"{image}@@1M", f"::/{folder}"],
                         capture_output=True, text=True, check=True)
    return [line.removeprefix(f"::/{folder}").strip("/") for line in run.stdout.splitlines()]


def mcopy(image: Path, path: str) -> bytes:
    tool = require_tool("mcopy")
    return subprocess.run([tool, "-i", f"{image}@@1M", f"::/{path}", "-"],
                          capture_output=True, check=True).stdout
