#!/usr/bin/env python3
"""Set up .venv with the test extra and run the whole test suite.

    python scripts/test.py            # everything, on all cores
    python scripts/test.py -k render  # extra arguments go to pytest
"""

from __future__ import annotations

import sys

from _venv import ensure, run

if __name__ == "__main__":
    python = ensure("test")
    sys.exit(run(python, "-m", "pytest", "-n", "auto", "--dist", "loadfile", *sys.argv[1:]))
