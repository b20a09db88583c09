"""Text preparation against the spoken forms a Vietnamese editor would read aloud.

Each golden string was written by hand; the comment above a group says why that reading is the
right one (school and broadcast usage), so a wrong "fix" of the rules shows up here.
"""

from __future__ import annotations

import re
import unicodedata
from importlib import resources

import pytest

from broadcast import i18n
from broadcast.speech.text import vinumber
from broadcast.speech.textprep import RULES, Lexicon, builtin_lexicon, explain, explanation_lines, prepare

# --- vinumber: whole numbers ------------------------------------------------------------
# 5 after a ten is "lăm" (15, 25), 1 after "mươi" is "mốt" and 4 is "tư" (21, 24) while 11 and 14
# keep "một", "bốn"; a lone unit after hundreds takes "linh" (101, 105); an inner group below 100
# voices its empty hundreds ("không trăm"), and empty groups are not said (1.000.000).


@pytest.mark.parametrize(("n", "spoken"), [
    (0, "không"), (5, "năm"), (10, "mười"), (11, "mười một"), (14, "mười bốn"),
    (15, "mười lăm"), (20, "hai mươi"), (21, "hai mươi mốt"), (24, "hai mươi tư"),
    (25, "hai mươi lăm"), (101, "một trăm linh một"), (105, "một trăm linh năm"),
    (110, "một trăm mười"), (1005, "một nghìn không trăm linh năm"),
    (2026, "hai nghìn không trăm hai mươi sáu"), (70_000, "bảy mươi nghìn"),
    (1_000_000, "một triệu"), (1_000_000_000, "một tỷ"),
    (10_500_000, "mười triệu năm trăm nghìn"),
    (1_050_000, "một triệu không trăm năm mươi nghìn"),
    (1_000_000_000_000, "một nghìn tỷ"),
])
def test_number_words(n, spoken):
    assert vinumber.number_words(n) == spoken


def test_digit_and_decimal_readings():
    # Digits one by one use "bốn" and "năm" (never "tư", "lăm"): they are not inside a number.
    assert vinumber.digits_words("0145") == "không một bốn năm"
    # "," is the decimal mark, read "phẩy"; short tails are read as a number, leading zeros
    # as "không" (0,05 is "không phẩy không năm").
    assert vinumber.decimal_words("1,5") == "một phẩy năm"
    assert vinumber.decimal_words("0,05") == "không phẩy không năm"
    assert vinumber.decimal_words("1.234,25") == "một nghìn hai trăm ba mươi tư phẩy hai mươi lăm"


# --- Unicode ----------------------------------------------------------------------------

def test_decomposed_input_gives_the_same_output_as_composed():
    text = "Ủy ban nhân dân xã thông báo: HĐND họp ngày 15/11, tổng đài 1900 1234."
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert prepare(nfd) == prepare(text)
    # And the abbreviation was still found in the decomposed text.
    assert "Hội đồng nhân dân" in prepare(nfd)


# --- lexicon ----------------------------------------------------------------------------

REQUIRED_ABBREVIATIONS = [
    "UBND", "HĐND", "VSTBPN", "VSTBCPN", "BĐG", "THCS", "THPT", "CLB", "MTTQ", "HLHPN", "LHPN",
    "BCĐ", "BHYT", "BHXH", "BLGĐ", "GD&ĐT", "LĐTB&XH", "KT-XH", "ĐTN", "CSGT", "TP.", "TTYT",
    "TYT", "ATTP", "PCCC", "HIV", "NXB",
    # issue 12: abbreviations heard spelled out in finished clips
    "BCH", "HN&GĐ", "PCTT", "TKCN", "NHCSXH", "PCBLGĐ", "ĐCTC",
]


@pytest.mark.parametrize("abbreviation", REQUIRED_ABBREVIATIONS)
def test_builtin_abbreviations_are_expanded(abbreviation):
    spoken = prepare(f"Tin của {abbreviation} xã")
    assert abbreviation not in spoken
    assert spoken == f"Tin của {builtin_lexicon().abbreviations[abbreviation]} xã."


def test_official_expansions():
    # The committee's official name is "Ban Vì sự tiến bộ của phụ nữ", with "của".
    assert builtin_lexicon().abbreviations["VSTBPN"] == "Vì sự tiến bộ của phụ nữ"
    assert prepare("HN&GĐ") == "Hôn nhân và gia đình."


@pytest.mark.parametrize(("table", "keys"), [
    ("document_types", ["QĐ", "NĐ", "TT", "NQ", "CT", "KH", "TB", "CĐ", "TTLT"]),
    ("issuers", ["CP", "TTg", "BTTTT", "UBND", "QH", "BYT", "BGDĐT", "LĐTBXH", "BLĐTBXH", "BCA",
                 "HĐND", "TW"]),
])
def test_document_codes_are_lexicon_data(table, keys):
    assert [key for key in keys if key not in getattr(builtin_lexicon(), table)] == []


def test_every_lexicon_entry_says_where_it_comes_from():
    # Each entry line carries a comment with its source or reason (an editor adding a line to a
    # workspace lexicon sees why the built-in one reads as it does).
    source = resources.files("broadcast") / "data" / "lexicon_vi.yaml"
    entries = [line for line in source.read_text(encoding="utf-8").splitlines()
               if re.match(r"^  [^ #]", line)]
    assert len(entries) > 250
    assert [line for line in entries if " # " not in line] == []


def test_builtin_readings_of_common_abbreviations():
    # Proper names keep their capitals; common nouns are lower case mid-sentence.
    assert prepare("UBND xã và MTTQ xã") == "Ủy ban nhân dân xã và Mặt trận Tổ quốc xã."
    assert prepare("Mang thẻ BHYT đến TYT") == "Mang thẻ bảo hiểm y tế đến trạm y tế."
    # "TP." is "thành phố"; its dot is not a sentence end.
    assert prepare("Về TP. Huế") == "Về thành phố Huế."
    # Vietnamese names of the letters, as health campaigns say "HIV".
    assert prepare("Phòng chống HIV") == "Phòng chống hát i vê."
    assert prepare("Sách, vở, v.v. đều miễn phí") == "Sách, vở, vân vân đều miễn phí."


def test_abbreviations_are_case_sensitive_and_whole_words():
    # "ubnd" in lower case is not the abbreviation; "UBNDX" is another word.
    assert prepare("ubnd UBNDX") == "Ubnd UBNDX."


def test_words_are_case_insensitive():
    assert prepare("Gọi HOTLINE, Hotline hoặc hotline") == (
        "Gọi đường dây nóng, đường dây nóng hoặc đường dây nóng.")


def test_workspace_additions_override_builtins():
    lexicon = builtin_lexicon().extended(
        abbreviations={"UBND": "chính quyền", "BQL": "ban quản lý"},
        words={"Hotline": "số nóng", "zalo": "da lô"})
    assert prepare("UBND và BQL, hotline, Zalo", lexicon) == (
        "Chính quyền và ban quản lý, số nóng, da lô.")
    # The built-in lexicon itself is untouched.
    assert prepare("UBND") == "Ủy ban nhân dân."


def test_workspace_can_add_document_codes():
    # An issuer missing from the built-in table may be a workspace abbreviation; Lexicon.extended
    # also takes issuers and document types.
    assert prepare("Theo 12/QĐ-BQLR") == "Theo mười hai Quyết định BQLR."
    lexicon = builtin_lexicon().extended(abbreviations={"BQLR": "Ban quản lý rừng"})
    assert prepare("Theo 12/QĐ-BQLR", lexicon) == (
        "Theo mười hai Quyết định của Ban quản lý rừng.")
    lexicon = builtin_lexicon().extended(issuers={"BQLR": "Ban quản lý rừng phòng hộ"},
                                         document_types={"PL": "Pháp lệnh"})
    assert prepare("Theo 3/PL-BQLR", lexicon) == (
        "Theo ba Pháp lệnh của Ban quản lý rừng phòng hộ.")


def test_decomposed_workspace_entries_still_match():
    lexicon = builtin_lexicon().extended({unicodedata.normalize("NFD", "BQLDỰÁN"): "ban dự án"})
    assert prepare("BQLDỰÁN", lexicon) == "Ban dự án."


def test_lexicon_rejects_entries_that_are_not_text():
    with pytest.raises(TypeError, match="UBND"):
        Lexicon({"UBND": None}, {})


# --- rule 1: whitespace and typography --------------------------------------------------

def test_whitespace_quotes_bullets_and_ampersand():
    # NBSP and zero-width spaces come with text copied from Word.
    text = ("  Tham gia   “Ngày hội”\u00a0đầy đủ\u200b,  Nam & Nữ\n"
            "• Mang theo giấy tờ\n- Đến đúng giờ")
    assert prepare(text) == (
        'Tham gia "Ngày hội" đầy đủ, Nam và Nữ. Mang theo giấy tờ. Đến đúng giờ.')


def test_ellipsis_is_a_pause():
    # Before a capital it ends a sentence; otherwise it is a comma-length pause.
    assert prepare("Giấy tờ… Hãy mang theo") == "Giấy tờ. Hãy mang theo."
    assert prepare("Sách, vở... đã phát") == "Sách, vở, đã phát."


def test_dash_between_numbers_or_dates_is_den():
    # "–" between two dates or numbers is read "đến" (from … to …).
    assert prepare("Từ 15/11 – 15/12") == (
        "Từ ngày mười lăm tháng mười một đến ngày mười lăm tháng mười hai.")
    assert prepare("Thứ 2 - Thứ 6, 7h-9h") == "Thứ hai đến Thứ sáu, bảy giờ đến chín giờ."
    # A dash between words is only a pause.
    assert prepare("Kinh tế – xã hội") == "Kinh tế, xã hội."


# --- rule 3: phone numbers --------------------------------------------------------------
# Read digit by digit ("bốn", "năm", never "tư", "lăm"), a comma between printed groups so the
# voice pauses where a listener writes the number down.

@pytest.mark.parametrize(("written", "spoken"), [
    ("0912 345 678", "không chín một hai, ba bốn năm, sáu bảy tám"),
    ("0912.345.678", "không chín một hai, ba bốn năm, sáu bảy tám"),
    ("0912-345-678", "không chín một hai, ba bốn năm, sáu bảy tám"),
    ("0912345678", "không chín một hai, ba bốn năm, sáu bảy tám"),
    ("0232 3822 123", "không hai ba hai, ba tám hai hai, một hai ba"),
    ("1800 1567", "một tám không không, một năm sáu bảy"),
    ("1800.1567", "một tám không không, một năm sáu bảy"),
    ("+84 912 345 678", "cộng tám bốn, chín một hai, ba bốn năm, sáu bảy tám"),
])
def test_phone_numbers(written, spoken):
    assert prepare(f"Liên hệ {written} ngay") == f"Liên hệ {spoken} ngay."


def test_numbers_after_a_cue_word_are_phone_numbers():
    assert prepare("Tổng đài 111") == "Tổng đài một một một."
    assert prepare("Gọi 113, gọi số 115") == "Gọi một một ba, gọi số một một năm."
    assert prepare("SĐT: 1022") == "Số điện thoại: một không hai hai."
    # Not after "kêu gọi" (to call on), and a house number after "số" stays a number.
    assert prepare("Kêu gọi 100 hộ, nhà số 12") == "Kêu gọi một trăm hộ, nhà số mười hai."


def test_a_phone_number_followed_by_a_count():
    # Only the ten digits are the phone number; "15" is then read as a number.
    assert prepare("Gọi 0912 345 678 15 lần") == (
        "Gọi không chín một hai, ba bốn năm, sáu bảy tám mười lăm lần.")


# --- rule 4: dates ----------------------------------------------------------------------
# Days 1–10 take "mùng"; month 4 is "tư"; years are whole numbers ("hai nghìn không trăm hai
# mươi sáu"); "ngày" is added unless the text already says it.

@pytest.mark.parametrize(("written", "spoken"), [
    ("15/11/2026", "ngày mười lăm tháng mười một năm hai nghìn không trăm hai mươi sáu"),
    ("ngày 15/11/2026", "ngày mười lăm tháng mười một năm hai nghìn không trăm hai mươi sáu"),
    ("2026-11-15", "ngày mười lăm tháng mười một năm hai nghìn không trăm hai mươi sáu"),
    ("15/11", "ngày mười lăm tháng mười một"),
    ("01/4", "ngày mùng một tháng tư"),
    ("ngày 10/01", "ngày mùng mười tháng một"),
    ("24/12", "ngày hai mươi tư tháng mười hai"),
    ("tháng 11/2026", "tháng mười một năm hai nghìn không trăm hai mươi sáu"),
    ("tháng 4", "tháng tư"),
    ("ngày 5 tháng 4", "ngày mùng năm tháng tư"),
    ("29/2/2028", "ngày hai mươi chín tháng hai năm hai nghìn không trăm hai mươi tám"),
])
def test_dates(written, spoken):
    assert prepare(f"Họp {written} tại xã") == f"Họp {spoken} tại xã."


@pytest.mark.parametrize("invalid", ["32/12/2026", "15/13", "31/4", "29/2/2026"])
def test_invalid_dates_are_left_alone(invalid):
    assert prepare(f"Mã {invalid} cũ") == f"Mã {invalid} cũ."


# --- rule 5: times ----------------------------------------------------------------------
# Hours are whole numbers followed by "giờ"; minutes take "phút", which is not doubled.

@pytest.mark.parametrize(("written", "spoken"), [
    ("17:00", "mười bảy giờ"),
    ("17h", "mười bảy giờ"),
    ("17h00", "mười bảy giờ"),
    ("17h30", "mười bảy giờ ba mươi phút"),
    ("7g30", "bảy giờ ba mươi phút"),
    ("6 giờ 30", "sáu giờ ba mươi phút"),
    ("6 giờ 30 phút", "sáu giờ ba mươi phút"),
    ("6 giờ 05", "sáu giờ năm phút"),
])
def test_times(written, spoken):
    assert prepare(f"Lúc {written} sáng") == f"Lúc {spoken} sáng."


def test_impossible_times_are_left_alone():
    assert prepare("Lúc 25:00") == "Lúc 25:00."


# --- rule 6: percentages ----------------------------------------------------------------

def test_percentages():
    assert prepare("30% hộ") == "Ba mươi phần trăm hộ."
    assert prepare("12,5% hộ") == "Mười hai phẩy năm phần trăm hộ."
    assert prepare("30-40% hộ") == "Ba mươi đến bốn mươi phần trăm hộ."


# --- rule 7: numbers, units, ordinals, codes --------------------------------------------
# "." separates thousands and "," is the decimal mark; zero-padded counts ("04 lớp") are plain
# numbers.

@pytest.mark.parametrize(("written", "spoken"), [
    ("1.500", "một nghìn năm trăm"),
    ("50.000.000", "năm mươi triệu"),
    ("10.500.000", "mười triệu năm trăm nghìn"),
    ("1.000.000.000", "một tỷ"),
    ("1,5", "một phẩy năm"),
    ("04", "bốn"),
    ("0", "không"),
])
def test_numbers(written, spoken):
    assert prepare(f"Có {written} người") == f"Có {spoken} người."


def test_units_after_numbers():
    # "đồng/người" is said "đồng mỗi người" ("một người" can be heard as a count); units are
    # only read after a number, so the list marker "đ)" is left alone.
    assert prepare("Phí 50.000đ/người, cách 5 km, rộng 2ha") == (
        "Phí năm mươi nghìn đồng mỗi người, cách năm ki-lô-mét, rộng hai héc-ta.")
    assert prepare("đ) Trẻ em") == "Đ) Trẻ em."


@pytest.mark.parametrize(("written", "spoken"), [
    # "thứ 1" is "thứ nhất"; 4 after "thứ" is "tư" for weekdays and ranks alike.
    ("thứ 1", "thứ nhất"), ("thứ 2", "thứ hai"), ("thứ 4", "thứ tư"), ("thứ 14", "thứ mười bốn"),
])
def test_ordinals(written, spoken):
    assert prepare(f"Ngày {written} tuần này") == f"Ngày {spoken} tuần này."


def test_codes_mixing_letters_and_digits_are_left_alone():
    assert prepare("Cúm H5N1, lớp 10A1") == "Cúm H5N1, lớp 10A1."


def test_vinumber_roman_ranks_and_months():
    assert [vinumber.roman_value(r) for r in ("I", "IV", "IX", "XIV", "XXI", "XCIX")] == [
        1, 4, 9, 14, 21, 99]
    # Not numerals: badly formed, or letters used as labels ("Phần C", "mục D", "L").
    assert [vinumber.roman_value(r) for r in ("IIII", "VV", "IC", "C", "D", "M", "L", "")] == [
        None] * 8
    assert [vinumber.rank_words(n) for n in (1, 2, 3, 4, 5)] == ["nhất", "nhì", "ba", "tư", "năm"]
    assert vinumber.month_words(1) == "một" and vinumber.month_words(1, lunar=True) == "giêng"
    assert vinumber.month_words(12, lunar=True) == "chạp" and vinumber.month_words(4) == "tư"


def test_document_numbers_are_read_as_newsreaders_do():
    # "Nghị định 56/2020/NĐ-CP" is said "Nghị định năm mươi sáu năm hai nghìn không trăm hai
    # mươi của Chính phủ": the type is already said, the issuer code becomes "của …".
    assert prepare("Theo Nghị định 56/2020/NĐ-CP") == (
        "Theo Nghị định năm mươi sáu năm hai nghìn không trăm hai mươi của Chính phủ.")
    assert prepare("Quyết định 123/QĐ-UBND") == (
        "Quyết định một trăm hai mươi ba của Ủy ban nhân dân.")


# --- rule 8: sentence ends --------------------------------------------------------------

def test_the_text_ends_with_terminal_punctuation():
    assert prepare("Đã nghe") == "Đã nghe."
    assert prepare("Đã nghe,") == "Đã nghe."
    assert prepare("Đã nghe!") == "Đã nghe!"
    assert prepare("") == ""


def test_lines_are_joined_into_sentences():
    # A heading gets a period; a line continued in lower case gets a comma. (The heading in
    # capitals is lowered: see lower_capitals.)
    text = "THÔNG BÁO\nMang theo CCCD\nvà sổ hộ khẩu\n\nHết"
    assert prepare(text) == "Thông báo. Mang theo căn cước công dân, và sổ hộ khẩu. Hết."


# --- everything together ----------------------------------------------------------------

def test_whole_sentence():
    text = ("UBND xã tổ chức 04 lớp cho gần 1.000 người từ ngày 15/11/2026, gọi đường dây nóng "
            "1800 1567 hoặc 0912.345.678; 35,5% hộ dân đã nghe.")
    assert prepare(text) == (
        "Ủy ban nhân dân xã tổ chức bốn lớp cho gần một nghìn người từ ngày mười lăm tháng "
        "mười một năm hai nghìn không trăm hai mươi sáu, gọi đường dây nóng một tám không "
        "không, một năm sáu bảy hoặc không chín một hai, ba bốn năm, sáu bảy tám; ba mươi lăm "
        "phẩy năm phần trăm hộ dân đã nghe.")


def test_prepared_text_has_no_digits_left_to_guess():
    text = "Từ 7h30 ngày 01/12/2026, thứ 2, 1.500 hộ (30%) gọi 0912345678."
    assert not any(c.isdigit() for c in prepare(text))


def test_every_rule_is_a_text_to_text_function():
    lexicon = builtin_lexicon()
    for rule in RULES:
        assert isinstance(rule("Văn bản 1", lexicon), str), rule.__name__


# --- explanations ------------------------------------------------------------------------

def test_explain_says_which_rule_or_entry_changed_each_span():
    explanation = explain("Ban VSTBPN xã: gọi 111 trước 17h")
    found = [(s.change.before, s.change.after, s.rule, s.change.entries)
             for s in explanation.steps]
    assert found == [
        ("VSTBPN", "Vì sự tiến bộ của phụ nữ", "expand_abbreviations",
         (("abbreviations", "VSTBPN"),)),
        ("111", "một một một", "read_phone_numbers", ()),
        ("17h", "mười bảy giờ", "read_times", ()),
    ]
    assert explanation.spoken == "Ban Vì sự tiến bộ của phụ nữ xã: gọi một một một trước mười bảy giờ."


def test_explain_prepares_exactly_what_prepare_does():
    # The explanation is recorded by the rules themselves, so it cannot drift from them.
    texts = ["Nghị định 56/2012/NĐ-CP của Chính phủ", "Quý IV/2025, -2°C, 50.000đ/hộ, thứ 2, 4",
             "Gọi 113 khi có trộm, 114 khi có cháy", "", "Không có số nào"]
    for text in texts:
        assert explain(text).spoken == prepare(text)
    assert explain("Không có số nào").steps == ()


def test_explanation_lines_name_the_source_in_both_languages():
    lexicon = builtin_lexicon().extended(abbreviations={"ĐCTC": "địa chỉ an toàn"})
    explanation = explain("ĐCTC và VSTBPN, theo 56/2012/NĐ-CP, gọi 111", lexicon)
    i18n.set_language("en")
    lines = explanation_lines(explanation, lexicon)
    assert "ĐCTC → địa chỉ an toàn   [campaign lexicon.yaml: ĐCTC]" in lines
    assert "VSTBPN → Vì sự tiến bộ của phụ nữ   [lexicon: VSTBPN]" in lines
    assert ("56/2012/NĐ-CP → năm mươi sáu năm hai nghìn không trăm mười hai Nghị định của Chính "
            "phủ   [rule: document number (read_document_numbers); lexicon: NĐ, CP]") in lines
    assert lines[-1] == f"Spoken: {explanation.spoken}"
    i18n.set_language("vi")
    vi = explanation_lines(explanation, lexicon)
    assert "VSTBPN → Vì sự tiến bộ của phụ nữ   [từ điển: VSTBPN]" in vi
    assert "111 → một một một   [quy tắc: số điện thoại, số tổng đài (đọc từng chữ số) " \
           "(read_phone_numbers)]" in vi
    assert explanation_lines(explain("Chào bà con.")) == [
        "Không có gì phải đổi: máy đọc đúng như chữ viết.", "Lời đọc: Chào bà con."]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_rule_has_a_description_for_explanations(lang):
    catalog = i18n.catalog(lang)
    assert [r.__name__ for r in RULES if f"textprep.rule.{r.__name__}" not in catalog] == []
