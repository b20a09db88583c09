"""Editing the office's YAML files in place: comments, key order, quoting and layout are kept.

The page changes one record at a time (a message, a commune, a setting); people also edit these
files by hand, and their Vietnamese comments are the files' documentation. So the file is read
with a round-trip parser (ruamel.yaml, the only user of it), the record's fields are set,
removed or added in the order the workspace format lists them, and the whole file is written
back atomically. Untouched parts come out byte for byte as they were.

ruamel.yaml attaches the comment lines that follow a record to the last key of that record; a
key added after it, or the removal of that key, would carry the next record's heading comment
into the wrong place, so such comments are moved along (``_trailing``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, ScalarString
from ruamel.yaml.tokens import CommentToken

from broadcast import fsio
from broadcast.errors import InputError

_LAYOUTS = ((2, 4, 2), (2, 2, 0), (4, 6, 4), (4, 4, 2), (2, 4, 0), (4, 4, 0))
"""(mapping, sequence, dash offset) indents tried, the sample's first."""
FOLD_WIDTH = 90
"""Long texts are written as folded blocks (``>-``) of lines this wide, like the sample's."""


class _Resolver(VersionedResolver):
    """YAML 1.2 as ruamel.yaml reads it, except that dates stay text, as the workspace reader
    keeps them: an impossible date (2026-13-01) is a problem to show on the page, not a crash."""

    def add_version_implicit_resolver(self, version, tag, regexp, first) -> None:
        if tag != "tag:yaml.org,2002:timestamp":
            super().add_version_implicit_resolver(version, tag, regexp, first)


def _parser(layout: tuple[int, int, int]) -> YAML:
    yaml = YAML()
    yaml.Resolver = _Resolver
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the user's lines
    mapping, sequence, offset = layout
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: YAML, data: object) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


@dataclass
class Document:
    """One YAML file, loaded for editing. ``digest`` is the sha256 of the text it was read from,
    so a save can refuse when the file was changed elsewhere in the meantime."""

    path: Path
    data: object
    yaml: YAML
    digest: str

    @classmethod
    def load(cls, path: Path, shown: str) -> Document:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputError("workspace.file_missing", path=shown) from None
        except UnicodeDecodeError:
            raise InputError("workspace.not_utf8", path=shown) from None
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        try:
            data = _parser(_LAYOUTS[0]).load(text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise InputError("ui.edit.unreadable", path=shown, line=mark.line + 1 if mark else None,
                             reason=getattr(exc, "problem", None) or str(exc)) from None
        return cls(path, data, _layout_of(text, data), digest)

    def section(self, key: str) -> CommentedSeq:
        """The list under ``key`` (``messages``, ``communes``), made if the file has none."""
        if not isinstance(self.data, CommentedMap):
            self.data = CommentedMap()
        if not isinstance(self.data.get(key), CommentedSeq):
            self.data[key] = CommentedSeq()
        return self.data[key]

    def text(self) -> str:
        return _dump(self.yaml, self.data)

    def save(self, expected_digest: str | None = None) -> None:
        """Write the file back atomically; refuse if it changed since ``expected_digest``."""
        if expected_digest is not None and digest(self.path) != expected_digest:
            raise InputError("ui.edit.changed_elsewhere", path=self.path.name)
        fsio.write_text(self.path, self.text())


def read(path: Path, shown: str) -> object:
    """A file's data for reading only (never to be changed or saved): parsed once per version of
    the file, since every page lists records and the round-trip parser is slow."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise InputError("workspace.file_missing", path=shown) from None
    return _read(path, shown, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _read(path: Path, shown: str, *_version: int) -> object:
    return Document.load(path, shown).data


def digest(path: Path) -> str:
    """The sha256 a ``Document`` of this file would have, to refuse saving over a newer one."""
    return hashlib.sha256(path.read_text(encoding="utf-8-sig").encode("utf-8")).hexdigest()


def _layout_of(text: str, data: object) -> YAML:
    """The indentation that writes ``text`` back exactly, else the one its first list item
    suggests (a dash at the margin or indented)."""
    for layout in _LAYOUTS:
        yaml = _parser(layout)
        if _dump(yaml, data) == text:
            return yaml
    dash = re.search(r"^( *)- ", text, re.MULTILINE)
    return _parser(_LAYOUTS[0] if dash and dash.group(1) else (2, 2, 0))


def line_of(record: object) -> int | None:
    """The 1-based line a record starts on, as the workspace checker counts lines."""
    lc = getattr(record, "lc", None)
    return lc.line + 1 if lc is not None and lc.line is not None else None


def update(record: CommentedMap, values: Mapping[str, object], order: Sequence[str]) -> None:
    """Set each field of ``values`` (None removes it), adding new ones in ``order``'s place."""
    for key, value in values.items():
        if value is None:
            if key in record:
                _remove(record, key)
        elif key in record:
            record[key] = _styled(value, record[key])
        else:
            _insert(record, key, _styled(value, None), order)


def mapping_at(record: CommentedMap, key: str, order: Sequence[str], *, flow: bool) -> CommentedMap:
    """The mapping under ``key``, made (on one line with ``flow``) where there is none."""
    if not isinstance(record.get(key), CommentedMap):
        child = CommentedMap()
        if flow:
            child.fa.set_flow_style()
        if key in record:
            record[key] = child
        else:
            _insert(record, key, child, order)
    return record[key]


def new_record(values: Mapping[str, object], order: Sequence[str]) -> CommentedMap:
    record = CommentedMap()
    for key in sorted((k for k, v in values.items() if v is not None), key=_rank(order)):
        record[key] = _styled(values[key], None)
    return record


def append(section: CommentedSeq, record: CommentedMap) -> None:
    """Add a record at the end of a list, after a blank line like the records before it."""
    if len(section) and isinstance(section[-1], CommentedMap) and len(section[-1]):
        previous = section[-1]
        last = list(previous)[-1]
        if _trailing(previous, last) == "":
            _set_trailing(previous, last, "\n")
    section.append(record)


def _rank(order: Sequence[str]):
    return lambda key: order.index(key) if key in order else len(order)


def _styled(value: object, old: object) -> object:
    """A new value written the way the file writes such values: lists in flow style
    (``[a, b]``) unless the old list was a block, times in double quotes, long texts folded."""
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(list(value))
        if not (isinstance(old, CommentedSeq) and not old.fa.flow_style()):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, dt.time):
        return DoubleQuotedScalarString(value.strftime("%H:%M"))
    if isinstance(value, dt.date):
        return value.isoformat()  # plain, like the sample's dates (they are read as text)
    if isinstance(value, str) and (len(value) > FOLD_WIDTH or isinstance(old, FoldedScalarString)):
        return _folded(value)
    if isinstance(value, str) and isinstance(old, ScalarString) and not isinstance(old, FoldedScalarString):
        return type(old)(value)  # keep the quotes the user chose
    if isinstance(value, str) and _needs_quotes(value):
        return DoubleQuotedScalarString(value)
    return value


def _needs_quotes(text: str) -> bool:
    """Text that a plain scalar would turn into something else, or that reads badly unquoted."""
    return bool(re.search(r"^[\s\-?:,\[\]{}#&*!|>'\"%@`]|: | #|\s$", text)) or text.lower() in (
        "true", "false", "yes", "no", "null", "on", "off", "~")


def _folded(text: str) -> FoldedScalarString:
    """A folded block (``>-``) broken at spaces into lines of ``FOLD_WIDTH`` characters."""
    folded = FoldedScalarString(text)
    lines = textwrap.wrap(text, FOLD_WIDTH, break_long_words=False, break_on_hyphens=False,
                          drop_whitespace=True)
    positions, at = [], 0
    for line in lines[:-1]:
        at = text.index(line, at) + len(line)
        if at < len(text) and text[at] == " " and text[at + 1:at + 2] != " ":
            positions.append(at)
    folded.fold_pos = positions
    return folded


def _is_block(value: object) -> bool:
    return isinstance(value, ScalarString) and type(value).__name__ in (
        "FoldedScalarString", "LiteralScalarString")


def _trailing(record: CommentedMap, key: object) -> str:
    """The comment lines after ``key``'s value (not its own end-of-line comment)."""
    token = record.ca.items.get(key, [None] * 4)[2]
    if token is None:
        return ""
    if _is_block(record[key]):
        return token.value
    return token.value.split("\n", 1)[1] if "\n" in token.value else ""


def _set_trailing(record: CommentedMap, key: object, rest: str) -> None:
    """Make ``rest`` the lines after ``key``'s value, keeping its end-of-line comment."""
    entry = record.ca.items.setdefault(key, [None] * 4)
    token = entry[2]
    if _is_block(record[key]):
        value = rest
    else:
        own = token.value.split("\n", 1)[0] if token is not None else ""
        value = own + "\n" + rest
    if value.strip("\n") == "" and value.count("\n") <= (0 if _is_block(record[key]) else 1):
        entry[2] = None
    else:
        mark = token.start_mark if token is not None else CommentMark(0)
        entry[2] = CommentToken(value, mark, None)


def _insert(record: CommentedMap, key: str, value: object, order: Sequence[str]) -> None:
    keys = list(record)
    rank = _rank(order)
    later = [i for i, k in enumerate(keys) if rank(k) > rank(key)]
    if later:
        record.insert(later[0], key, value)
        return
    last = keys[-1] if keys else None
    rest = _trailing(record, last) if last is not None else ""
    if rest:
        _set_trailing(record, last, "")
    record[key] = value
    if rest:
        _set_trailing(record, key, rest)


def _remove(record: CommentedMap, key: str) -> None:
    keys = list(record)
    rest = _trailing(record, key) if keys[-1] == key else ""
    record.ca.items.pop(key, None)
    del record[key]
    if rest and len(record):
        last = list(record)[-1]
        _set_trailing(record, last, rest)
