"""Bad input, second round (issue 10): more examples of each kind, as offices write them.

Values of the wrong kind where words belong, numbers written with their units, ids that only
look wrong in one character, one mistake told once (no cascade), lexicon entries that would
silently shadow each other, paths that would not travel with the campaign, scripts with
nothing to say. Each runs the real CLI in-process on a copy of the built small campaign:
``check`` in Vietnamese (the default) and ``build --lang en``, both exit 2 naming the file,
line and field, and nothing under build/, dist/ or the ledger changes (``badinput.refused``).
Line numbers are those of conftest's SETTINGS, MESSAGES and COMMUNES.
"""

from __future__ import annotations

import shutil
import unicodedata

import pytest
from badinput import edit, refused, sub

from broadcast.campaign import workspace

BC, MSG, COM, LEX = "broadcast.yaml", "messages.yaml", "communes.yaml", "lexicon.yaml"
CAMPAIGN = "campaign: {id: thu-nghiem, name: Chiến dịch thử nghiệm, start: 2026-11-15, end: 2026-11-16}"


@pytest.fixture
def ws(small_copy):
    return small_copy


def append(text: str):
    return lambda old: old + text


NOT_WORDS = {  # YAML (or Excel) read these as a number, a yes/no or a date: never "True" in a tag
    "organization as a number": ({BC: sub("organization: Ban Dân tộc tỉnh Quảng Trị", "organization: 123")},
                                 (BC, 1, "organization"), "is read as a number"),
    "title as yes/no": ({MSG: sub("title: Phòng, chống tảo hôn", "title: true")},
                        (MSG, 3, "title"), "is read as a yes/no value"),
    "title as a date": ({MSG: sub("title: Phòng, chống tảo hôn", "title: 2026-11-15")},
                        (MSG, 3, "title"), "is read as a date"),
    "province as a number": ({COM: sub("province: Quảng Trị", "province: 45")},
                             (COM, 4, "province"), "is read as a number"),
    "district as yes/no": ({COM: append("    district: false\n")}, (COM, 7, "district"), "yes/no"),
    "campaign name as a number": ({BC: sub("name: Chiến dịch thử nghiệm", "name: 2026")},
                                  (BC, 2, "name"), "is read as a number"),
    "speaker as a decimal": ({MSG: sub("repeat: 2", "repeat: 2\n    speaker: 1.5")},
                             (MSG, 10, "speaker"), "'1.5' is read as a number"),
    "slot title as yes/no": ({BC: sub('sang: {start: "06:00", minutes: 15}',
                                      'sang: {start: "06:00", minutes: 15, title: TRUE}')},
                             (BC, 9, "title"), "'true' is read as a yes/no value"),
    "contact person as a number": ({BC: append("contact: {person: 12, phone: 115}\n")},
                                   (BC, 11, "person"), "is read as a number"),
    "id as yes/no": ({MSG: sub("id: tin-01", "id: false")}, (MSG, 2, "id"), "yes/no"),
    "recording as yes/no": ({MSG: sub("repeat: 2", "repeat: 2\n    recording: true")},
                            (MSG, 10, "recording"), "yes/no"),
    "lexicon reading as yes/no": ({LEX: "words:\n  Zalo: true\n"}, (LEX, 2, "Zalo"), "yes/no"),
    "lexicon key as yes/no": ({LEX: "words:\n  false: sai\n"}, (LEX, 2, "False"), "yes/no"),
}


@pytest.mark.parametrize("name", NOT_WORDS)
def test_values_of_another_kind_where_words_belong(name, ws, run_cli, monkeypatch):
    changes, where, said = NOT_WORDS[name]
    edit(ws, changes)
    vi, en = refused(ws, run_cli, monkeypatch, [where])
    assert said in en and "double quotes" in en and "ngoặc kép" in vi


UNITS = {  # a number written with its unit: the number to write is named
    "repeat in times": ({MSG: sub("repeat: 2", "repeat: 2 lần")}, (MSG, 9, "repeat"), "2"),
    "slot minutes": ({BC: sub("minutes: 15}", "minutes: 15 phút}")}, (BC, 9, "minutes"), "15"),
    "slot fill in percent": ({BC: sub("minutes: 15}", "minutes: 15, fill: 40%}")}, (BC, 9, "fill"), "0.4"),
    "loudness with its unit": ({BC: append("profiles:\n  loa: {target_lufs: -15 LUFS}\n")},
                               (BC, 12, "target_lufs"), "-15"),
    "recording limit in minutes": ({BC: append("recordings: {max_minutes: 10 phút}\n")},
                                   (BC, 11, "max_minutes"), "10"),
    "weight with an x": ({MSG: sub("repeat: 2", "weight: 3x")}, (MSG, 9, "weight"), "3"),
}


@pytest.mark.parametrize("name", UNITS)
def test_numbers_written_with_their_unit_name_the_number_to_write(name, ws, run_cli, monkeypatch):
    changes, where, number = UNITS[name]
    edit(ws, changes)
    vi, en = refused(ws, run_cli, monkeypatch, [where])
    assert f"write only the number, without its unit, for example {number} " in en
    assert f"chỉ ghi số, không ghi đơn vị, ví dụ {number} " in vi


IDS = {  # the id it was probably meant to be, and what was written, as written
    "accented commune id": ({COM: sub("id: xa-a", "id: Xã-A")}, (COM, 2, "id"), "'xa-a'", "Xã-A"),
    "a zero-width space": ({MSG: sub("id: tin-01", "id: tin\u200b-01")}, (MSG, 2, "id"), "'tin-01'",
                           "tin<U+200B>-01"),
    "accented profile name": ({BC: append("profiles:\n  loa-vùng-cao: {target_lufs: -15}\n")},
                              (BC, 12, None), "'loa-vung-cao'", "loa-vùng-cao"),
    "a colon (Windows refuses it)": ({MSG: sub("id: tin-01", "id: 'tin:01'")}, (MSG, 2, "id"), "'tin-01'",
                                     "tin:01"),
    "a trailing dot (Windows drops it)": ({MSG: sub("id: tin-01", "id: tin-01.")}, (MSG, 2, "id"),
                                          "'tin-01'", "tin-01."),
    "a space in the campaign id": ({BC: sub("id: thu-nghiem", "id: thu nghiem")}, (BC, 2, "id"),
                                   "'thu-nghiem'", "thu nghiem"),
    "a decimal, as written": ({MSG: sub("id: tin-01", "id: 1.10")}, (MSG, 2, "id"), "'1-10'", "1.10"),
}


@pytest.mark.parametrize("name", IDS)
def test_bad_ids_suggest_the_id_meant(name, ws, run_cli, monkeypatch):
    changes, where, close, written = IDS[name]
    edit(ws, changes)
    vi, en = refused(ws, run_cli, monkeypatch, [where])
    assert f"'{written}' is not a valid id" in en and f"for example {close}." in en
    assert f"ví dụ: {close}." in vi


ONCE = {  # one mistake, one message: what it causes further down is not complained about
    "a misspelled required field of an inline slot": (
        {COM: sub("slots: [sang, chieu]", "slots:\n      - {name: trua, start: '11:00', minutess: 20}")},
        [(COM, 7, "minutess")], "did you mean 'minutes'?"),
    "a misspelled province": ({COM: sub("province:", "provnce:")}, [(COM, 4, "provnce")],
                              "did you mean 'province'?"),
    "a no-break space after a key": ({MSG: sub("    title: Phòng", "    title\u00a0: Phòng")},
                                     [(MSG, 3, "title<U+00A0>")], "did you mean 'title'?"),
    "broadcast.yaml as a list": ({BC: "- organization: Ban\n- campaign: x\n",
                                  MSG: sub("repeat: 2", "repeat: 9")},
                                 [(BC, 1, None), (MSG, 9, "repeat")], "must hold lines 'name: value'"),
    "the campaign as a list": ({BC: sub(CAMPAIGN, "campaign:\n  - id: thu-nghiem\n  - name: X")},
                               [(BC, 2, "campaign")], "a list ('- …') is written here"),
    "a field indented under the one above": ({COM: sub("    province:", "      province:")},
                                             [(COM, 4, None)], "indentation does not match"),
    "an alias inside itself": ({MSG: "messages: &m\n  - *m\n"}, [(MSG, 1, None)], "points at the item"),
    "a message file listed twice": (
        {BC: sub("signing:", "messages: [messages.yaml, Messages.yaml]\nsigning:")},
        [(BC, 7, "messages")], "is listed twice"),
    "a message file of another kind": ({BC: sub("signing:", "messages: [tin.txt]\nsigning:"), MSG: b""},
                                       [(BC, 7, "messages")], "reads only"),
    "a communes file of another kind": ({BC: append("communes: xa.csv\n")}, [(BC, 11, "communes")],
                                        "reads only"),
}


@pytest.mark.parametrize("name", ONCE)
def test_one_mistake_is_told_once(name, ws, run_cli, monkeypatch):
    changes, expected, said = ONCE[name]
    if changes.get(MSG) == b"":
        (ws / MSG).unlink()
        del changes[MSG]
    edit(ws, changes)
    _, en = refused(ws, run_cli, monkeypatch, expected)
    assert en.count(": error: ") == len(expected), en
    assert said in en and "another colon" not in en and "holds a Tab" not in en


def test_communes_are_not_dropped_when_the_slots_line_is_left_empty(ws, run_cli, monkeypatch):
    edit(ws, {BC: lambda t: t.split("slots:")[0] + "slots:\n"})
    _, en = refused(ws, run_cli, monkeypatch, [(COM, 6, "slots")])
    assert "'sang'" in en and "'chieu'" in en  # each name told, the commune not dropped


def test_lexicon_entries_that_would_shadow_each_other(ws, run_cli, monkeypatch):
    decomposed = unicodedata.normalize("NFD", "TƯ")  # as Word may store it: T, U, a hook
    edit(ws, {LEX: f"words:\n  Zalo: Da lô\n  zalo: Da lo\nabbreviations:\n  TƯ: Trung ương\n"
                   f"  {decomposed}: trung ương\n  UBND: Ủy ban\n  ubnd: u bê\n"})
    _, en = refused(ws, run_cli, monkeypatch, [(LEX, 3, "zalo"), (LEX, 6, None)])
    assert en.count("is the same as") == 2  # words ignore case, abbreviations do not (UBND/ubnd)


def test_a_folder_named_lexicon_yaml_is_not_skipped(ws, run_cli, monkeypatch):
    (ws / LEX).unlink(missing_ok=True)
    (ws / LEX).mkdir()
    _, en = refused(ws, run_cli, monkeypatch, [(LEX, None, None)])
    assert "this is a folder, not a file" in en


def _recording(ws, written: str) -> None:
    (ws / "recordings").mkdir(exist_ok=True)
    shutil.copy(ws / "build" / "clips" / "tin-01.mp3", ws / "recordings" / "a.mp3")
    edit(ws, {MSG: sub("    repeat: 2\n", f"    repeat: 2\n    recording: '{written}'\n")})


@pytest.mark.parametrize("written,said", [
    ("ABSOLUTE", "Write it from the campaign folder: recordings/a.mp3"),
    ("C:\\Thu-am\\a.mp3", "lies outside the campaign folder"),
    ("\\\\may-chu\\chung\\a.mp3", "lies outside the campaign folder"),
])
def test_recording_paths_that_would_not_travel(written, said, ws, run_cli, monkeypatch):
    _recording(ws, str(ws / "recordings" / "a.mp3") if written == "ABSOLUTE" else written)
    _, en = refused(ws, run_cli, monkeypatch, [(MSG, 10, "recording")])
    assert said in en


@pytest.mark.parametrize("line,where", [
    ("messages: [../tin.yaml]", (BC, 7, "messages")), ("communes: /srv/xa.yaml", (BC, 7, "communes"))])
def test_record_files_outside_the_campaign(line, where, ws, run_cli, monkeypatch):
    edit(ws, {BC: sub("signing:", f"{line}\nsigning:")})
    _, en = refused(ws, run_cli, monkeypatch, [where])
    assert "Copy the file into the campaign folder" in en


def test_a_huge_file_is_refused_unread(ws, run_cli, monkeypatch):
    edit(ws, {MSG: append("# " + "x" * (21 << 20) + "\n")})
    _, en = refused(ws, run_cli, monkeypatch, [(MSG, None, None)])
    assert "the file is 21 MB" in en


@pytest.mark.parametrize("text", ["https://ubnd.vn/tin-tuc?id=3", "'lienhe@ubnd-danhoa.gov.vn'",
                                  "www.ubnd.vn, www.tinh.gov.vn"])
def test_a_script_that_is_only_an_address(text, ws, run_cli, monkeypatch):
    edit(ws, {MSG: sub("text: Vợ chồng cùng chia sẻ việc nhà.", f"text: {text}")})
    vi, en = refused(ws, run_cli, monkeypatch, [(MSG, 6, "text")])
    assert "only a web or e-mail address" in en and "địa chỉ trang web" in vi


def test_a_message_on_days_no_slot_has_warns(ws, run_cli):
    edit(ws, {MSG: sub("repeat: 2", "repeat: 2\n    weekdays: [cn]"),
              BC: lambda t: t.replace("minutes: 15}", "minutes: 15, weekdays: [t2, t4]}")})
    result = run_cli("-w", str(ws), "check")
    assert result.exit_code == 0
    assert ("messages.yaml:6: warning: item 'tin-02', field 'weekdays': the message plays only on sun, "
            "and no slot of a commune hearing its language is on those days (the slots are on mon, wed)"
            in result.stderr)


def test_what_offices_write_for_days_times_languages_and_slots_is_read(ws):
    edit(ws, {MSG: lambda t: t.replace("repeat: 2", "repeat: 2\n    weekdays: thứ 2 - thứ 6\n"
                                                    "    language: Tiếng Việt")
              .replace("topics: [tảo hôn]", "topics: [tảo hôn]\n    weekdays: [Mon, Tues, Thurs, chu nhat]")
              .replace("title: Phòng, chống tảo hôn", "title: |\n      Phòng, chống\n      tảo hôn"),
              BC: sub('"06:00"', "6.30"), COM: sub("slots: [sang, chieu]", "slots: sang, chieu")})
    loaded, _ = workspace.load(ws)
    first, second = loaded.messages
    assert second.weekdays == ("mon", "tue", "wed", "thu", "fri") and second.language == "vie"
    assert first.weekdays == ("mon", "tue", "thu", "sun")
    assert first.title == "Phòng, chống tảo hôn"  # one line: playlists and tags hold no breaks
    assert loaded.communes[0].slots[0].start.strftime("%H:%M") == "06:30"
    assert [s.name for s in loaded.communes[0].slots] == ["sang", "chieu"]


def test_numbers_keep_the_form_they_were_written_in(ws):
    edit(ws, {COM: sub("id: xa-a", "id: 1_000"),
              BC: append("contact: {phone: 115}\n")})
    loaded, _ = workspace.load(ws)
    assert loaded.communes[0].id == "1_000" and loaded.settings.contact.phone == "115"
