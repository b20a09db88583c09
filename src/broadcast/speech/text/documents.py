"""Text-preparation rules for document numbers and Roman numerals.

A document number is read as officials read it: the number as a quantity, then the year, the
document type and the issuing body, each said once. "Quyết định số 135/QĐ-TTg" is "Quyết định số
một trăm ba mươi lăm của Thủ tướng Chính phủ" (the type was just said); "Nghị định
56/2012/NĐ-CP của Chính phủ" does not say "của Chính phủ" twice; "số 12/2025/TT-BTTTT" alone
says the type: "số mười hai năm hai nghìn không trăm hai mươi lăm Thông tư của Bộ Thông tin và
Truyền thông"; a law's "QH11" is "Quốc hội khóa mười một". Types and issuers are lexicon data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, partial
from typing import TYPE_CHECKING

from broadcast.speech.text import vinumber as vn
from broadcast.speech.text.base import Entry, from_lexicon, sentence_bounds, sub

if TYPE_CHECKING:
    from broadcast.speech.text.lexicon import Lexicon

_PART = r"[A-ZĐ][\w&]*"
# "56/2012/NĐ-CP", "135/QĐ-TTg", "73/2006/QH11", "123/UBND-VX".
_STATE = re.compile(rf"(?<![\w/.,&-])(\d+)(?:/(\d{{4}}))?/({_PART}(?:-{_PART})*)(?![\w&/-])")
# Party documents put the type before the slash: "21-NQ/TW", "05-CT/TU" (QĐ 66-QĐ/TW).
_PARTY = re.compile(rf"(?<![\w/.,&-])(\d+)-({_PART})/({_PART})(?![\w&/-])")
# A type and issuer named without a number: "theo TT-BTTTT".
_CODE = re.compile(rf"(?<![\w/.,&-])({_PART})-({_PART}(?:-{_PART})*)(?![\w&/-])")
# Only the National Assembly and its Standing Committee number their terms in codes.
_TERM = re.compile(r"(?<![\w/&-])(QH|UBTVQH)(\d{1,2})(?![\w&/-])")
_WITH_TERM = re.compile(r"(\D+?)(\d{1,2})")


@dataclass
class _Said:
    """What the document numbers of one sentence have said so far, and where they stood."""

    sentence: tuple[int, int] = (-1, -1)
    spans: list[tuple[int, int]] = field(default_factory=list)
    types: list[tuple[int, str]] = field(default_factory=list)
    issuers: set[str] = field(default_factory=set)


def read_document_numbers(text: str, lexicon: Lexicon) -> str:
    """Document numbers: "56/2012/NĐ-CP" → "năm mươi sáu năm hai nghìn không trăm mười hai"
    and the type and issuer when the sentence does not already say them (see the module).
    A type's code written before the number is the type's name: "QĐ số 55/QĐ-UBND" →
    "Quyết định số năm mươi lăm của Ủy ban nhân dân"."""
    text = _read_type_codes(text, lexicon)
    for pattern in (_STATE, _PARTY, _CODE):
        text = sub(pattern, partial(_document, lexicon=lexicon, said=_Said()), text)
    return sub(_TERM, lambda m: _term(m, lexicon), text)


@cache
def _type_codes(codes: tuple[str, ...]) -> re.Pattern[str] | None:
    # Only before "số" and a number, or before a document number ("NĐ 78/2002/NĐ-CP"): "TT",
    # "KH" or "CT" elsewhere may be a town ("TT Khe Sanh") or anything else.
    if not codes:
        return None
    alternation = "|".join(map(re.escape, sorted(codes, key=len, reverse=True)))
    return re.compile(rf"(?<![\w/&-])({alternation})(?=\s+(?:số\s*:?\s*\d|\d+(?:/\d{{4}})?[/-]{_PART}))")


def _read_type_codes(text: str, lexicon: Lexicon) -> str:
    pattern = _type_codes(tuple(lexicon.document_types))
    if pattern is None:
        return text
    return sub(pattern, lambda m: from_lexicon(lexicon.document_types[m[1]],
                                               ("document_types", m[1])), text)


def _document(m: re.Match[str], lexicon: Lexicon, said: _Said) -> str:
    number, year, codes = _pieces(m)
    parts = [_part(code, lexicon) for code in codes]
    types = [p for p in parts if p.kind == "type"]
    issuers = [p for p in parts if p.kind == "issuer"]
    if m.re is _CODE and (parts[0].kind != "type" or len(issuers) != len(parts) - 1):
        return m[0]  # "KT-XH" and other dashed words are not document codes
    if not types and not issuers:
        return m[0]
    parts = _kept(parts)
    issuers = [p for p in parts if p.kind == "issuer"]
    bounds = sentence_bounds(m.string, m.start(), m.end())
    if said.sentence != bounds:
        said.sentence, said.spans, said.types, said.issuers = bounds, [], [], set()
    before = _masked(m.string, bounds[0], m.start(), said.spans)
    after = m.string[m.end():bounds[1]]
    spoken = [] if _type_just_before(before, lexicon) else [
        p for p in types if _last_type(before, bounds[0], lexicon, said) != p.spoken]
    named = [p for p in issuers if not _is_said(p, before, after, said)]
    said.types += [(m.start(), p.spoken) for p in spoken]
    said.issuers.update(p.name for p in named)
    said.spans.append(m.span())
    words = [vn.number_words(int(number))] if number else []
    words += ["năm", vn.number_words(int(year))] if year else []
    words += [p.spoken for p in spoken]
    words += ["của " + _joined([p.spoken for p in named])] if named else []
    words += [p.spoken for p in parts if p.kind == "unknown"]
    return from_lexicon(" ".join(words), *(p.entry for p in spoken + named if p.entry))


def _joined(names: list[str]) -> str:
    # "Bộ Tư pháp, Bộ Y tế và Bộ Lao động…", as a list is said.
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} và {names[-1]}"


def _kept(parts: list[_Part]) -> list[_Part]:
    # The codes after the first issuer are the drafting office's ("256/UBND-VX",
    # "789/SLĐTBXH-BTXH"): no announcer reads them, and a synthesizer would only spell them.
    # Only a joint document ("liên tịch": "TTLT-BTP-BYT") has more issuers, all read. A code
    # before the issuer may be a type or issuer a campaign has not named yet: kept as written.
    first = next((i for i, p in enumerate(parts) if p.kind == "issuer"), len(parts))
    joint = any(p.kind == "type" and "liên tịch" in p.spoken for p in parts)
    return parts[:first + 1] + [p for p in parts[first + 1:] if joint and p.kind == "issuer"]


def _type_just_before(before: str, lexicon: Lexicon) -> bool:
    # "Quy định 102-QĐ/TW", "Thông báo kết luận số 88-TB/TU": the writer named the document
    # right before its number; the type in the code is not said again (nor contradicted:
    # Party rules are numbered "QĐ" like decisions).
    names = (*lexicon.document_types, *lexicon.document_types.values())
    return bool(_just_before(tuple(names)).search(before))


@cache
def _just_before(names: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
    return re.compile(rf"(?i)(?<!\w)(?:{alternation})\s+(?:số\s*)?:?\s*$")


def _pieces(m: re.Match[str]) -> tuple[str | None, str | None, list[str]]:
    # (number, year, codes) of a match of any of the three document patterns.
    if m.re is _CODE:
        return None, None, [m[1], *m[2].split("-")]
    if m.re is _PARTY:
        return m[1], None, [m[2], m[3]]
    return m[1], m[2], m[3].split("-")


@dataclass(frozen=True)
class _Part:
    kind: str  # "type", "issuer" or "unknown"
    spoken: str  # "Nghị định", "Quốc hội khóa mười một", or the code as written
    name: str = ""  # the issuer without its term: "Quốc hội"
    entry: Entry | None = None


def _part(code: str, lexicon: Lexicon) -> _Part:
    if code in lexicon.document_types:
        return _Part("type", lexicon.document_types[code], entry=("document_types", code))
    issuer = _issuer(code, lexicon)
    if issuer:
        return _Part("issuer", issuer[0], issuer[0], issuer[1])
    term = _WITH_TERM.fullmatch(code)
    issuer = _issuer(term[1], lexicon) if term else None
    if term and issuer:
        return _Part("issuer", f"{issuer[0]} khóa {vn.number_words(int(term[2]))}", issuer[0],
                     issuer[1])
    return _Part("unknown", code)


def _issuer(code: str, lexicon: Lexicon) -> tuple[str, Entry] | None:
    # An issuer missing from the issuers table may be a workspace abbreviation ("SYT"). A code
    # typed all in capitals ("QĐ-TTG") is the issuer whose code it spells.
    for table in ("issuers", "abbreviations"):
        spoken = getattr(lexicon, table).get(code)
        if spoken:
            return spoken, (table, code)
    if code.isupper():
        key = _capitalised(tuple(lexicon.issuers)).get(code)
        if key:
            return lexicon.issuers[key], ("issuers", key)
    return None


@cache
def _capitalised(codes: tuple[str, ...]) -> dict[str, str]:
    return {code.upper(): code for code in codes if not code.isupper()}


def _masked(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    # The sentence before a document number, without the earlier document numbers: what they
    # said is tracked in ``_Said``, not read from their raw codes.
    chars = list(text[start:end])
    for a, b in spans:
        a, b = max(a - start, 0), max(b - start, 0)
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _last_type(before: str, offset: int, lexicon: Lexicon, said: _Said) -> str | None:
    # The document type named last before this number: in the words, or by an earlier number.
    names = {**{k.casefold(): v for k, v in lexicon.document_types.items()},
             **{v.casefold(): v for v in lexicon.document_types.values()}}
    found = [(offset + m.start(), names[m[0].casefold()])
             for m in _any_of(tuple(names)).finditer(before)]
    found += said.types
    return max(found)[1] if found else None


# "…/TT-BTTTT của Bộ TTTT", "…/QĐ-UBND ngày 15/5/2025 của UBND tỉnh", "90/QĐ-TTg năm 2022 của
# Thủ tướng": the text names the issuer itself right after the number (perhaps after its date
# or year), in whatever words.
_ISSUER_NAMED = re.compile(r"\s*(?:(?:ngày|năm)\s+[\d/.-]+\s*)?,?\s*của\s+[A-ZĐÀ-Ỹ]")


def _is_said(issuer: _Part, before: str, after: str, said: _Said) -> bool:
    if issuer.name in said.issuers or _ISSUER_NAMED.match(after):
        return True
    code = issuer.entry[1] if issuer.entry else ""
    pattern = re.compile(rf"(?i:(?<!\w){re.escape(issuer.name)}(?!\w))"
                         rf"|(?<![\w&]){re.escape(code)}(?![\w&])")
    return bool(pattern.search(before) or pattern.search(after))


@cache
def _any_of(names: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)


def _term(m: re.Match[str], lexicon: Lexicon) -> str:
    issuer = _issuer(m[1], lexicon)
    if issuer is None:
        return m[0]
    return from_lexicon(f"{issuer[0]} khóa {vn.number_words(int(m[2]))}", issuer[1])


# Words after which capital I, V, X, L are a Roman numeral ("khóa XV", "thế kỷ XXI", "Quý IV").
# Outside them a capital "V" or "X" is a letter or an abbreviation and is left alone.
ROMAN_CONTEXTS = ("khóa", "khoá", "thế kỷ", "thế kỉ", "quý", "phần", "chương", "mục", "điều",
                  "kỳ", "kì", "lần", "thứ", "giai đoạn", "đại hội", "hạng", "giải", "tập",
                  "phụ lục", "đợt", "cấp độ", "cấp", "loại", "nhóm", "vùng", "khu vực",
                  "quân khu", "bài", "tuần", "bậc")
_NUMERAL = r"[IVXLC]+"
_LIST_SEP = r"(?:\s*,\s*|\s+(?:và|hoặc|hay|đến|tới)\s+|\s*[-–]\s*)"
_CONTEXTS = "|".join(sorted(ROMAN_CONTEXTS, key=len, reverse=True))
_ROMAN = re.compile(rf"(?<!\w)((?i:{_CONTEXTS}))(\s+)({_NUMERAL}(?:{_LIST_SEP}{_NUMERAL})*)"
                    r"(?:/(\d{4}))?(?![\w&]|[.,/]\w)")
_NUMERAL_ALONE = re.compile(rf"(?<!\w){_NUMERAL}(?!\w)")
_DASH = re.compile(r"\s*[-–]\s*")


def read_roman_numerals(text: str, lexicon: Lexicon) -> str:
    """Roman numerals after a context word: "khóa XV" → "khóa mười lăm", "thế kỷ XXI" → "thế kỷ
    hai mươi mốt", "lần thứ IV" → "lần thứ tư", "hạng II" → "hạng nhì", "Quý IV/2025" → "quý
    bốn năm hai nghìn không trăm hai mươi lăm". A quarter is "quý bốn", not "quý tư": "tư" is for
    ordinals after "thứ" and for April; a Roman numeral names a quarter, a term or a chapter by
    its number, as newsreaders say "quý một", "quý bốn"."""
    return sub(_ROMAN, _roman, text)


def _roman(m: re.Match[str]) -> str:
    context = m[1].casefold()
    reader = (vn.ordinal_words if context == "thứ" else
              vn.rank_words if context in ("hạng", "giải") else vn.number_words)

    def numeral(n: re.Match[str]) -> str:
        value = vn.roman_value(n[0])
        return reader(value) if value else n[0]

    items = _NUMERAL_ALONE.sub(numeral, m[3])
    if items == m[3]:
        return m[0]
    items = _DASH.sub(" đến ", items)  # "thế kỷ XIX–XX": a range, as read_ranges reads one
    year = f" năm {vn.number_words(int(m[4]))}" if m[4] else ""
    # Reports capitalise the word before the numeral ("Quý IV", "Khóa XV"); it is said as the
    # common noun it is: "quý bốn". A sentence start is capitalised again at the end.
    return f"{m[1].lower()}{m[2]}{items}{year}"
