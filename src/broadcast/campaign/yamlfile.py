"""YAML that remembers where each value was written, so every problem can name its line.

People write these files by hand, so the reader follows YAML 1.2 habits where YAML 1.1 surprises:
``17:00`` stays the text "17:00" (1.1 reads it as the number 1020), ``no``/``on`` stay text, and
dates stay text for the field parsers to check.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path

import yaml

from broadcast.campaign import encoding, yamlerrors
from broadcast.errors import Problem


class LineMap(dict):
    """A mapping that knows its own line and the line of each key."""

    line: int = 0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lines: dict[object, int] = {}
        self.duplicates: list[tuple[object, int]] = []

    def line_of(self, key: object) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    """A sequence that knows its own line and the line of each item."""

    line: int = 0
    lines: tuple[int, ...] = ()

    def line_at(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser where the wheel has it (every command reads these files; it is ten times
    faster), with the constructors and resolvers below; the same lines either way."""


def _plain_resolvers() -> dict:
    """SafeLoader's implicit resolvers minus YAML 1.1's sexagesimal numbers, yes/no booleans and
    timestamps (an impossible date like 2026-13-01 must become a clear problem, not a crash)."""
    kept: dict = {}
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept[first] = [(tag, rx) for tag, rx in resolvers
                       if not tag.endswith((":int", ":float", ":bool", ":timestamp"))]
    return kept


class DateText(str):
    """A date written plain (``title: 2026-11-15``): text for the date fields to parse, and a
    value of the wrong kind where words belong (quoted, it is plain text)."""


_Loader.yaml_implicit_resolvers = _plain_resolvers()
_Loader.add_implicit_resolver("tag:broadcast:date-text", next(
    rx for rs in yaml.SafeLoader.yaml_implicit_resolvers.values() for tag, rx in rs
    if tag.endswith(":timestamp")), list("0123456789"))
_Loader.add_constructor("tag:broadcast:date-text", lambda loader, node: DateText(node.value))
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$")
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    mapping = LineMap()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)):
            key = str(key)
        line = key_node.start_mark.line + 1
        if key in mapping:
            mapping.duplicates.append((key, line))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = line
    return mapping


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    items = LineList(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    items.lines = tuple(child.start_mark.line + 1 for child in node.value)
    return items


class WrittenInt(int):
    """A number as a YAML file wrote it: counts like a number, prints as written (``1_000``
    stays "1_000", so an id or a message quotes what the person typed)."""

    written = ""

    def __str__(self) -> str:
        return self.written or int.__repr__(self)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec) if not spec else int.__format__(self, spec)


class WrittenFloat(float):
    """A decimal number as written (``6.30`` stays "6.30", not "6.3")."""

    written = ""

    def __str__(self) -> str:
        return self.written or float.__repr__(self)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec) if not spec else float.__format__(self, spec)


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> WrittenInt:
    number = WrittenInt(loader.construct_yaml_int(node))
    number.written = node.value
    return number


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> WrittenFloat:
    number = WrittenFloat(loader.construct_yaml_float(node))
    number.written = node.value
    return number


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def load(path: Path, shown: str) -> tuple[object, list[Problem]]:
    """Read ``path``; return its data and the problems found (``shown`` names the file).

    The data is None when the file cannot be read at all; then the problems say why, in our
    own words, at the line where the trouble starts (an unclosed quote: where it opens).
    """
    raw, problems = read_bytes(path, shown)
    if raw is None:
        return None, problems
    try:
        text = encoding.decode(raw)
    except encoding.NotText as exc:
        return None, [Problem(exc.key, file=shown, line=exc.line, params=exc.params)]
    bad = encoding.bad_characters(text)
    if bad:
        return None, [Problem("encoding.bad_character", file=shown, line=line,
                              params={"char": encoding.code_point(char)}) for line, char in bad[:5]]
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        return None, [yamlerrors.problem(exc, text, shown)]
    except RecursionError:
        return None, [Problem("yaml.too_deep", file=shown)]
    return data, _duplicates(data, shown)


MAX_TEXT_MEGABYTES = 20
"""No campaign file comes near this (the sample's are a few kilobytes); a file this big is the
wrong file (a recording, a database), and reading it whole would only fill memory."""


def too_big(path: Path) -> dict | None:
    """The ``workspace.file_too_big`` parameters when ``path`` is a file over the limit."""
    size = path.stat().st_size
    if size > MAX_TEXT_MEGABYTES << 20 and path.is_file():
        return {"size": round(size / (1 << 20)), "max": MAX_TEXT_MEGABYTES}
    return None


def read_bytes(path: Path, shown: str) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, or the problem that kept us from reading them."""
    try:
        if (over := too_big(path)) is not None:
            return None, [Problem("workspace.file_too_big", file=shown, params=over)]
        return path.read_bytes(), []
    except FileNotFoundError:
        return None, [Problem("workspace.file_missing", file=shown)]
    except IsADirectoryError:
        return None, [Problem("workspace.is_folder", file=shown)]
    except PermissionError:
        return None, [Problem("workspace.no_permission", file=shown)]
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:  # a folder on the way is a file
            return None, [Problem("workspace.file_missing", file=shown)]
        return None, [Problem("workspace.unreadable", file=shown,
                              params={"reason": exc.strerror or type(exc).__name__})]


def _duplicates(data: object, shown: str, seen: set[int] | None = None) -> list[Problem]:
    """Keys written twice in one mapping. Each value is visited once, however many aliases
    point at it (a file of nested aliases must not take exponential time)."""
    seen = set() if seen is None else seen
    if id(data) in seen or not isinstance(data, (dict, list)):
        return []
    seen.add(id(data))
    found: list[Problem] = []
    if isinstance(data, LineMap):
        found += [Problem("workspace.duplicate_key", file=shown, line=line, params={"key": key})
                  for key, line in data.duplicates]
    for value in data.values() if isinstance(data, dict) else data:
        found += _duplicates(value, shown, seen)
    return found
