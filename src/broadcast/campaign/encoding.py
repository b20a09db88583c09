"""The bytes people hand us become text, or a clear reason why not.

Office files arrive as UTF-8 (with or without a BOM), as Windows code page 1258 (what Excel's
"CSV" saves on a Vietnamese PC), as UTF-16 (Excel's "Unicode Text", Notepad's "Unicode"), or as
something that is no text at all: a Word or Excel document renamed, an MP3 pasted into a prompt.
Reading UTF-16 as UTF-8 gives text full of NUL characters, and a document read as code page 1258
gives mojibake; both are told as what they are, with the way to save the file properly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
SIGNATURES = {
    b"PK\x03\x04": "encoding.office_file",  # .xlsx, .docx, .ods: zip archives
    b"\xd0\xcf\x11\xe0": "encoding.office_file",  # .xls, .doc (Office 97-2003)
    b"%PDF": "encoding.binary",
    b"ID3": "encoding.binary", b"RIFF": "encoding.binary", b"OggS": "encoding.binary",
    b"fLaC": "encoding.binary", b"\x89PNG": "encoding.binary", b"\xff\xd8\xff": "encoding.binary",
}
"""The first bytes of files that are often named or pasted where text belongs."""

# YAML refuses C0 controls but tab and line breaks, DEL, C1 controls, lone surrogates and
# U+FFFE/U+FFFF; a BOM inside a file (two files pasted together) is refused by libyaml too.
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff\ufeff]")


@dataclass
class NotText(Exception):
    """Bytes that are not text we can read; ``key`` names the catalog sentence saying why."""

    key: str
    params: dict = field(default_factory=dict)
    line: int | None = None


def decode(raw: bytes, *, legacy: bool = False) -> str:
    """Text from ``raw``: UTF-8 (BOM or not), else with ``legacy`` Windows code page 1258.

    Raises ``NotText`` for UTF-16, office documents and other binary files, and for a file
    that is UTF-8 in places only (two editors saved it), naming the first line that is not.
    """
    _refuse_binary(raw)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        if not legacy or _utf8_sequences(raw) >= 3:
            raise NotText("encoding.mixed" if legacy else "encoding.not_utf8", line=line) from None
    try:
        return raw.decode("cp1258")
    except UnicodeDecodeError:
        raise NotText("encoding.binary") from None


def _refuse_binary(raw: bytes) -> None:
    if raw.startswith(UTF16_BOMS) or _looks_utf16(raw):
        raise NotText("encoding.utf16")
    for signature, key in SIGNATURES.items():
        if raw.startswith(signature):
            raise NotText(key)
    head = raw[:65536]
    if head.count(0) > max(8, len(head) // 100):  # a stray NUL or two is told by its line
        raise NotText("encoding.binary")


def _looks_utf16(raw: bytes) -> bool:
    """UTF-16 without a BOM: plain Latin text has a NUL in every other byte."""
    head = raw[:4096]
    if len(head) < 4:
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return max(even, odd) > len(head) // 4 and min(even, odd) < len(head) // 40 + 1


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _utf8_sequences(raw: bytes) -> int:
    """How many valid UTF-8 multi-byte characters ``raw`` holds: code page 1258 text has
    almost none, a file saved partly as UTF-8 has many."""
    return len(_UTF8_MULTIBYTE.findall(raw))


def bad_characters(text: str) -> list[tuple[int, str]]:
    """(line, character) of each control or invisible character a text file should not hold
    (a BOM at the very start excepted), at most one per line."""
    found: dict[int, str] = {}
    for match in _BAD_CHARACTER.finditer(text):
        if match.start() == 0 and match.group() == "\ufeff":
            continue
        found.setdefault(text.count("\n", 0, match.start()) + 1, match.group())
    return sorted(found.items())


def code_point(char: str) -> str:
    """``U+0000`` and the character's Unicode name where it has one, for a message."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")
