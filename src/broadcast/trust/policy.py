"""Whom a receiver trusts: the workspace's keys, ``--trust`` choices, and what a puller remembers.

A puller with trusted keys accepts only packages signed by one of them. A puller without any
trusts on first use, like ssh: the first key that signs a commune's package is remembered in
``seen.json``, and a later package signed by another key is refused until the operator has
phoned the office and runs again with ``--accept-new-key``. In both cases the remembered
sequence number only goes up: an older package is refused as a replay, whatever the flags.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from broadcast import fsio
from broadcast.errors import InputError
from broadcast.package.manifest import Manifest
from broadcast.trust.signing import PublicKey, Verdict, check_manifest, parse_public, user_dir

STATE_ENV = "BROADCAST_STATE_DIR"
SEEN_FILE = "seen.json"
KEYS_DIR = "keys"
MIN_HEX = 16
"""Shortest key id prefix ``--trust`` accepts: the workspace file name, and far from ambiguous."""


def state_dir() -> Path:
    """$BROADCAST_STATE_DIR, else the user's data folder for broadcast."""
    chosen = os.environ.get(STATE_ENV)
    if chosen:
        return Path(chosen).expanduser()
    return user_dir(windows="LOCALAPPDATA", windows_default="AppData/Local",
                    xdg="XDG_STATE_HOME", xdg_default=".local/state")


class Seen:
    """Per commune, the key that last signed an accepted package and its sequence number."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else state_dir() / SEEN_FILE
        self._records = self._read()

    def _read(self) -> dict[str, dict]:
        if not self.path.is_file():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
                raise ValueError("not an object of records")
            return data
        except (ValueError, UnicodeDecodeError) as exc:
            # Never start afresh silently: that would wipe out every remembered key.
            raise InputError("signing.seen_damaged", path=self.path, file=str(self.path)) from exc

    def get(self, commune: str) -> dict | None:
        """``{"keyid", "fingerprint", "sequence"}`` for ``commune``, or None if never pulled."""
        record = self._records.get(commune)
        return dict(record) if record else None

    def sequence(self, commune: str) -> int | None:
        record = self._records.get(commune)
        return int(record["sequence"]) if record and "sequence" in record else None

    def remember(self, commune: str, key: PublicKey, sequence: int) -> None:
        """Record an accepted package. Call it after the package is verified and in place."""
        before = self.sequence(commune)
        # The sequence never goes down, even if a caller skipped decide_pull.
        sequence = max(sequence, before) if before is not None else sequence
        self._records[commune] = {"keyid": key.keyid, "fingerprint": key.fingerprint,
                                  "sequence": int(sequence)}
        fsio.write_text(self.path, json.dumps(self._records, ensure_ascii=False, sort_keys=True,
                                              indent=1) + "\n")


def decide_pull(manifest: Manifest, seen: Seen, *, trusted: Sequence[PublicKey],
                accept_new_key: bool, now: datetime | None = None,
                commune: str | None = None) -> Verdict:
    """Whether a pulled manifest may be used. ``commune`` is the one asked for: a validly signed
    package of another commune served in its place is refused. Does not write ``seen``."""
    found = str(manifest.commune.get("id", ""))
    commune = commune or found
    if found != commune:
        return Verdict(False, "wrong_commune", detail={"commune": commune, "found": found})
    last = seen.sequence(commune)
    if trusted:
        return check_manifest(manifest, trusted=trusted, now=now, last_sequence=last,
                              require_trusted=True)
    verdict = check_manifest(manifest, now=now, last_sequence=last)
    before = seen.get(commune)
    if not verdict.ok or before is None or before.get("keyid") == verdict.key.keyid:
        return verdict
    if accept_new_key:
        return verdict
    detail = {**verdict.detail, "previous": before.get("fingerprint", "?")}
    return Verdict(False, "key_changed", verdict.key, False, detail)


def workspace_keys(root: Path) -> list[PublicKey]:
    """Every ``<workspace>/keys/*.pub``, in name order: the keys the workspace trusts."""
    folder = Path(root) / KEYS_DIR
    return [parse_public(path.read_text(encoding="utf-8"), str(path))
            for path in sorted(folder.glob("*.pub"))]


def add_workspace_key(root: Path, key: PublicKey, comment: str = "") -> Path:
    """Write ``key`` as ``<workspace>/keys/<first 16 hex digits of its id>.pub``."""
    target = Path(root) / KEYS_DIR / f"{key.keyid[:MIN_HEX]}.pub"
    fsio.write_text(target, key.to_text(comment))
    return target


def load_trusted(items: Sequence[str], root: Path | None) -> list[PublicKey]:
    """``--trust`` values: a ``.pub`` file, or a fingerprint or key id of a workspace key."""
    keys: list[PublicKey] = []
    for item in items:
        key = _trusted_one(item, root)
        if key not in keys:
            keys.append(key)
    return keys


def _trusted_one(item: str, root: Path | None) -> PublicKey:
    path = Path(item).expanduser()
    if path.is_file():
        return parse_public(path.read_text(encoding="utf-8"), str(path))
    digits = re.sub(r"[\s:]", "", item).lower()
    if len(digits) < MIN_HEX or not re.fullmatch(r"[0-9a-f]+", digits):
        raise InputError("signing.trust_unknown", value=item)
    known = workspace_keys(root) if root is not None else []
    matches = [k for k in known if k.keyid.startswith(digits)]
    if len(matches) != 1:
        raise InputError("signing.trust_no_match", value=item,
                         known=", ".join(k.fingerprint for k in known) or "—")
    return matches[0]
