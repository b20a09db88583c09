"""The distribution ledger: an embedded record of what went where, and what was played.

One SQLite file, ``<workspace>/ledger.sqlite``. The office's PC may lose power or a command may
be killed at any moment, so: WAL journal (a rollback journal where WAL cannot work: FAT disks,
network shares), ``synchronous=FULL`` (a commit is on disk before the
command goes on), and every record (a delivery with all its content lines; a batch of plays) is
ONE transaction: after a crash a record is there whole or not at all.

Schema (``PRAGMA user_version`` = 1), created on first open:

- ``delivery``: one row per delivery (action, campaign, commune, version, sequence, channel,
  target, files, bytes, time UTC, ``lines`` = how many content rows belong to it);
- ``content``: what each delivery carries, one row per message (plays, seconds per play);
- ``version``: the package number given to each (campaign, commune, content version);
- ``planned``: the message items a delivered version plans, by date and slot (for planned
  versus played); stored once per version, since the version is a hash of the plan's files;
- ``play``: as-run rows, unique on (commune, date, slot, position or time, message).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from broadcast.errors import OperationalError
from broadcast.package.manifest import Manifest
from broadcast.plan import schedule

NAME = "ledger.sqlite"
SCHEMA_VERSION = 1
ACTIONS = ("build", "usb", "image", "publish", "pull")
CHANNELS = ("folder", "usb", "image", "cloud")

_MIGRATIONS: dict[int, tuple[str, ...]] = {1: (
    """CREATE TABLE delivery (id INTEGER PRIMARY KEY, time TEXT NOT NULL, action TEXT NOT NULL,
        campaign TEXT NOT NULL, commune TEXT NOT NULL, commune_name TEXT NOT NULL,
        version TEXT NOT NULL, sequence INTEGER NOT NULL, channel TEXT NOT NULL,
        target TEXT NOT NULL, files INTEGER NOT NULL, bytes INTEGER NOT NULL,
        lines INTEGER NOT NULL)""",
    """CREATE TABLE content (delivery INTEGER NOT NULL REFERENCES delivery (id),
        line INTEGER NOT NULL, message TEXT NOT NULL, title TEXT NOT NULL, language TEXT NOT NULL,
        topics TEXT NOT NULL, plays INTEGER NOT NULL, seconds REAL NOT NULL,
        PRIMARY KEY (delivery, line))""",
    """CREATE TABLE version (campaign TEXT NOT NULL, commune TEXT NOT NULL, version TEXT NOT NULL,
        sequence INTEGER NOT NULL, PRIMARY KEY (campaign, commune, version))""",
    """CREATE TABLE planned (campaign TEXT NOT NULL, commune TEXT NOT NULL, version TEXT NOT NULL,
        date TEXT NOT NULL, slot TEXT NOT NULL, slot_start TEXT NOT NULL, minutes INTEGER NOT NULL,
        budget REAL NOT NULL, position INTEGER NOT NULL, start REAL NOT NULL,
        duration REAL NOT NULL, message TEXT NOT NULL, title TEXT NOT NULL,
        language TEXT NOT NULL, priority TEXT NOT NULL,
        PRIMARY KEY (campaign, commune, version, date, slot, position))""",
    """CREATE TABLE play (commune TEXT NOT NULL, date TEXT NOT NULL, slot TEXT NOT NULL,
        at TEXT NOT NULL, message TEXT NOT NULL, time TEXT NOT NULL, title TEXT NOT NULL,
        played INTEGER NOT NULL, source TEXT NOT NULL, row INTEGER NOT NULL, ord INTEGER NOT NULL,
        PRIMARY KEY (commune, date, slot, at, message))""",
)}


@dataclass(frozen=True)
class ContentLine:
    """One message a delivery carries: how often the package plays it, and for how long."""

    message: str
    title: str
    language: str
    topics: tuple[str, ...]
    plays: int
    seconds: float
    """Seconds of one play."""


@dataclass(frozen=True)
class Delivery:
    """One package going somewhere: built, copied to a stick, imaged, published or pulled."""

    action: str
    campaign: str
    commune: str
    commune_name: str
    version: str
    sequence: int
    channel: str
    target: str
    files: int
    bytes: int
    content: tuple[ContentLine, ...]
    time: str = ""
    """ISO 8601 UTC (``2026-11-15T08:00:00Z``); ``record`` fills in now when empty."""


@dataclass(frozen=True)
class Play:
    """One row of an as-run log: a message that was (or was not) broadcast."""

    commune: str
    date: dt.date
    slot: str
    time: str
    """When it played (``HH:MM:SS``): the actual time if the log gives one, else the planned one."""
    message: str
    title: str
    played: bool
    source: str
    """The log's file name."""
    row: int
    order: int = 0
    """Position in the slot (our blank sheet's "order"); 0 when the log has none."""

    @property
    def at(self) -> str:
        """The play's place in its day, for the unique key: position when known, else time."""
        return f"#{self.order}" if self.order else self.time


def content_of(manifest: Manifest) -> tuple[ContentLine, ...]:
    """Per message, in first-play order, from the manifest's audio entries; jingles skipped."""
    found: dict[str, list] = {}
    for entry in manifest.audio:
        if not entry.message or entry.message.startswith("_"):
            continue
        found.setdefault(entry.message, []).append(entry)
    return tuple(ContentLine(message=ident, title=entries[0].title or "",
                             language=entries[0].language or "",
                             topics=tuple(entries[0].topics or ()), plays=len(entries),
                             seconds=round(sum(e.duration or 0.0 for e in entries) / len(entries), 3))
                 for ident, entries in found.items())


def delivery_from_manifest(manifest: Manifest, *, action: str, channel: str, target: str,
                           files: int | None = None, bytes: int | None = None) -> Delivery:
    """The delivery of a whole package. ``files``/``bytes`` default to the package's: every file
    the manifest lists plus ``manifest.json`` itself."""
    listed = len(manifest.files) + 1
    size = sum(f.size for f in manifest.files) + len(manifest.to_json().encode("utf-8"))
    return Delivery(action=action, campaign=str(manifest.campaign.get("id", "")),
                    commune=str(manifest.commune.get("id", "")),
                    commune_name=str(manifest.commune.get("name", "")), version=manifest.version,
                    sequence=manifest.sequence, channel=channel, target=target,
                    files=listed if files is None else files, bytes=size if bytes is None else bytes,
                    content=content_of(manifest))


def utc_stamp(moment: str = "") -> str:
    """``moment`` (ISO 8601; naive means UTC), or now, as ``YYYY-MM-DDTHH:MM:SSZ``: one form,
    so that stamps sort as text."""
    when = dt.datetime.fromisoformat(moment.replace("Z", "+00:00")) if moment else \
        dt.datetime.now(dt.timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_date(stamp: str) -> dt.date:
    """The office's day of a UTC time stamp: reports count days as the office lives them."""
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone().date()


def public_target(target: str) -> str:
    """A URL without credentials, query string or fragment: share links carry signatures."""
    if "://" not in target:
        return target
    parts = urlsplit(target)
    host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _in_period(day: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


class Ledger:
    """The ledger file, opened (and created or upgraded) on construction."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn, self.journal = _connect(self.path)
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.Error as exc:
            raise OperationalError("ledger.unreadable", path=self.path, reason=str(exc)) from exc

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. IMMEDIATE takes the write lock first, so a read-then-write
        (the next sequence number) cannot race another process; any failure rolls back whole."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if self._conn.in_transaction:  # some errors (disk full) already rolled back
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise OperationalError("ledger.write_failed", path=self.path, reason=str(exc)) from exc

    def _migrate(self) -> None:
        with self._write() as conn:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current > SCHEMA_VERSION:
                raise OperationalError("ledger.too_new", path=self.path, version=current)
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[version]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version}")

    def integrity(self) -> str:
        """SQLite's own check of the file: ``"ok"`` when sound."""
        return self._conn.execute("PRAGMA integrity_check").fetchone()[0]

    def record(self, delivery: Delivery, plan: schedule.CommunePlan | None = None) -> int:
        """Store a delivery and all its content lines in one transaction; returns its id.

        ``plan``, the commune's plan in this version, is kept once per version so that
        planned-versus-played can be counted later without the workspace."""
        with self._write() as conn:
            return _insert(conn, delivery, plan)

    def record_once(self, delivery: Delivery, plan: schedule.CommunePlan | None = None) -> bool:
        """Record ``delivery`` unless the same action already took this version of this commune
        to this target; True when recorded. A rerun after a crash between doing and recording
        finds the work done and records it here, and never records it twice."""
        with self._write() as conn:
            found = conn.execute(
                "SELECT 1 FROM delivery WHERE action=? AND campaign=? AND commune=? AND version=?"
                " AND target=? LIMIT 1", (delivery.action, delivery.campaign, delivery.commune,
                                         delivery.version, public_target(delivery.target))).fetchone()
            if not found:
                _insert(conn, delivery, plan)
        return not found

    def next_sequence(self, campaign: str, commune: str, version: str) -> int:
        """The package number of this content version: the newest package keeps its number when
        rebuilt; any other content, even one sent before, gets one more than any number given
        to this commune (numbers only go up: a commune that received N refuses anything below)."""
        with self._write() as conn:
            known = conn.execute("SELECT sequence FROM version WHERE campaign=? AND commune=? AND version=?",
                                 (campaign, commune, version)).fetchone()
            highest = conn.execute(
                "SELECT max(s) FROM (SELECT max(sequence) AS s FROM version WHERE campaign=? AND commune=?"
                " UNION ALL SELECT max(sequence) FROM delivery WHERE campaign=? AND commune=?)",
                (campaign, commune, campaign, commune)).fetchone()[0] or 0
            if known and known[0] == highest:
                return known[0]
            conn.execute("INSERT OR REPLACE INTO version VALUES (?,?,?,?)",
                         (campaign, commune, version, highest + 1))
            return highest + 1

    def deliveries(self, start: dt.date | None = None, end: dt.date | None = None) -> list[Delivery]:
        """Deliveries whose local date is within [start, end], oldest first, with their content."""
        lines: dict[int, list[ContentLine]] = {}
        for row in self._conn.execute("SELECT delivery, message, title, language, topics, plays, seconds"
                                      " FROM content ORDER BY delivery, line"):
            lines.setdefault(row[0], []).append(ContentLine(row[1], row[2], row[3],
                                                            tuple(json.loads(row[4])), row[5], row[6]))
        found = []
        for row in self._conn.execute("SELECT id, action, campaign, commune, commune_name, version, sequence,"
                                      " channel, target, files, bytes, time FROM delivery ORDER BY time, id"):
            if _in_period(local_date(row[11]), start, end):
                found.append(Delivery(*row[1:11], content=tuple(lines.get(row[0], ())), time=row[11]))
        return found

    def record_plays(self, plays: Sequence[Play]) -> int:
        """Store as-run rows in one transaction; returns how many were new. A row already present
        (same commune, date, slot, position or time, message) is replaced, never added again:
        importing a sheet twice counts once, and a corrected sheet wins."""
        with self._write() as conn:
            before = conn.execute("SELECT count(*) FROM play").fetchone()[0]
            conn.executemany("INSERT OR REPLACE INTO play VALUES (?,?,?,?,?,?,?,?,?,?,?)", [
                (p.commune, p.date.isoformat(), p.slot, p.at, p.message, p.time, p.title, int(p.played),
                 p.source, p.row, p.order) for p in plays])
            return conn.execute("SELECT count(*) FROM play").fetchone()[0] - before

    def plays(self, start: dt.date | None = None, end: dt.date | None = None) -> list[Play]:
        """As-run rows dated within [start, end], by commune, date, slot and time."""
        rows = self._conn.execute("SELECT commune, date, slot, time, message, title, played, source, row, ord"
                                  " FROM play ORDER BY commune, date, slot, ord, time, message")
        plays = [Play(r[0], dt.date.fromisoformat(r[1]), r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8],
                      r[9]) for r in rows]
        return [p for p in plays if _in_period(p.date, start, end)]

    def delivered_plan(self) -> schedule.Schedule | None:
        """The plan of the latest version delivered (not merely built or published: a publish only
        puts it where the commune can fetch it) to each commune, per
        campaign: the highest package number, the latest of equals. Message items only, as far
        as the ledger holds them; None when it holds none."""
        rows = self._conn.execute(
            "SELECT p.campaign, p.commune, p.date, p.slot, p.slot_start, p.minutes, p.budget, p.start,"
            " p.duration, p.message, p.title, p.priority, p.language FROM planned p JOIN"
            " (SELECT campaign, commune, version FROM delivery d WHERE action NOT IN ('build', 'publish')"
            "  AND id = (SELECT id FROM delivery e WHERE e.campaign = d.campaign AND e.commune = d.commune"
            "   AND e.action NOT IN ('build', 'publish')"
            "   ORDER BY sequence DESC, time DESC, id DESC LIMIT 1)) v"
            " USING (campaign, commune, version)"
            " ORDER BY p.commune, p.date, p.slot_start, p.slot, p.position").fetchall()
        return _schedule_from_rows(rows) if rows else None

    def communes(self) -> dict[str, str]:
        """Commune id → name, as last delivered."""
        rows = self._conn.execute("SELECT commune, commune_name FROM delivery ORDER BY time, id")
        return {ident: name for ident, name in rows}

    def messages(self) -> dict[str, str]:
        """Message id → title, of every message any delivery carried."""
        rows = self._conn.execute("SELECT message, title FROM content ORDER BY delivery, line")
        return {ident: title for ident, title in rows}


def _connect(path: Path) -> tuple[sqlite3.Connection, str]:
    """Open the ledger in WAL mode where it works, else with a rollback journal.

    WAL needs shared memory beside the file, which FAT and exFAT disks behind FUSE and network
    shares (SQLite says so) cannot give: there a write fails ("disk I/O error", "readonly
    database"). A write transaction is tried at once; if it fails, the file is switched to a
    rollback journal (in exclusive mode, which needs no shared memory) and reopened. Both
    modes keep ``synchronous=FULL`` and one transaction per record.
    """
    # isolation_level=None: transactions are ours (BEGIN IMMEDIATE in _write), never implicit.
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return conn, mode
    except sqlite3.OperationalError:
        conn.close()
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    conn.execute("PRAGMA locking_mode=NORMAL")
    return conn, mode


def _insert(conn: sqlite3.Connection, delivery: Delivery, plan: schedule.CommunePlan | None) -> int:
    if delivery.action not in ACTIONS or delivery.channel not in CHANNELS:
        raise ValueError(f"unknown action or channel: {delivery.action}, {delivery.channel}")
    row = (utc_stamp(delivery.time), delivery.action, delivery.campaign, delivery.commune,
           delivery.commune_name, delivery.version, delivery.sequence, delivery.channel,
           public_target(delivery.target), delivery.files, delivery.bytes, len(delivery.content))
    ident = conn.execute(
        "INSERT INTO delivery (time, action, campaign, commune, commune_name, version, sequence,"
        " channel, target, files, bytes, lines) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", row).lastrowid
    conn.executemany("INSERT INTO content VALUES (?,?,?,?,?,?,?,?)", [
        (ident, n, c.message, c.title, c.language, json.dumps(list(c.topics), ensure_ascii=False),
         c.plays, c.seconds) for n, c in enumerate(delivery.content)])
    if plan is not None:
        conn.executemany("INSERT OR IGNORE INTO planned VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         _planned_rows(delivery, plan))
    return ident


def _planned_rows(delivery: Delivery, plan: schedule.CommunePlan) -> list[tuple]:
    return [(delivery.campaign, delivery.commune, delivery.version, day.date.isoformat(), slot.slot,
             slot.start.strftime("%H:%M"), slot.minutes, slot.budget, position, item.start,
             item.duration, item.id, item.title, item.language, item.priority)
            for day in plan.days for slot in day.slots
            for position, item in enumerate(slot.items, start=1) if item.kind == "message"]


def _schedule_from_rows(rows: list[tuple]) -> schedule.Schedule:
    """Rebuild a plan from ``planned`` rows sorted by commune, date, slot start and position."""
    tree: dict[str, dict[str, dict[tuple, list[schedule.Item]]]] = {}
    for _, commune, day, slot, start, minutes, budget, at, duration, ident, title, priority, lang in rows:
        item = schedule.Item("message", ident, "", title, at, duration, priority, lang)
        slots = tree.setdefault(commune, {}).setdefault(day, {})
        slots.setdefault((slot, start, minutes, budget), []).append(item)
    communes = tuple(schedule.CommunePlan(commune, tuple(
        schedule.DayPlan(dt.date.fromisoformat(day), tuple(
            schedule.SlotPlan(name, dt.time.fromisoformat(start), minutes, budget, tuple(items))
            for (name, start, minutes, budget), items in slots.items()))
        for day, slots in days.items())) for commune, days in tree.items())
    dates = [d.date for c in communes for d in c.days]
    campaigns = ", ".join(sorted({row[0] for row in rows}))
    return schedule.Schedule(campaigns, min(dates), max(dates), communes, ())
