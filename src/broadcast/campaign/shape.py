"""The record checker: a raw mapping people wrote, checked against a table of fields.

Every value's shape is checked before it is parsed (one value, a list, or a mapping of
``name: value`` lines), so a list written where a title belongs becomes a problem naming the
file, line and field, never a Python list in an ID3 tag; every key the table does not know is a
problem with a "did you mean" hint; every problem is collected, so ``broadcast check`` reports
them all at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from broadcast.campaign.fields import Field, FieldError, shown
from broadcast.campaign.yamlfile import LineMap
from broadcast.errors import Problem

SCALAR, LIST, MAPPING, ITEMS = "scalar", "list", "mapping", "items"
"""One value; a list of values (or one); ``name: value`` lines; a list of values or records."""


def suggestion(key: object, known: Iterable[str], aliases: Mapping[str, str] | None = None) -> str:
    """The known name ``key`` was probably meant to be, or ""."""
    known = list(known)
    wanted = str(key).strip().casefold().replace(" ", "_").replace("-", "_")
    for name in known:
        if name.casefold() == wanted:
            return name
    spelled = " ".join(str(key).casefold().replace("_", " ").split())
    if aliases and aliases.get(spelled) in known:
        return aliases[spelled]
    close = difflib.get_close_matches(wanted, [k.casefold() for k in known], n=1, cutoff=0.6)
    return next((k for k in known if close and k.casefold() == close[0]), "")


def unknown_key(key: object, known: Iterable[str], *, file: str, line: int | None,
                record: str | None, aliases: Mapping[str, str] | None = None) -> Problem:
    """A key no table holds: with the close one if there is one, else the whole list."""
    known = list(known)
    close = suggestion(key, known, aliases)
    return Problem("field.unknown_close" if close else "field.unknown", file=file, line=line,
                   record=record, field=shown(str(key)), params={"close": close, "known": ", ".join(known)})


def shape_problem(value: object, shape: str) -> str | None:
    """The catalog key saying ``value`` has the wrong shape for ``shape``, or None."""
    if shape == SCALAR:
        if isinstance(value, list):
            return "field.is_list"
        if isinstance(value, dict):
            return "field.is_mapping"
    elif shape == LIST:
        if isinstance(value, dict):
            return "field.not_list"
        if isinstance(value, list) and any(isinstance(item, (list, dict)) for item in value):
            return "field.nested_list"
    elif shape == ITEMS:
        if isinstance(value, list) and any(isinstance(item, list) for item in value):
            return "field.nested_list"
    elif shape == MAPPING and not isinstance(value, dict):
        return "field.not_mapping_list" if isinstance(value, list) else "field.not_mapping"
    return None


def check_record(raw: object, table: Mapping[str, Field], *, file: str, record: str | None,
                 problems: list[Problem], line: int | None = None,
                 aliases: Mapping[str, str] | None = None) -> dict[str, object]:
    """Parse ``raw`` against ``table``; append every problem found; return the good fields."""
    if not isinstance(raw, Mapping):
        problems.append(Problem("field.not_a_record_list" if isinstance(raw, list) else "field.not_a_record",
                                file=file, line=getattr(raw, "line", None) or line, record=record))
        return {}
    at = raw.line_of if isinstance(raw, LineMap) else (lambda _key: line)
    parsed: dict[str, object] = {}
    meant: set[str] = set()
    """Required fields a misspelled key was probably meant to be: told once, as the misspelling."""
    for key, value in raw.items():
        where = {"file": file, "line": at(key) or line, "record": record, "field": str(key)}
        spec = table.get(key) if isinstance(key, str) else None
        if spec is None:
            problem = unknown_key(key, table, file=file, line=where["line"], record=record, aliases=aliases)
            meant.add(problem.params["close"])
            problems.append(problem)
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.required or not spec.blank_ok:
                problems.append(Problem("field.empty", **where))
            continue
        wrong = shape_problem(value, spec.shape)
        if wrong:
            problems.append(Problem(wrong, **where))
            continue
        try:
            parsed[key] = spec.parse(value)
        except FieldError as exc:
            problems.append(Problem(exc.key, **where, params=exc.params))
    for key, spec in table.items():
        if spec.required and key not in raw and key not in meant:
            problems.append(Problem("field.missing", file=file, line=getattr(raw, "line", None) or line,
                                    record=record, field=key, params={"field": key}))
    return parsed
