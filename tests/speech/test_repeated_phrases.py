"""No prepared text says a phrase twice that its input does not repeat.

A rule that adds words (a document's issuer, a type, an expansion) can say what the sentence
already says: "Nghị định 56/2012/NĐ-CP của Chính phủ" once became "… của Chính phủ của Chính
phủ". This test reads every prepared text of the shipped sample and of the announcement test set
and finds phrases said more often than written.

Numbers are compared by position, not by words: each run of number words in the spoken text
("mười lăm tháng mười một năm …") and each number in the input count as one "#", so a date
written twice is allowed to be said twice, and a number is not a repeated phrase because its
reading happens to repeat ("một một một").
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from broadcast.speech.text import vinumber
from broadcast.speech.textprep import Lexicon, builtin_lexicon, prepare

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "playlists"
ANNOUNCEMENTS = Path(__file__).resolve().parent / "data" / "announcements.yaml"

# Words a number, a date, a time, a sign or an ordinal is read with.
NUMBER_WORDS = frozenset((
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười", "mươi",
    "trăm", "nghìn", "ngàn", "triệu", "tỷ", "linh", "lăm", "mốt", "tư", "phẩy", "mùng", "nhất",
    "nhì", "giêng", "chạp", "âm", "cộng", "ngày", "tháng", "giờ", "phút", "độ", "phần"))


def _abstract(text: str) -> list[str]:
    # Lower-case words, every run of numbers and number words as one "#".
    words: list[str] = []
    for token in re.findall(r"\w+", text.casefold()):
        word = "#" if token in NUMBER_WORDS or any(c.isdigit() for c in token) else token
        if not (word == "#" and words and words[-1] == "#"):
            words.append(word)
    return words


def _written(text: str, lexicon: Lexicon) -> str:
    # The input with its lexicon abbreviations, words and units written out: a phrase the
    # input abbreviates twice ("UBND xã … UBND xã", "100 mm … 300 mm") is written twice. So is
    # a range written twice ("2021-2025 … 2026-2030" is "# đến #" twice), a "per" slash
    # ("%/tháng … %/năm") and a Roman numeral ("giải I … giải III" is "giải #" twice).
    table = {**lexicon.units, **lexicon.abbreviations, **lexicon.words}
    keys = "|".join(map(re.escape, sorted(table, key=len, reverse=True)))
    folded = {key.casefold(): value for key, value in table.items()}
    text = re.sub(rf"(?i)(?<!\w)(?:{keys})(?!\w)", lambda m: folded[m[0].casefold()], text)
    text = re.sub(r"(?<=[\d%C])\s*[-–—]\s*(?=-?\d)", " đến ", text)
    text = re.sub(r"/(?=[^\W\d_])", " mỗi ", text)
    return re.sub(r"(?<!\w)[IVXLC]+(?!\w)",
                  lambda m: "1" if vinumber.roman_value(m[0]) else m[0], text)


def _ngrams(words: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def _back_to_back(words: list[str]) -> set[tuple[str, ...]]:
    # Phrases of two words or more said twice in a row ("Nghị định Nghị định").
    return {tuple(words[i:i + n]) for n in range(2, 9) for i in range(len(words) - 2 * n + 1)
            if words[i:i + n] == words[i + n:i + 2 * n]}


def repeated_phrases(text: str, spoken: str, lexicon: Lexicon) -> list[str]:
    """Phrases of three words or more said more often than the input writes them, and phrases
    of two words or more said twice in a row where the input does not repeat them so."""
    said, written = _abstract(spoken), _abstract(_written(text, lexicon))
    wrote = _ngrams(written, 3)
    found = {g for g, count in _ngrams(said, 3).items() if count > 1 and count > wrote[g]}
    found |= _back_to_back(said) - _back_to_back(written)
    return sorted(" ".join(g) for g in found)


def _sample_texts() -> list[tuple[str, str, Lexicon]]:
    messages = yaml.safe_load((SAMPLE / "messages.yaml").read_text(encoding="utf-8"))["messages"]
    extra = yaml.safe_load((SAMPLE / "lexicon.yaml").read_text(encoding="utf-8"))
    lexicon = builtin_lexicon().extended(extra.get("abbreviations"), extra.get("words"))
    return [(m["id"], m["text"], lexicon) for m in messages if m.get("text")]


def _announcements() -> list[tuple[str, str, Lexicon]]:
    cases = yaml.safe_load(ANNOUNCEMENTS.read_text(encoding="utf-8"))
    return [(f"announcement-{i:03d}", case["text"], builtin_lexicon())
            for i, case in enumerate(cases)]


TEXTS = _sample_texts() + _announcements()


def test_every_text_of_the_sample_and_the_test_set_is_checked():
    assert len(_sample_texts()) >= 15 and len(TEXTS) >= 410


@pytest.mark.parametrize(("name", "text", "lexicon"), TEXTS, ids=[t[0] for t in TEXTS])
def test_no_phrase_is_said_twice_that_the_input_does_not_repeat(name, text, lexicon):
    assert repeated_phrases(text, prepare(text, lexicon), lexicon) == []


# The check itself must be able to fail.

def test_the_check_finds_an_issuer_said_twice():
    text = "Nghị định 56/2012/NĐ-CP của Chính phủ"
    spoken = ("Nghị định năm mươi sáu năm hai nghìn không trăm mười hai của Chính phủ của Chính "
              "phủ.")
    assert repeated_phrases(text, spoken, builtin_lexicon()) == ["của chính phủ"]


def test_the_check_finds_a_type_said_twice_in_a_row():
    text = "Nghị định 56/2012/NĐ-CP"
    spoken = "Nghị định Nghị định năm mươi sáu năm hai nghìn không trăm mười hai."
    assert repeated_phrases(text, spoken, builtin_lexicon()) == ["nghị định"]


def test_the_check_allows_what_the_input_repeats():
    text = "Gọi Tổng đài 111. Xin nhắc lại: gọi Tổng đài 111. UBND xã và UBND xã bạn."
    assert repeated_phrases(text, prepare(text), builtin_lexicon()) == []
    # …but not a number said twice where it was written once.
    assert repeated_phrases("Gọi 113 ngay", "Gọi một một ba ngay gọi một một ba ngay.",
                            builtin_lexicon()) == ["gọi # ngay"]
