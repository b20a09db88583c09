"""Find, load and check a campaign workspace; report every problem at once.

A workspace is a folder with ``broadcast.yaml`` (settings), message files (YAML, CSV or XLSX),
``communes.yaml`` and optionally ``lexicon.yaml``, recordings and jingles. ``load`` returns a
``Workspace`` and the warnings, or raises ``InputProblems`` listing every error and warning.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from broadcast.campaign import checks
from broadcast.campaign.model import (
    SETTINGS_FILE,
    Commune,
    Jingles,
    Message,
    RecordingRules,
    Settings,
    Workspace,
)
from broadcast.campaign.reader import Reader
from broadcast.campaign.sections import message_files, read_communes, read_lexicon, read_messages
from broadcast.campaign.settings import (
    SettingsRead,
    builtin_profiles,
    read_named_slots,
    read_profiles,
    read_settings,
)
from broadcast.errors import InputError, InputProblems, Problem

__all__ = ["ENV_VAR", "Read", "builtin_profiles", "discover", "init", "lexicon_only", "load", "read",
           "sample_dir"]

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


@dataclass
class Read:
    """Everything one reading of a workspace found: the records that are good, as far as the
    files could be read, and every problem."""

    root: Path
    settings: Settings | None
    recordings: RecordingRules
    messages: list[Message]
    communes: list[Commune]
    lexicon: dict[str, dict[str, str]]
    problems: list[Problem]
    workspace: Workspace | None
    """The whole workspace, when nothing is wrong with it."""

    @property
    def jingles(self) -> Jingles:
        return self.settings.jingles if self.settings else Jingles()


def read(root: Path) -> Read:
    """Read and check the workspace at ``root``; never raises for bad input.

    Every file is read and checked whatever is wrong elsewhere, so one run names every problem;
    what cannot be judged because a file it depends on is unreadable is not complained about.
    """
    reader = Reader(Path(root))
    found = read_settings(reader)
    profiles = read_profiles(reader, found.get("profiles"))
    named = read_named_slots(reader, found.get("slots"), known=found.judged("slots"))
    files = _message_files(reader, found)
    messages = read_messages(reader, files, found.language, found.recordings.folders)
    communes = read_communes(reader, found.get("communes", "communes.yaml"), named) if (
        found.judged("communes") or not found.readable) else []
    lexicon = read_lexicon(reader, found.get("lexicon"))
    if found.judged("profiles"):
        reader.problems += checks.profile_names(messages, profiles, found.get("profile"), found.line_of)
    workspace = None
    if found.settings is not None and not reader.errors():
        workspace = Workspace(reader.root, found.settings, tuple(messages), tuple(communes), profiles,
                              lexicon)
        reader.problems += checks.cross_checks(workspace)
    return Read(reader.root, found.settings, found.recordings, messages, communes, lexicon,
                reader.problems, workspace if not reader.errors() else None)


def _message_files(reader: Reader, found: SettingsRead) -> tuple[str, ...]:
    """The message files to read. A broken 'messages:' line was told, and so was a broken
    broadcast.yaml: a default file that is not there is then not complained about too."""
    if not found.readable:
        files = message_files(reader, None)
        return files if (reader.root / files[0]).exists() else ()
    if not found.judged("messages"):
        return ()
    return message_files(reader, found.get("messages"))


def lexicon_only(root: Path) -> tuple[dict[str, dict[str, str]], list[Problem]]:
    """The campaign's lexicon tables and the problems of the lexicon alone: what ``spoken``
    needs, whatever is wrong with the messages or communes. ``broadcast.yaml`` is read only
    for its ``lexicon:`` line (a broken one leaves the default, ``lexicon.yaml``)."""
    reader = Reader(Path(root))
    found = read_settings(reader)
    lexicon_line = [p for p in reader.problems if p.field == "lexicon" and p.is_error]
    reader.problems = list(lexicon_line)
    tables = read_lexicon(reader, found.get("lexicon"))
    return tables, reader.problems


def load(root: Path) -> tuple[Workspace, list[Problem]]:
    """Read and check the workspace at ``root``. Raises ``InputProblems`` if anything is wrong."""
    found = read(root)
    if found.workspace is None:
        raise InputProblems(found.problems)
    return found.workspace, found.problems
