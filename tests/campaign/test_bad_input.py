"""Every bad input gets a clear answer (issue 10), one test per kind, several examples each.

Each example edits a built campaign's files the way an office writes them wrong, then runs the
real CLI in-process: ``check`` in the user's default language (Vietnamese) and ``build`` in
English. Both must exit 2 with a line naming the file, the line or row and the field, in the
language asked for, with no traceback and no internal-error line, and leave ``build/``,
``dist/`` and the ledger exactly as they were.
"""

from __future__ import annotations

import pytest
from badinput import edit, refused, sub

from broadcast.operations.campaign import Campaign


@pytest.fixture
def ws(small_copy):
    """A copy of the built small campaign (conftest's SETTINGS, MESSAGES, COMMUNES: the line
    numbers below are theirs)."""
    return small_copy


SHAPES = {  # a list or a value where a mapping belongs, a mapping where a value belongs
    "slots as a list": ({"broadcast.yaml": lambda t: t.split("slots:")[0] + "slots:\n  - sang\n  - chieu\n"},
                        [("broadcast.yaml", 8, "slots")]),
    "profiles as a list": ({"broadcast.yaml": lambda t: t + "profiles:\n  - loa: {base: loudspeaker}\n"},
                           [("broadcast.yaml", 11, "profiles")]),
    "speech as a value": ({"broadcast.yaml": sub("speech: {engine: espeak}", "speech: espeak")},
                          [("broadcast.yaml", 5, "speech")]),
    "organization as a mapping": ({"broadcast.yaml": sub("organization: Ban", "organization:\n  ten: Ban")},
                                  [("broadcast.yaml", 1, "organization")]),
    "title as a list": ({"messages.yaml": sub("title: Phòng, chống tảo hôn", "title: [Phòng, chống]")},
                        [("messages.yaml", 3, "title")]),
    "text as a list": ({"messages.yaml": sub("text: Vợ chồng", "text:\n      - Vợ chồng")},
                       [("messages.yaml", 10, "text")]),
    "topics as a mapping": ({"messages.yaml": sub("topics: [tảo hôn]", "topics: {a: tảo hôn}")},
                            [("messages.yaml", 4, "topics")]),
    "a slot as a value": ({"broadcast.yaml": sub('sang: {start: "06:00", minutes: 15}', "sang: 06:00")},
                          [("broadcast.yaml", 9, None)]),
}


@pytest.mark.parametrize("name", SHAPES)
def test_wrong_shapes_are_input_errors_naming_file_line_and_field(name, ws, run_cli, monkeypatch):
    changes, expected = SHAPES[name]
    edit(ws, changes)
    refused(ws, run_cli, monkeypatch, expected)


UNKNOWN_KEYS = {  # nothing written is dropped without a word
    "messages.yaml top key": ({"messages.yaml": lambda t: t + "tin_bo_sung:\n  - id: x\n    title: X\n"},
                              [("messages.yaml", 11, "tin_bo_sung")], ""),
    "misspelled messages key": ({"messages.yaml": sub("messages:", "mesages:")},
                                [("messages.yaml", 1, "mesages")], "messages"),
    "communes.yaml top key": ({"communes.yaml": lambda t: t + "xa_khac:\n  - id: xa-b\n"},
                              [("communes.yaml", 7, "xa_khac")], ""),
    "lexicon key": ({"lexicon.yaml": "abbreviation:\n  ĐCTC: Địa chỉ tin cậy\n"},
                    [("lexicon.yaml", 1, "abbreviation")], "abbreviations"),
    "campaign key": ({"broadcast.yaml": sub("name: Chiến dịch thử nghiệm", "ten: Chiến dịch thử nghiệm")},
                     [("broadcast.yaml", 2, "ten")], ""),
    "schedule key": ({"broadcast.yaml": lambda t: t + "schedule: {jingle_evry: 2}\n"},
                     [("broadcast.yaml", 11, "jingle_evry")], "jingle_every"),
}


@pytest.mark.parametrize("name", UNKNOWN_KEYS)
def test_unknown_keys_at_every_level_are_errors_with_a_hint(name, ws, run_cli, monkeypatch):
    changes, expected, meant = UNKNOWN_KEYS[name]
    edit(ws, changes)
    vi, en = refused(ws, run_cli, monkeypatch, expected)
    if meant:
        assert f"did you mean '{meant}'?" in en and f"có phải ý bạn là '{meant}'?" in vi


DROPPED = {  # content that used to vanish silently
    "lexicon as a list": ({"lexicon.yaml": "- ĐCTC: Địa chỉ tin cậy\n"}, [("lexicon.yaml", 1, None)]),
    "lexicon table as a list": ({"lexicon.yaml": "words:\n  - Zalo\n"}, [("lexicon.yaml", 1, None)]),
    "a lexicon reading left empty": ({"lexicon.yaml": "units:\n  km:\n"}, [("lexicon.yaml", 2, "km")]),
    "no slots for a commune": ({"communes.yaml": sub("slots: [sang, chieu]", "slots: []")},
                               [("communes.yaml", 6, "slots")]),
    "empty messages list": ({"messages.yaml": "messages: []\n"}, [("messages.yaml", 1, None)]),
    "an empty item": ({"communes.yaml": lambda t: t + "  -\n"}, [("communes.yaml", 7, None)]),
}


@pytest.mark.parametrize("name", DROPPED)
def test_nothing_is_dropped_silently(name, ws, run_cli, monkeypatch):
    changes, expected = DROPPED[name]
    edit(ws, changes)
    refused(ws, run_cli, monkeypatch, expected)


def test_lexicon_tables_of_units_document_types_and_issuers_are_read(ws):
    edit(ws, {"lexicon.yaml": "units:\n  ha: héc ta\ndocument_types:\n  KH: kế hoạch\n"
                                    "issuers:\n  BDT: Ban Dân tộc\nwords:\n  Zalo: Da lô\n"})
    ws = Campaign(ws).workspace
    assert ws.lexicon == {"units": {"ha": "héc ta"}, "document_types": {"KH": "kế hoạch"},
                          "issuers": {"BDT": "Ban Dân tộc"}, "words": {"Zalo": "Da lô"}}


def test_every_file_is_checked_whatever_is_wrong_elsewhere(ws, run_cli, monkeypatch):
    edit(ws, {"broadcast.yaml": sub("language: vie", "language: [vie]"),
                    "messages.yaml": sub("repeat: 2", "repeat: hai"),
                    "communes.yaml": sub("province: Quảng Trị", "tinh: Quảng Trị"),
                    "lexicon.yaml": "words: [Zalo]\n"})
    refused(ws, run_cli, monkeypatch, [("broadcast.yaml", 3, "language"), ("messages.yaml", 9, "repeat"),
                                       ("communes.yaml", 4, "tinh"), ("lexicon.yaml", 1, None)])


@pytest.mark.parametrize("settings", ["", "# chỉ có ghi chú\n# không có gì khác\n", "organization: Ban\n",
                                      "campaign:\n"])
def test_missing_required_settings_are_named_even_in_an_empty_file(settings, ws, run_cli, monkeypatch):
    edit(ws, {"broadcast.yaml": settings})
    line = 1 if settings.startswith("campaign:") else None
    _, en = refused(ws, run_cli, monkeypatch, [("broadcast.yaml", line, "campaign")])
    if "organization" not in settings:
        assert "field 'organization': this required field is missing" in en
    assert "id, name, start, end" in en and "0 error" not in en


MISPLACED = {  # errors told where they are, once
    "unclosed quote": ({"messages.yaml": sub("title: Bình đẳng", 'title: "Bình đẳng')},
                       [("messages.yaml", 7, None)]),
    "unclosed single quote": ({"communes.yaml": sub("name: Xã Dân Hóa", "name: 'Xã Dân Hóa")},
                              [("communes.yaml", 3, None)]),
    "quote closed by a later one": ({"messages.yaml": sub("text: UBND xã", 'text: "UBND xã')},
                                    [("messages.yaml", 5, None)]),
    "end before start": ({"broadcast.yaml": sub("end: 2026-11-16", "end: 2026-11-01")},
                         [("broadcast.yaml", 2, "end")]),
    "a NUL byte": ({"messages.yaml": sub("Vợ chồng", "Vợ\x00chồng")}, [("messages.yaml", 10, None)]),
    "a tab": ({"communes.yaml": sub("    province", "\tprovince")}, [("communes.yaml", 4, None)]),
}


@pytest.mark.parametrize("name", MISPLACED)
def test_errors_are_told_where_they_start_without_a_cascade(name, ws, run_cli, monkeypatch):
    changes, expected = MISPLACED[name]
    edit(ws, changes)
    vi, en = refused(ws, run_cli, monkeypatch, expected)
    assert en.count(": error: ") == len(expected), en  # no "expected a list", no cascade
    assert ": warning: " not in en
    for english in ("while scanning", "expected <block end>", "found character", "unacceptable character"):
        assert english not in vi and english not in en


def test_ids_that_differ_only_in_case_collide(ws, run_cli, monkeypatch):
    edit(ws, {"messages.yaml": sub("id: tin-02", "id: TIN-01"),
                    "communes.yaml": lambda t: t + t.replace("communes:\n", "").replace("xa-a", "XA-A")})
    _, en = refused(ws, run_cli, monkeypatch, [("messages.yaml", 6, "id"), ("communes.yaml", 7, "id")])
    assert "messages.yaml:2" in en and "only in upper and lower case" in en


@pytest.mark.parametrize("text", ["'!!! ... ???'", "'😀 🎉 👍'", "'— … —'", "'(((   )))'"])
def test_text_with_nothing_to_speak_is_an_error(text, ws, run_cli, monkeypatch):
    edit(ws, {"messages.yaml": sub("text: Vợ chồng cùng chia sẻ việc nhà.", f"text: {text}")})
    refused(ws, run_cli, monkeypatch, [("messages.yaml", 6, "text")])


def test_a_campaign_of_years_warns(ws, run_cli):
    edit(ws, {"broadcast.yaml": sub("end: 2026-11-16", "end: 2031-11-16")})
    result = run_cli("-w", str(ws), "check")
    assert result.exit_code == 0
    assert ("broadcast.yaml:2: warning: item 'campaign', field 'end': the campaign lasts 1828 days"
            in result.stderr)


def test_windows_device_names_are_refused_as_ids(ws, run_cli, monkeypatch):
    edit(ws, {"messages.yaml": sub("id: tin-02", "id: con"),
              "communes.yaml": sub("id: xa-a", "id: LPT1")})
    refused(ws, run_cli, monkeypatch, [("messages.yaml", 6, "id"), ("communes.yaml", 2, "id")])

