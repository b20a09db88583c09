"""The house follows the data's path: lower floors never import higher ones, no module imports
itself round a circle, and the command line speaks only to the operations layer.

Imports are read from the source with ``ast``, all of them: at the top, inside functions and
under ``TYPE_CHECKING`` (a circle hidden in a function is still a circle).
"""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "broadcast"

FLOORS = [
    {"broadcast", "broadcast.errors", "broadcast.i18n", "broadcast.fsio", "broadcast.interrupts",
     "broadcast.progress"},
    {"broadcast.campaign"}, {"broadcast.speech"}, {"broadcast.sound"}, {"broadcast.plan"},
    {"broadcast.package"}, {"broadcast.export"}, {"broadcast.trust"}, {"broadcast.ledger"},
    {"broadcast.pipeline"}, {"broadcast.operations"},
    {"broadcast.cli", "broadcast.ui", "broadcast.__main__"},
]
"""The path of the data, bottom to top: a module may import its own floor and those below."""

CLI_MAY_IMPORT = {"broadcast", "broadcast.operations", "broadcast.i18n", "broadcast.errors", "broadcast.cli",
                  "broadcast.ui"}
"""``broadcast.ui`` for the ``ui`` command alone, which starts the web page."""


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in SOURCE.rglob("*.py")}


def imports(path: Path, known: set[str]) -> set[str]:
    """The broadcast modules ``path`` imports (``from a import b`` names module ``a.b`` when it
    is one, else ``a``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("broadcast")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("broadcast"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
    return found


def graph() -> dict[str, set[str]]:
    table = modules()
    known = set(table)
    return {name: imports(path, known) - {name} for name, path in table.items()}


def floor(name: str) -> int:
    best = None
    for number, members in enumerate(FLOORS):
        for member in members:
            inside = name == member or name.startswith(member + ".")
            if inside and (best is None or len(member) > best[1]):
                best = (number, len(member))
    assert best is not None, f"{name} stands on no floor: add it to FLOORS"
    return best[0]


def test_lower_floors_never_import_higher_ones():
    wrong = sorted(f"{a} → {b}" for a, deps in graph().items() for b in deps
                   if floor(b) > floor(a) and not (a == "broadcast" or b.startswith(a + ".")))
    assert wrong == []


def test_no_import_circles():
    edges = graph()
    circles = []
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for dep in sorted(edges.get(name, ())):
            if dep == "broadcast" or name.startswith(dep + "."):
                continue  # a module reading its own package's docstring-only __init__
            if state.get(dep) == 1:
                circles.append(" → ".join([*trail[trail.index(dep):], dep]))
            elif dep not in state:
                visit(dep, [*trail, dep])
        state[name] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name, [name])
    assert circles == []


def test_the_command_line_speaks_only_to_the_operations_layer():
    wrong = sorted(f"{a} → {b}" for a, deps in graph().items() if a.startswith("broadcast.cli")
                   for b in deps if not any(b == ok or b.startswith(ok + ".") for ok in CLI_MAY_IMPORT
                                            if ok != "broadcast") and b != "broadcast")
    assert wrong == []


def test_the_top_holds_only_the_pipeline_operations_errors_i18n_and_fsio():
    top = sorted(p.name for p in SOURCE.glob("*.py"))
    assert len(top) <= 8, top
