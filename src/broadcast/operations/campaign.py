"""Opening a campaign folder for an action, and what every action shares: the lock, the ledger,
the signing key, the trusted keys."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from broadcast.campaign import workspace as workspace_files
from broadcast.campaign.model import Workspace
from broadcast.errors import InputError, Problem
from broadcast.operations import lock

if TYPE_CHECKING:  # the ledger (sqlite) and the keys (cryptography) load when an action needs them
    from broadcast.ledger.book import Ledger
    from broadcast.trust.signing import PublicKey, SigningKey


@dataclass
class Campaign:
    """A campaign folder, its records loaded once, with the warnings found while loading."""

    root: Path
    _loaded: tuple[Workspace, list[Problem]] | None = field(default=None, repr=False)

    @property
    def workspace(self) -> Workspace:
        return self._load()[0]

    @property
    def warnings(self) -> list[Problem]:
        return self._load()[1]

    def _load(self) -> tuple[Workspace, list[Problem]]:
        if self._loaded is None:
            from broadcast.operations import inputs  # text preparation and ffmpeg: only when opened

            self._loaded = inputs.load(self.root)
        return self._loaded

    def writing(self, action: str) -> contextlib.AbstractContextManager[None]:
        """Held by every action that writes into the folder: one writer at a time."""
        return lock.workspace(self.root, f"broadcast {action}")

    def ledger(self) -> Ledger:
        """The record of what went where (``ledger.sqlite`` beside ``broadcast.yaml``)."""
        from broadcast.ledger.book import NAME, Ledger

        return Ledger(self.root / NAME)

    def signing_key(self) -> SigningKey:
        from broadcast.trust import signing

        return signing.load_key(self.workspace.settings.signing.key or signing.default_key_path())

    def check_communes(self, communes: Sequence[str]) -> None:
        known = {c.id for c in self.workspace.communes}
        unknown = [c for c in communes if c not in known]
        if unknown:
            raise InputError("cli.schedule.unknown_commune", commune=", ".join(unknown),
                             known=", ".join(sorted(known)))


def find(option: str | os.PathLike | None) -> Campaign:
    """The campaign named by ``-w``, else $BROADCAST_WORKSPACE, else the current folder."""
    return Campaign(workspace_files.discover(option))


def find_optional(option: str | os.PathLike | None) -> Campaign | None:
    """The campaign folder we are in, if any: an operator checking a stick has none. One named
    by ``-w`` or $BROADCAST_WORKSPACE must exist."""
    try:
        return find(option)
    except InputError:
        if option or os.environ.get(workspace_files.ENV_VAR):
            raise
        return None


def trusted_keys(items: Sequence[str], campaign: Campaign | None) -> list[PublicKey]:
    """Keys given with --trust, and every key in the campaign's keys/ folder."""
    from broadcast.trust import policy

    root = campaign.root if campaign else None
    return [*policy.load_trusted(items, root), *(policy.workspace_keys(root) if root else [])]


@contextlib.contextmanager
def receiver_ledger(campaign: Campaign | None) -> Iterator[Ledger]:
    """Where a pull is recorded: the campaign's ledger, or the user's own outside any."""
    from broadcast.ledger.book import NAME, Ledger
    from broadcast.trust import policy

    with Ledger((campaign.root if campaign else policy.state_dir()) / NAME) as book:
        yield book
