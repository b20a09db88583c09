"""YAML that remembers where each value was written, so every problem can name its line.

People write these files by hand, so the reader follows YAML 1.2 habits where YAML 1.1 surprises:
``17:00`` stays the text "17:00" (1.1 reads it as the number 1020), ``no``/``on`` stay text, and
dates stay text for the field parsers to check.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

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
    """A sequence that knows its own line."""

    line: int = 0


class _Loader(yaml.SafeLoader):
    pass


def _plain_resolvers() -> dict:
    """SafeLoader's implicit resolvers minus YAML 1.1's sexagesimal numbers, yes/no booleans and
    timestamps (an impossible date like 2026-13-01 must become a clear problem, not a crash)."""
    kept: dict = {}
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept[first] = [(tag, rx) for tag, rx in resolvers
                       if not tag.endswith((":int", ":float", ":bool", ":timestamp"))]
    return kept


_Loader.yaml_implicit_resolvers = _plain_resolvers()
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
    return items


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def load(path: Path, shown: str) -> tuple[object, list[Problem]]:
    """Read ``path``; return its data and the problems found (``shown`` names the file)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None, [Problem("workspace.file_missing", file=shown)]
    except UnicodeDecodeError:
        return None, [Problem("workspace.not_utf8", file=shown)]
    except OSError as exc:
        return None, [Problem("workspace.unreadable", file=shown, params={"reason": exc.strerror})]
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, [Problem("workspace.yaml_syntax", file=shown, line=line,
                              params={"reason": exc.problem or str(exc)})]
    return data, _duplicates(data, shown)


def _duplicates(data: object, shown: str) -> list[Problem]:
    found: list[Problem] = []
    if isinstance(data, LineMap):
        found += [Problem("workspace.duplicate_key", file=shown, line=line, params={"key": key})
                  for key, line in data.duplicates]
        for value in data.values():
            found += _duplicates(value, shown)
    elif isinstance(data, list):
        for value in data:
            found += _duplicates(value, shown)
    return found
