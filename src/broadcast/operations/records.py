"""Records and keys: the report of what went where, play logs sent back, the office's key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from broadcast import fsio
from broadcast.campaign.model import SETTINGS_FILE
from broadcast.errors import InputError, InputProblems
from broadcast.ledger import asrun, report_html
from broadcast.ledger import report as reports
from broadcast.ledger.book import NAME as LEDGER_NAME
from broadcast.ledger.book import Ledger
from broadcast.ledger.report_reach import URGENT, Audience, Urgent
from broadcast.operations.campaign import Campaign, find_optional
from broadcast.package import destination
from broadcast.trust import policy, signing

FORMATS = ("table", "csv", "xlsx", "html")


@dataclass(frozen=True)
class Reported:
    text: str | None
    """The report itself, when it was not written to a file."""
    written: Path | None


def report(campaign: Campaign, *, start: dt.date | None = None, end: dt.date | None = None,
           fmt: str = "table", output: Path | None = None) -> Reported:
    """What went where and was played, per commune and in total, as a table, CSV, XLSX or HTML."""
    if start and end and start > end:
        raise InputError("cli.report.bad_period", start=start, end=end)
    if fmt == "xlsx" and output is None:
        raise InputError("cli.report.needs_output")
    path = campaign.root / LEDGER_NAME
    if not path.is_file():  # do not create an empty ledger just to report nothing
        raise InputError("cli.report.no_ledger", path=path)
    if output is not None:  # an earlier report is replaced, a file of the user's never
        destination.check_output_file(Path(output), reports.is_own_report)
    with Ledger(path) as book:
        made = reports.build_report(book, start=start, end=end, audience=_audience(campaign))
    if fmt == "xlsx":
        reports.to_xlsx(made, output)
        return Reported(None, output)
    text = {"table": reports.to_table, "csv": reports.to_csv, "html": report_html.to_html}[fmt](made)
    if output is None:
        return Reported(text, None)
    # A byte-order mark lets Excel open a CSV file as UTF-8 (Vietnamese) on Windows.
    fsio.write_text(output, ("\ufeff" if fmt == "csv" else "") + text)
    return Reported(None, output)


def _audience(campaign: Campaign) -> Audience | None:
    """Who should hear the urgent messages; None when the campaign's files cannot be read now
    (the report of what was delivered is still made, without these warnings)."""
    try:
        ws = campaign.workspace
    except InputProblems:
        return None
    return Audience({c.id: c.languages for c in ws.communes},
                    [Urgent(m.id, m.title, m.priority, m.language) for m in ws.messages
                     if m.priority in URGENT])


def import_play_logs(campaign: Campaign, files: Sequence[Path]) -> asrun.ImportResult:
    """Read the play logs communes send back into the ledger; bad rows are reported, never fatal."""
    ws = campaign.workspace
    with campaign.writing("asrun import"), campaign.ledger() as book:
        return asrun.import_into(book, files, {c.id: c.name for c in ws.communes},
                                 {m.id: m.title for m in ws.messages})


@dataclass(frozen=True)
class KeyMade:
    path: Path
    fingerprint: str
    trusted_file: Path | None
    """The public key written into the campaign's keys/ folder, when made inside one."""


def make_key(key_path: Path | None = None, *, force: bool = False,
             workspace_option: str | None = None) -> KeyMade:
    """The office's new Ed25519 key: the private half stays outside any campaign folder."""
    campaign = find_optional(workspace_option)
    root = campaign.root if campaign else None
    path = key_path or signing.default_key_path()
    _refuse_inside_workspace(path, root)
    key = signing.init_key(path, force=force)
    trusted = None
    if root is not None:
        trusted = policy.add_workspace_key(root, key.public, f"created {dt.date.today().isoformat()}")
    return KeyMade(path, key.public.fingerprint, trusted)


def _refuse_inside_workspace(path: Path, root: Path | None) -> None:
    """Private keys stay out of campaign folders: those get copied, shared and published."""
    where = path.expanduser().resolve()
    holders = [root] if root is not None and where.is_relative_to(root.resolve()) else []
    holders += [p for p in where.parents if (p / SETTINGS_FILE).is_file()]  # any other campaign
    if holders:
        raise InputError("signing.key_in_workspace", path=path, folder=str(holders[0]),
                         default=str(signing.default_key_path()))


@dataclass(frozen=True)
class KeyShown:
    path: Path
    fingerprint: str
    keyid: str


def show_key(key_path: Path | None = None) -> KeyShown:
    """The fingerprint and key id of the office's key, or of a ``.pub`` file."""
    path = key_path or signing.default_key_path()
    if path.suffix == ".pub":
        public = signing.parse_public(path.read_text(encoding="utf-8"), str(path))
    else:
        public = signing.load_key(path).public
    return KeyShown(path, public.fingerprint, public.keyid)
