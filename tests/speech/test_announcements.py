"""The announcement test set: sentences written as provincial and commune offices write them,
each with the text exactly as it must be spoken and the reason (``data/announcements.yaml``).

The set is data so that an editor who finds a wrong reading in a finished clip can add the
sentence, its right reading and why, without writing Python.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml

from broadcast.speech.textprep import prepare

DATA = Path(__file__).resolve().parent / "data" / "announcements.yaml"
CASES = yaml.safe_load(DATA.read_text(encoding="utf-8"))


def _id(index: int, case: dict) -> str:
    return f"{index:03d}-{' '.join(case['text'].split()[:4])}"


def test_the_set_is_large_and_every_case_says_why():
    assert len(CASES) >= 420
    for case in CASES:
        assert set(case) == {"text", "spoken", "why"}, case
        assert case["why"].strip() and case["spoken"].strip(), case
    texts = [case["text"] for case in CASES]
    assert len(set(texts)) == len(texts)  # no sentence counted twice


def test_expectations_are_composed_unicode():
    # An expectation typed in decomposed Unicode would never equal the NFC output.
    for case in CASES:
        assert unicodedata.is_normalized("NFC", case["spoken"]), case["text"]


@pytest.mark.parametrize("case", CASES, ids=[_id(i, c) for i, c in enumerate(CASES)])
def test_announcement_is_read_as_an_announcer_reads_it(case):
    assert prepare(case["text"]) == case["spoken"], case["why"]
