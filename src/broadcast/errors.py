"""One base error, its kinds and exit codes, and the input problems a check collects.

Exit codes: 0 all well, 1 an operational failure (network, disk, a tool), 2 bad input or usage,
3 a package, manifest or image refused or damaged (a verification found problems).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from broadcast.i18n import t

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INPUT = 2
EXIT_VERIFY = 3


class BroadcastError(Exception):
    """A failure the user can act on. The message is looked up in the catalogs by ``key``."""

    exit_code = EXIT_FAILURE

    def __init__(self, key: str, *, path: str | Path | None = None, line: int | None = None,
                 **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.path = path
        self.line = line
        self.params = params

    def message(self) -> str:
        return _locate(self.path, self.line) + t(self.key, **self.params)

    def __str__(self) -> str:
        return self.message()


class InputError(BroadcastError):
    """The user's input is wrong: a file, a field, an option."""

    exit_code = EXIT_INPUT


class OperationalError(BroadcastError):
    """The input is fine but something around us failed: network, disk, an external tool."""

    exit_code = EXIT_FAILURE


class VerificationFailed(BroadcastError):
    """A package, stick or image does not match what was planned."""

    exit_code = EXIT_VERIFY


class PackageRefused(InputError):
    """A package, manifest or disk image that is damaged, edited or not broadcast's: refused
    like any failed verification (exit 3). An input error still, so whoever only asks "is this
    ours?" (may it be replaced?) catches it as one."""

    exit_code = EXIT_VERIFY


def _locate(path: str | Path | None, line: int | None) -> str:
    if path is None:
        return ""
    return f"{path}:{line}: " if line else f"{path}: "


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in the input, with where it is."""

    key: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    record: str | None = None
    severity: str = "error"
    params: dict = dataclasses.field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self) -> str:
        where = _locate(self.file, self.line)
        label = t("problem.error" if self.is_error else "problem.warning")
        about = []
        if self.record:
            about.append(t("problem.record", record=self.record))
        if self.field:
            about.append(t("problem.field", field=self.field))
        context = (", ".join(about) + ": ") if about else ""
        return f"{where}{label}: {context}{t(self.key, **self.params)}"


class InputProblems(InputError):
    """Every input error of a run, reported at once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("problem.summary")
        self.problems = problems

    def message(self) -> str:
        errors = [p for p in self.problems if p.is_error]
        lines = [p.render() for p in self.problems]
        lines.append(t("problem.summary", errors=len(errors),
                       warnings=len(self.problems) - len(errors)))
        return "\n".join(lines)
