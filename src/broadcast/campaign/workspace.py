"""Find, load and check a campaign workspace; report every problem at once.

A workspace is a folder with ``broadcast.yaml`` (settings), message files (YAML, CSV or XLSX),
``communes.yaml`` and optionally ``lexicon.yaml``, recordings and jingles. ``load`` returns a
``Workspace`` and the warnings, or raises ``InputProblems`` listing every error and warning.
"""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

from broadcast.campaign import checks
from broadcast.campaign.model import SETTINGS_FILE, Workspace
from broadcast.campaign.reader import Reader
from broadcast.campaign.sections import message_files, read_communes, read_lexicon, read_messages
from broadcast.campaign.settings import (
    builtin_profiles,
    read_named_slots,
    read_profiles,
    read_settings,
)
from broadcast.errors import InputError, InputProblems, Problem

__all__ = ["ENV_VAR", "builtin_profiles", "discover", "init", "load", "sample_dir"]

ENV_VAR = "BROADCAST_WORKSPACE"


def discover(option: str | os.PathLike | None) -> Path:
    """The workspace folder: ``-w/--workspace``, else $BROADCAST_WORKSPACE, else the current folder."""
    chosen = option or os.environ.get(ENV_VAR) or "."
    root = Path(chosen).expanduser().resolve()
    if not (root / SETTINGS_FILE).is_file():
        raise InputError("workspace.not_found", folder=str(root), file=SETTINGS_FILE)
    return root


def sample_dir() -> Path:
    """The shipped sample campaign: inside the wheel, or ``playlists/`` in a source checkout."""
    packaged = Path(str(resources.files("broadcast") / "sample"))
    if (packaged / SETTINGS_FILE).is_file():
        return packaged
    return Path(str(resources.files("broadcast"))).resolve().parents[1] / "playlists"


def init(dest: Path) -> Path:
    """Make a new workspace at ``dest`` from the sample campaign; never overwrite anything."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise InputError("workspace.init_not_empty", folder=str(dest))
    shutil.copytree(sample_dir(), dest, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("build", "dist", ".*"))
    return dest


def load(root: Path) -> tuple[Workspace, list[Problem]]:
    """Read and check the workspace at ``root``. Raises ``InputProblems`` if anything is wrong.

    Every file is read and checked whatever is wrong elsewhere, so one run names every problem;
    what cannot be judged because a file it depends on is unreadable is not complained about.
    """
    reader = Reader(Path(root))
    read = read_settings(reader)
    profiles = read_profiles(reader, read.get("profiles"))
    named = read_named_slots(reader, read.get("slots"), known=read.judged("slots"))
    files = message_files(reader, read.get("messages") if read.readable else None)
    messages = read_messages(reader, files, read.language, read.recordings.folders)
    communes = read_communes(reader, read.get("communes", "communes.yaml"), named)
    lexicon = read_lexicon(reader, read.get("lexicon"))
    if read.judged("profiles"):
        reader.problems += checks.profile_names(messages, profiles, read.get("profile"), read.line_of)
    if read.settings is None or reader.errors():
        raise InputProblems(reader.problems)
    workspace = Workspace(reader.root, read.settings, tuple(messages), tuple(communes), profiles, lexicon)
    reader.problems += checks.cross_checks(workspace)
    if reader.errors():
        raise InputProblems(reader.problems)
    return workspace, reader.problems
