#!/usr/bin/env python3
"""Set up .venv and run the main job on the shipped sample campaign, offline.

    python scripts/sample.py [FOLDER]     # default folder: ./demo

Copies the sample campaign into FOLDER (once), checks it, renders every clip with the offline
voice, plans the campaign and builds every commune's signed package (dist/packages/<commune>/,
ready for a USB stick). Run it again after editing FOLDER's files: only what changed is redone.

Packages are signed. So that trying the sample never creates or uses the office's real key, the
demo signs with a key of its own kept in .venv/demo-signing.key (outside the campaign folder,
as every private key must be), unless BROADCAST_SIGNING_KEY names another.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from _venv import ROOT, VENV, ensure, run

if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "demo"
    python = ensure()
    key = Path(os.environ.get("BROADCAST_SIGNING_KEY", VENV / "demo-signing.key"))
    env = {"BROADCAST_SIGNING_KEY": str(key)}
    if not (folder / "broadcast.yaml").exists() and run(python, "-m", "broadcast", "init", str(folder)):
        sys.exit(1)
    steps = [["check"], ["build", "--offline"]]
    if not key.exists():
        steps.insert(0, ["keys", "init"])
    for step in steps:
        code = run(python, "-m", "broadcast", "-w", str(folder), *step, env=env)
        if code:
            sys.exit(code)
    print(f"==> clips: {folder / 'build' / 'clips'}; packages: {folder / 'dist' / 'packages'}")
