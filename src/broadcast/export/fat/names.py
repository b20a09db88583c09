"""FAT directory names: which names we accept, 8.3 short names, VFAT long-name (LFN) entries.

Cheap players read either the short name (firmware without LFN support) or the long one, so both
must be right: short names are derived the way Windows derives them (upper case, embedded dots
dropped, ``~N`` numeric tail when the conversion loses anything), and every long-name entry
carries the checksum of the short name it belongs to, or readers drop it as an orphan.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence

from broadcast.errors import InputError

# Only these reach a player's display intact (FIELD.md: firmware often handles only ASCII names).
_ALLOWED = re.compile(r"[A-Za-z0-9_.-]+")
MAX_LONG_NAME = 255  # LFN limit: 20 entries of 13 UTF-16 units, minus the terminator
CHARS_PER_LFN_ENTRY = 13
ATTR_LONG_NAME = 0x0F  # LDIR_Attr: READ_ONLY | HIDDEN | SYSTEM | VOLUME_ID
LAST_LONG_ENTRY = 0x40  # LDIR_Ord flag on the entry holding the end of the name
DOT = ".          "
DOTDOT = "..         "


def check_name(name: str, path: str) -> None:
    """Reject a path component a player could not show or that would hide the file.

    Leading dots make Unix-hidden files (``._x`` from macOS is exactly what confuses players);
    trailing dots are silently dropped by Windows, so the name would not round-trip.
    """
    if (not _ALLOWED.fullmatch(name) or name.startswith(".") or name.endswith(".")
            or len(name) > MAX_LONG_NAME):
        raise InputError("image.bad_name", path=path)


def _split(name: str) -> tuple[str, str]:
    """Base and extension, split at the last dot (the 8.3 rule)."""
    if "." not in name:
        return name, ""
    base, _, ext = name.rpartition(".")
    return base, ext


def exact_short_name(name: str) -> str | None:
    """The 11-character DIR_Name when ``name`` fits 8.3 once upper-cased, else None."""
    base, ext = _split(name.upper())
    if not 1 <= len(base) <= 8 or len(ext) > 3 or "." in base:
        return None
    return base.ljust(8) + ext.ljust(3)


def needs_long_name(name: str) -> bool:
    """True unless the name is already a valid upper-case 8.3 name (then LFN entries add nothing)."""
    return exact_short_name(name) is None or name != name.upper()


def long_entry_count(name: str) -> int:
    """How many 32-byte LFN entries precede the short entry of ``name``."""
    if not needs_long_name(name):
        return 0
    return -(-len(name) // CHARS_PER_LFN_ENTRY)


def _numbered(name: str, taken: set[str]) -> str:
    """Windows' basis name with the first free numeric tail: ``001_tao-hon.mp3`` → ``001_TA~1MP3``."""
    base, ext = _split(name.upper())
    base, ext = base.replace(".", "")[:8], ext[:3]
    number = 1
    while True:
        tail = f"~{number}"
        candidate = (base[: 8 - len(tail)] + tail).ljust(8) + ext.ljust(3)
        if candidate not in taken:
            return candidate
        number += 1


def short_names(names: Sequence[str]) -> list[str]:
    """Unique 11-character short names for the entries of one folder, in the same order.

    Names that fit 8.3 keep their own short name first, so a generated ``~N`` name never takes
    the short name another file is entitled to. Callers have already rejected names that differ
    only in case (FAT compares names case-insensitively).
    """
    result: list[str | None] = [exact_short_name(n) for n in names]
    taken = {s for s in result if s is not None}
    for i, name in enumerate(names):
        if result[i] is None:
            result[i] = _numbered(name, taken)
            taken.add(result[i])
    return [s for s in result if s is not None]


def short_name_checksum(short: bytes) -> int:
    """The LDIR_Chksum of an 11-byte DIR_Name (fatgen103: rotate right, add)."""
    total = 0
    for byte in short:
        total = (((total & 1) << 7) + (total >> 1) + byte) & 0xFF
    return total


def long_name_entries(name: str, short: bytes) -> bytes:
    """The LFN entries for ``name``, in on-disk order (last part first), ready to precede ``short``.

    The name is NUL-terminated when it does not fill its last entry, and the rest is 0xFFFF, as
    the spec asks; readers that check the padding would otherwise reject the name.
    """
    count = long_entry_count(name)
    units = name.encode("utf-16-le")
    if len(name) % CHARS_PER_LFN_ENTRY:
        units += b"\x00\x00"
    units = units.ljust(count * 2 * CHARS_PER_LFN_ENTRY, b"\xff")
    checksum = short_name_checksum(short)
    entries = []
    for order in range(count, 0, -1):
        part = units[(order - 1) * 26: order * 26]
        flag = LAST_LONG_ENTRY if order == count else 0
        # LDIR_Ord, LDIR_Name1, LDIR_Attr, LDIR_Type, LDIR_Chksum, LDIR_Name2, LDIR_FstClusLO, LDIR_Name3
        entries.append(struct.pack("<B10sBBB12sH4s", order | flag, part[:10], ATTR_LONG_NAME, 0,
                                   checksum, part[10:22], 0, part[22:26]))
    return b"".join(entries)
