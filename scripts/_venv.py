"""Shared by scripts/test.py and scripts/sample.py: make .venv and install the project into it.

Only the Python standard library is used here, so these scripts run on a fresh machine with
nothing but Python 3.10+ and git, on Windows, macOS and Linux alike.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure(extra: str = "") -> Path:
    """Create .venv if needed and (re)install the project when pyproject.toml changed."""
    if not venv_python().exists():
        print(f"==> creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    spec = f".[{extra}]" if extra else "."
    stamp = VENV / f".installed{('-' + extra) if extra else ''}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + (ROOT / "constraints.txt").read_bytes()
                            + spec.encode()).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        print(f"==> installing broadcast{('[' + extra + ']') if extra else ''} into {VENV}", flush=True)
        subprocess.run([str(venv_python()), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                       check=True)
        # The pinned set constraints.txt holds: what is tested is what an office installs.
        subprocess.run([str(venv_python()), "-m", "pip", "install", "--quiet", "-c", "constraints.txt",
                        "-e", spec], check=True, cwd=ROOT)
        stamp.write_text(digest)
    return venv_python()


def run(python: Path, *args: str, env: dict[str, str] | None = None) -> int:
    return subprocess.run([str(python), *args], cwd=ROOT, env={**os.environ, **(env or {})}).returncode


if __name__ == "__main__":
    sys.exit("import this module from scripts/test.py or scripts/sample.py")
