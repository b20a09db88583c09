"""Receiving, in a commune: pull the latest package from a store or a share link, and check a
package folder, a stick or a disk image. Neither needs a campaign folder."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from broadcast.errors import VerificationFailed
from broadcast.export.cloud import pull as puller
from broadcast.ledger.book import delivery_from_manifest
from broadcast.operations import lock
from broadcast.operations.campaign import find_optional, receiver_ledger, trusted_keys
from broadcast.progress import Reporter, quiet
from broadcast.trust import policy, signing, verify
from broadcast.trust.signing import Verdict


@dataclass(frozen=True)
class Pulled:
    result: puller.PullResult
    verdict: Verdict
    verdict_text: str
    """The signature verdict as one sentence for the operator."""


def _lock_path(folder: Path) -> Path:
    """One lock per destination folder, wherever it is named from, in the user's state folder
    (never a file on the stick)."""
    digest = hashlib.sha256(str(folder).encode("utf-8")).hexdigest()[:20]
    return policy.state_dir() / "locks" / f"pull-{digest}.lock"


def pull(source: str, commune: str, dest: Path, *, trust: Sequence[str] = (),
         accept_new_key: bool = False, store_options: dict | None = None,
         workspace_option: str | None = None, report: Reporter = quiet) -> Pulled:
    """Make ``dest`` hold ``commune``'s latest published package, checked file by file and
    signed by a key the receiver trusts (the first one seen, or one given with ``trust``);
    ``report`` hears the bytes as they arrive."""
    campaign = find_optional(workspace_option)
    trusted = trusted_keys(trust, campaign)
    seen = policy.Seen()
    verdicts: list[Verdict] = []

    def approve(manifest) -> None:
        verdict = policy.decide_pull(manifest, seen, trusted=trusted, accept_new_key=accept_new_key,
                                     commune=commune)
        if not verdict.ok:
            raise VerificationFailed("cli.pull.refused", path=source.split("?", 1)[0],
                                     reason=signing.explain(verdict))
        verdicts.append(verdict)

    origin = puller.open_source(source, **(store_options or {}))
    folder = puller.destination_folder(dest, commune)
    with lock.hold(_lock_path(folder), "broadcast pull", shown=folder):
        result = puller.pull(origin, commune, folder, approve=approve, report=report)
        seen.remember(commune, verdicts[-1].key, result.manifest.sequence)
        with receiver_ledger(campaign) as ledger:
            ledger.record_once(delivery_from_manifest(result.manifest, action="pull", channel="cloud",
                                                      target=origin.shown))
    return Pulled(result, verdicts[-1], signing.explain(verdicts[-1]))


@dataclass(frozen=True)
class Checked:
    """One package found at the path: its report as lines, and its signature verdict."""

    lines: list[str]
    verdict_text: str | None
    ok: bool


@dataclass(frozen=True)
class Verified:
    recovered: list[tuple[str, str]]
    """(what was done, folder name) for each interrupted update finished first."""
    packages: list[Checked]

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.packages)


def check_package(path: Path, *, trust: Sequence[str] = (), strict: bool = False, clean: bool = False,
                  workspace_option: str | None = None) -> Verified:
    """Check a package folder, a mounted stick or an ``.img`` against its manifest, and the
    manifest's signature against the trusted keys."""
    trusted = trusted_keys(trust, find_optional(workspace_option))
    seen = policy.Seen()
    recovered = verify.recover(path, clean=clean)
    packages = []
    for report in verify.verify_all(path):
        lines, verdict_text, ok = verify.format_report(report), None, report.ok
        if report.manifest is not None:
            verdict = signing.check_manifest(
                report.manifest, trusted=trusted, require_trusted=strict,
                last_sequence=seen.sequence(report.manifest.commune.get("id", "")))
            verdict_text, ok = signing.explain(verdict), ok and verdict.ok
        packages.append(Checked(lines, verdict_text, ok))
    return Verified(recovered, packages)
