#!/usr/bin/env python3
"""Ask pip whether every pinned package has a wheel on every platform an office may use.

    python scripts/check_wheels.py              # all targets, Python 3.10–3.13
    python scripts/check_wheels.py --keep DIR   # keep the downloaded wheels

Reads ``constraints.txt`` (one ``name==version`` per line, with optional markers) and, for each
target and Python version, runs ``pip download --only-binary=:all: --no-deps`` with that
platform's tags: a package with no wheel there fails, and an office PC would need a compiler.
It needs the package registry, so ``.ci/run`` runs it, and the offline test suite does not.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
TARGETS = {
    # target: (platform tags pip may take, the marker environment it implies)
    "windows-x64": (["win_amd64"], {"sys_platform": "win32", "platform_system": "Windows",
                                     "platform_machine": "AMD64", "os_name": "nt"}),
    "macos-arm64": (["macosx_14_0_arm64"], {"sys_platform": "darwin", "platform_system": "Darwin",
                                            "platform_machine": "arm64", "os_name": "posix"}),
    "macos-x86_64": (["macosx_12_0_x86_64"], {"sys_platform": "darwin", "platform_system": "Darwin",
                                              "platform_machine": "x86_64", "os_name": "posix"}),
    "linux-x86_64": ([f"manylinux_2_{n}_x86_64" for n in (28, 17, 12, 5)] + ["manylinux2014_x86_64"],
                     {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
                      "os_name": "posix"}),
    "linux-aarch64": ([f"manylinux_2_{n}_aarch64" for n in (28, 17)] + ["manylinux2014_aarch64"],
                      {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64",
                       "os_name": "posix"}),
}


def pinned(path: Path) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [Requirement(line) for line in lines if line]


def wanted(requirements: list[Requirement], environment: dict[str, str]) -> list[Requirement]:
    return [r for r in requirements if r.marker is None or Marker(str(r.marker)).evaluate(environment)]


def missing(requirements: list[Requirement], tags: list[str], python: str, dest: Path) -> list[str]:
    """The requirements pip finds no wheel for with these tags: all asked at once, and one by
    one only when that fails, so each missing wheel is named."""
    abi = "cp" + python.replace(".", "")
    base = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
            "--python-version", python, "--implementation", "cp", "--abi", abi, "--abi", "abi3",
            "--abi", "none", "-d", str(dest), *(arg for tag in tags for arg in ("--platform", tag))]
    specs = [f"{r.name}{r.specifier}" for r in requirements]
    if subprocess.run([*base, *specs], capture_output=True, text=True).returncode == 0:
        return []
    return [spec for spec in specs if subprocess.run([*base, spec], capture_output=True).returncode]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--constraints", type=Path, default=ROOT / "constraints.txt")
    parser.add_argument("--keep", type=Path, help="folder to keep the wheels in")
    args = parser.parse_args()
    requirements = pinned(args.constraints)
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        dest = args.keep or Path(scratch)
        for target, (tags, platform) in TARGETS.items():
            for python in PYTHONS:
                environment = {**platform, "python_version": python, "python_full_version": f"{python}.0",
                               "implementation_name": "cpython", "platform_python_implementation": "CPython"}
                lacking = missing(wanted(requirements, environment), tags, python, dest / target / python)
                failures += len(lacking)
                print(f"{target:<14} Python {python}: " + ("every wheel found" if not lacking else
                                                          "NO WHEEL for " + ", ".join(lacking)), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
