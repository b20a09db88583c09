#!/usr/bin/env python3
"""Set up .venv and run the main job on the shipped sample campaign, offline.

    python scripts/sample.py [FOLDER]     # default folder: ./demo

Copies the sample campaign into FOLDER (once), checks it, renders every clip with the offline
voice, plans the campaign and builds every commune's package (dist/packages/<commune>/, ready for
a USB stick). Run it again after editing FOLDER's files: only what changed is redone.
"""

from __future__ import annotations

import sys
from pathlib import Path

from _venv import ROOT, ensure, run

if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "demo"
    python = ensure()
    if not (folder / "broadcast.yaml").exists() and run(python, "-m", "broadcast", "init", str(folder)):
        sys.exit(1)
    for step in (["check"], ["build", "--offline"]):
        code = run(python, "-m", "broadcast", "-w", str(folder), *step)
        if code:
            sys.exit(code)
    print(f"==> clips: {folder / 'build' / 'clips'}; packages: {folder / 'dist' / 'packages'}")
