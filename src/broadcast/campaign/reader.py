"""What reading one workspace shares: the problems found so far, and the files that could not be
read at all (so nothing that depends on them is complained about: one mistake, one message)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from broadcast.campaign.fields import Field
from broadcast.campaign.shape import check_record, unknown_key
from broadcast.campaign.yamlfile import LineList, LineMap
from broadcast.campaign.yamlfile import load as load_yaml
from broadcast.errors import Problem


@dataclass
class Reader:
    """Collects problems while the records of one workspace are read."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)
    """Files that could not be read at all (missing, not text, a YAML syntax error)."""

    def yaml(self, name: str, path: Path | None = None) -> object:
        data, found = load_yaml(path or self.root / name, name)
        self.problems += found
        if data is None and any(p.is_error for p in found):
            self.broken.add(name)
        return data

    def add(self, key: str, **where: object) -> None:
        self.problems.append(Problem(key, **where))

    def record(self, raw: object, table: Mapping[str, Field], file: str, label: str | None = None,
               line: int | None = None, aliases: Mapping[str, str] | None = None) -> dict:
        return check_record(raw, table, file=file, record=label, problems=self.problems, line=line,
                            aliases=aliases)

    def errors(self) -> int:
        return sum(1 for p in self.problems if p.is_error)

    def unique(self, seen: dict[str, tuple[str, str]], values: dict, file: str, line: int | None,
               key: str) -> None:
        """Complain when an id was used before (even by a record that has other errors), or
        differs from one only in case: on FAT and NTFS both name one file or folder."""
        ident = values.get("id")
        if ident is None:
            return
        other = seen.get(str(ident).casefold())
        if other is None:
            seen[str(ident).casefold()] = (str(ident), f"{file}:{line}")
        elif other[0] == ident:
            self.add(key, file=file, line=line, record=str(ident), field="id", params={"other": other[1]})
        else:
            self.add("workspace.id_case", file=file, line=line, record=str(ident), field="id",
                     params={"other": other[1], "id": other[0]})

    def top(self, raw: object, file: str, keys: tuple[str, ...]) -> LineMap | None:
        """The top level of a file: a mapping holding only ``keys``, or None (said why)."""
        if file in self.broken:
            return None
        if raw is None:
            self.add("workspace.file_empty", file=file, params={"key": keys[0]})
            return None
        if not isinstance(raw, Mapping):
            self.add("workspace.top_not_mapping", file=file, line=getattr(raw, "line", None) or 1,
                     params={"key": keys[0]})
            return None
        for key in raw:
            if key not in keys:
                self.problems.append(unknown_key(key, keys, file=file, record=None,
                                                 line=raw.line_of(key) if isinstance(raw, LineMap) else None))
        return raw if isinstance(raw, LineMap) else LineMap(raw)

    def section(self, raw: object, key: str, file: str) -> list:
        """The list under ``key`` of a YAML file that holds only it, complaining if it is not
        one or lists nothing."""
        top = self.top(raw, file, (key,))
        if top is None:
            return []
        if key not in top and top:
            return []  # the keys it holds instead were named, with the one meant
        items = top.get(key)
        line = top.line_of(key) if key in top else (top.line or None)
        if not isinstance(items, list):
            self.add("workspace.expected_list", file=file, line=line, params={"key": key})
            return []
        if not items:
            self.add("workspace.no_items", file=file, line=line, params={"key": key})
        return items

    @staticmethod
    def item_line(items: list, index: int, item: object) -> int | None:
        """The line of an item of a section: its own, or where the list holds it."""
        own = getattr(item, "line", None)
        return own or (items.line_at(index) if isinstance(items, LineList) else None)
