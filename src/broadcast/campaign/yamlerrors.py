"""PyYAML's complaints in our own words, at the line where the trouble starts.

The parser says what it expected at the place it gave up ("expected <block end>, but found
'<scalar>'"), in English, often lines after the real mistake. People make a handful of mistakes:
an unclosed quote, a second colon, a tab, an unclosed bracket, a value starting with a character
YAML reserves, a misaligned line. Each is recognized from the parser's words (libyaml's and the
pure-Python parser's differ) and told by its own catalog sentence; an unclosed quote is told at
the line where it opens, wherever the parser gave up.
"""

from __future__ import annotations

import re

import yaml

from broadcast.errors import Problem

# (what the parser said, our catalog key, the mark that points at the mistake). First match wins.
KINDS: list[tuple[re.Pattern, str, str]] = [(re.compile(pattern), key, mark) for pattern, key, mark in (
    (r"quoted scalar.*end of stream", "yaml.unclosed_quote", "context"),
    (r"escape|hexa?decimal", "yaml.bad_escape", "problem"),
    (r"quoted scalar", "yaml.unclosed_quote", "context"),
    (r"mapping values are not allowed", "yaml.colon_in_value", "problem"),
    (r"recursive", "yaml.recursive", "problem"),
    (r"(?<![a-z])tab", "yaml.tab", "problem"),
    (r"cannot start any token", "yaml.special_start", "problem"),
    (r"alias|anchor", "yaml.special_start", "problem"),
    (r"constructor for the tag", "yaml.special_start", "problem"),
    (r"flow sequence", "yaml.unclosed_bracket", "context"),
    (r"flow mapping", "yaml.unclosed_brace", "context"),
    (r"block scalar", "yaml.block_scalar", "problem"),
    (r"directive", "yaml.directive", "problem"),
    (r"document", "yaml.several_documents", "problem"),
    (r"block|expected key|indicator|simple key|expected ':'", "yaml.indentation", "problem"),
)]
STRUCTURAL = {"yaml.colon_in_value", "yaml.special_start", "yaml.unclosed_bracket", "yaml.unclosed_brace",
              "yaml.indentation", "yaml.several_documents", "yaml.syntax"}
"""Kinds an earlier unclosed quote can cause: the quote swallowed the lines up to the next one."""


def problem(exc: yaml.YAMLError, text: str, shown: str) -> Problem:
    """The one problem a YAML error stands for (the parser stops at the first)."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        return Problem("yaml.syntax", file=shown)
    said = f"{exc.context or ''} | {exc.problem or ''}"
    marks = {"problem": exc.problem_mark or exc.context_mark, "context": exc.context_mark or exc.problem_mark}
    key, mark = "yaml.syntax", marks["problem"]
    for pattern, kind, which in KINDS:
        if pattern.search(said):
            key, mark = kind, marks[which]
            break
    line = mark.line + 1 if mark else None
    char = _char_at(text, mark)
    if key == "yaml.special_start" and char == "\t":
        key = "yaml.tab"
    if key == "yaml.colon_in_value" and _key_of_its_own(text, mark):
        key = "yaml.indentation"  # "name: value" indented under the line above, not a 2nd colon
    if key in STRUCTURAL and line:
        opened = unclosed_quote_before(text, line, (exc.context_mark.line + 1) if exc.context_mark else 1)
        if opened:
            key, line = "yaml.unclosed_quote", opened
    params = {"char": char.strip() or "?"} if key == "yaml.special_start" else {}
    return Problem(key, file=shown, line=line, params=params)


_KEY_START = re.compile(r"^\s*(?:-\s+)*[^\s:#'\"\[\]{},&*!|>%@`-][^\s:#]*$")


def _key_of_its_own(text: str, mark: yaml.Mark | None) -> bool:
    """Whether the colon the parser stopped at is the first on its line, after a plain name:
    the line is a field of its own, written deeper than the line above holds fields."""
    if mark is None:
        return False
    lines = text.splitlines()
    if mark.line >= len(lines):
        return False
    return bool(_KEY_START.match(lines[mark.line][:mark.column]))


def _char_at(text: str, mark: yaml.Mark | None) -> str:
    if mark is None:
        return ""
    lines = text.splitlines()
    if mark.line >= len(lines):
        return ""
    line = lines[mark.line]
    return line[mark.column] if mark.column < len(line) else ""


# A quote that starts a value: at the start of a line or list item, after "key: ", or inside [ ].
_OPENING = re.compile(r"""(?:^\s*(?:-\s+)*|:\s+|[\[{,]\s*)(["'])""")


def unclosed_quote_before(text: str, line: int, first: int = 1) -> int | None:
    """The last line from ``first`` to ``line`` where a quoted value opens and does not close."""
    lines = text.splitlines()
    for number in range(min(line, len(lines)), max(first, 1) - 1, -1):
        if _opens_unclosed(lines[number - 1]):
            return number
    return None


def _opens_unclosed(line: str) -> bool:
    at = 0
    while True:
        match = _OPENING.search(line, at)
        if match is None or "#" in _outside_quotes(line[at:match.start()]):
            return False
        end = _closing(line, match.end(), match.group(1))
        if end is None:
            return True
        at = end + 1


def _closing(line: str, start: int, quote: str) -> int | None:
    """Where the quoted value opened just before ``start`` closes on this line, if it does."""
    i = start
    while i < len(line):
        char = line[i]
        if quote == '"' and char == "\\":
            i += 2
            continue
        if char == quote:
            if quote == "'" and line[i + 1:i + 2] == "'":  # '' is a quote inside single quotes
                i += 2
                continue
            return i
        i += 1
    return None


def _outside_quotes(segment: str) -> str:
    """A comment starts with " #"; text between closed quotes was skipped already."""
    return "#" if re.search(r"(^|\s)#", segment) else ""
