"""The page stands on the operations layer only, speaks only through the catalogs, and fetches
nothing from anywhere: templates and static files are the package's own."""

from __future__ import annotations

import re
from pathlib import Path

from test_layout import graph

from broadcast import i18n
from broadcast.operations import editing

UI = Path(__file__).resolve().parents[2] / "src" / "broadcast" / "ui"
UI_MAY_IMPORT = ("broadcast.operations", "broadcast.i18n", "broadcast.errors", "broadcast.ui")
KEY = re.compile(r"""["']((?:ui|cli|sheet|field|lock)\.[a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")


def test_the_page_calls_only_the_operations_layer():
    wrong = sorted(f"{a} → {b}" for a, deps in graph().items() if a.startswith("broadcast.ui")
                   for b in deps if b != "broadcast" and not b.startswith(UI_MAY_IMPORT))
    assert wrong == []


def test_only_the_ui_command_starts_the_page_and_the_page_never_imports_the_command_line():
    edges = graph()
    assert sorted(a for a, deps in edges.items() if any(d.startswith("broadcast.ui") for d in deps)
                  and not a.startswith("broadcast.ui")) == ["broadcast.cli.ui"]
    assert not any(d.startswith("broadcast.cli") for a, deps in edges.items() if a.startswith("broadcast.ui")
                   for d in deps)
    sources = [p.read_text("utf-8") for p in UI.rglob("*.py")]
    assert not any(re.search(r"^\s*(import|from) click\b", s, re.MULTILINE) for s in sources)


def test_every_sentence_of_the_page_is_in_both_catalogs():
    used = set()
    for path in [*UI.rglob("*.html"), *UI.rglob("*.py")]:
        used |= set(KEY.findall(path.read_text("utf-8")))
    vi, en = i18n.catalog("vi"), i18n.catalog("en")
    assert len(used) > 150  # the scan itself works
    used = {k for k in used if not k.endswith("_")}  # "ui.campaign.step_" + step: built, below
    assert sorted(k for k in used if k not in vi or k not in en) == []
    # Keys built from a value: every value the page can give them.
    built = [f"ui.{group}.{name}" for group, names in {
        "state": ("ready", "changed", "awaiting", "error", "unknown"),
        "priority": ("emergency", "priority", "normal"), "engine": ("gtts", "espeak"),
        "channel": ("usb", "image", "cloud"),
        "step": ("render", "usb", "copy", "upload", "download", "package", "image"),
        "action": ("build", "preview", "stick", "verify", "images", "publish", "schedule", "pull"),
        "denied": ("host", "token", "origin", "csrf"),
        "campaign": ("step_fix", "step_listen", "step_deliver"),
        "records.kind": ("build", "usb", "image", "publish", "pull")}.items() for name in names]
    fields = [*editing.table_of(Path("."), "message"), *editing.table_of(Path("."), "commune"),
              "organization", "campaign.id", "campaign.name", "campaign.start", "campaign.end",
              "speech.engine", "speech.rate", "schedule.fill", "schedule.jingle_every",
              "schedule.max_per_slot"]
    built += [f"ui.{part}.{name}" for part in ("field", "help") for name in fields]
    assert sorted(k for k in built if k not in vi or k not in en) == []


def test_nothing_is_fetched_from_elsewhere():
    for path in [*UI.rglob("*.html"), *UI.rglob("*.css"), *UI.rglob("*.js")]:
        text = path.read_text("utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), path
        assert "@import" not in text and "url(http" not in text, path
        assert not re.search(r"<script>(?!\s*</script>)", text), path  # no inline script: CSP forbids it
        assert 'style="' not in text, path


def test_page_weight():
    """What the browser loads besides a page's HTML: one stylesheet, one script, no fonts."""
    assert sorted(p.name for p in (UI / "static").iterdir()) == ["ui.css", "ui.js"]
    assert sum(p.stat().st_size for p in (UI / "static").iterdir()) < 24_000
