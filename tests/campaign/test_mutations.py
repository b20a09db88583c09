"""Random damage to the sample campaign never gets past the input checks as anything but a clear
answer (issue 10): keys deleted, values of another type, garbage bytes, files cut short, lines
shifted or doubled. Hundreds of rounds, seeded, in-process through the operations layer; every
round ends in a valid campaign (exit 0) or input problems (exit 2), each problem rendered in
full, never another exception (which the CLI would print as its internal-error line)."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from badinput import INTERNAL

from broadcast import i18n
from broadcast.campaign import workspace
from broadcast.errors import InputProblems
from broadcast.operations import prepare
from broadcast.operations.campaign import Campaign

SEED = 20261115
ROUNDS = 300
TEXT_FILES = ("broadcast.yaml", "messages.yaml", "communes.yaml", "lexicon.yaml")
AUDIO_FILES = ("jingles/nhac-hieu.mp3", "jingles/chuong-bao.mp3")
VALUES = ("[a, b]", "{x: 1}", "123", "-5", "1.5e9", "true", "''", "null", "2026-13-45", "[[1], [2]]",
          "ĐCTC", '"mở', "*x", "&a", "!tag", "@", "|", ">-", "- x", "x: y", "\t9", "không", "😀")
KEY_LINE = re.compile(r"^(\s*(?:- )?[^\s#:][^:#]*:)(.*)$")
UNFILLED = re.compile(r"\{[a-z_]+\}")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mutations") / "ws"
    shutil.copytree(workspace.sample_dir(), root, ignore=shutil.ignore_patterns("build", "dist", ".*"))
    return root


def mutate(rng: random.Random, name: str, data: bytes) -> bytes:
    """One random damage of the kinds people and failing disks do."""
    kinds = ["garbage", "truncate"] if name in AUDIO_FILES else [
        "delete_key", "change_type", "change_type", "garbage", "truncate", "shift", "double"]
    kind = rng.choice(kinds)
    if kind == "garbage":
        at = rng.randrange(len(data) + 1)
        return data[:at] + rng.randbytes(rng.randint(1, 16)) + data[at:]
    if kind == "truncate":
        return data[:rng.randrange(len(data) + 1)]
    lines = data.decode("utf-8").split("\n")
    keyed = [i for i, line in enumerate(lines) if KEY_LINE.match(line)]
    i = rng.choice(keyed)
    if kind == "delete_key":
        del lines[i]
    elif kind == "change_type":
        lines[i] = KEY_LINE.sub(lambda m: f"{m.group(1)} {rng.choice(VALUES)}", lines[i])
    elif kind == "shift":
        lines[i] = "  " + lines[i] if rng.random() < 0.5 else lines[i][2:]
    else:
        lines.insert(i, lines[i])
    return "\n".join(lines).encode("utf-8")


def outcome(root: Path) -> int:
    """0 for a valid campaign, 2 for input problems, each checked to be fully told."""
    try:
        prepare.check(Campaign(root))
    except InputProblems as problems:
        assert any(p.is_error for p in problems.problems)
        text = problems.message()
        assert not UNFILLED.search(text), text  # every placeholder filled in
        assert all(p.file for p in problems.problems if p.is_error), text
        return 2
    return 0


def test_random_damage_always_gets_a_clear_answer(sample: Path, run_cli):
    rng = random.Random(SEED)
    pristine = {name: (sample / name).read_bytes() for name in TEXT_FILES + AUDIO_FILES}
    seen = {0: 0, 2: 0}
    for round_ in range(ROUNDS):
        name = rng.choice(TEXT_FILES * 5 + AUDIO_FILES)
        (sample / name).write_bytes(mutate(rng, name, pristine[name]))
        i18n.set_language("vi" if round_ % 2 else "en")
        seen[outcome(sample)] += 1
        if round_ % 50 == 0:  # now and then the whole CLI too: exit 0 or 2, one clear answer
            result = run_cli("-w", str(sample), "check")
            assert result.exit_code in (0, 2)
            assert not any(word in result.stderr for word in INTERNAL), result.stderr
        (sample / name).write_bytes(pristine[name])
    assert seen[2] > ROUNDS // 2 and seen[0] > 10, seen  # the damage bites, and some is harmless
