"""Helpers for the bad-input tests (issue 10): edit a built campaign the way an office writes it
wrong, run the CLI in-process, and check the answer and that nothing broadcast made changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

INTERNAL = ("Traceback", "internal error", "Lỗi trong chương trình")
"""What must never show for bad input: a traceback or the internal-error line (en, vi)."""


def outputs(root: Path) -> dict[str, str]:
    """What broadcast made: build/, dist/ and the ledger, byte for byte."""
    files = [p for top in ("build", "dist") for p in (root / top).rglob("*") if p.is_file()]
    files += list(root.glob("ledger.sqlite*"))
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def edit(root: Path, changes: dict) -> None:
    """Write each file: new text or bytes, or a function of the old text."""
    for name, change in changes.items():
        path = root / name
        if callable(change):
            change = change(path.read_text(encoding="utf-8"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(change if isinstance(change, bytes) else change.encode("utf-8"))


def sub(old: str, new: str):
    """An edit replacing ``old`` (which must be there) by ``new``."""
    def change(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return change


def vietnamese_by_default(monkeypatch) -> None:
    """The environment of a Vietnamese office PC: no BROADCAST_LANG, a neutral locale."""
    monkeypatch.delenv("BROADCAST_LANG", raising=False)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.setenv(var, "C.UTF-8")


def named(output: str, expected: list[tuple], words: tuple[str, str]) -> None:
    """Each expected (file, line or None, field or None) has a line of ``output`` naming it;
    ``words`` are the words for error and field in the output's language."""
    lines = output.splitlines()
    for file, line, field in expected:
        where = f"{file}:{line}: " if line else f"{file}: "
        found = [x for x in lines if x.startswith(where) and f": {words[0]}: " in x]
        assert found, (where, output)
        if field:
            assert any(f"{words[1]} '{field}'" in x for x in found), (field, output)


def refused(root: Path, run_cli, monkeypatch, expected: list[tuple]) -> tuple[str, str]:
    """Run check (Vietnamese, the default) and build (--lang en): both exit 2 naming each
    expected (file, line, field), and nothing broadcast made changes. Returns both outputs."""
    before = outputs(root)
    vietnamese_by_default(monkeypatch)
    vi = run_cli("-w", str(root), "check")
    en = run_cli("--lang", "en", "-w", str(root), "build", "--offline")
    for result, words in ((vi, ("lỗi", "trường")), (en, ("error", "field"))):
        assert result.exit_code == 2, result.stderr
        assert not any(word in result.stderr for word in INTERNAL), result.stderr
        named(result.stderr, expected, words)
    assert "Tổng cộng" in vi.stderr and "In all" in en.stderr
    assert outputs(root) == before
    return vi.stderr, en.stderr
