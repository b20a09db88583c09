"""A commune operator's actions, with no campaign folder: pull a package from a share link into
the operator's own folder of received packages, check it, and copy it onto a stick.

The received folder is ``received/`` in the user's state folder (``$BROADCAST_STATE_DIR``), one
package per commune, each replaced only by a newer one that ``pull`` has checked.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from broadcast.errors import InputError
from broadcast.export import usb
from broadcast.export.cloud import pull as puller
from broadcast.ledger.book import delivery_from_manifest
from broadcast.operations import receive
from broadcast.operations.campaign import receiver_ledger
from broadcast.package import manifest as manifest_format
from broadcast.progress import Advance, Reporter, quiet
from broadcast.trust import policy, signing, verify

RECEIVED = "received"


def received_folder() -> Path:
    return policy.state_dir() / RECEIVED


def link_commune(link: str) -> str | None:
    """The commune a share link is for (a share document names it); None for a store address."""
    source = puller.open_source(link.strip())
    return getattr(source, "commune", None)


@dataclass(frozen=True)
class Received:
    commune: str
    folder: Path
    version: str
    fingerprint: str
    """The sender's key, to compare by phone."""
    verdict_text: str
    downloaded: int
    reused: int


def pull_package(link: str, commune: str | None = None, *, report: Reporter = quiet) -> Received:
    """Fetch the latest package a share link (or a store) offers into the received folder,
    every file checked and its signature judged as ``broadcast pull`` judges it."""
    link = link.strip()
    if not link:
        raise InputError("ui.operator.no_link")
    commune = (commune or "").strip() or link_commune(link)
    if not commune:
        raise InputError("ui.operator.which_commune")
    pulled = receive.pull(link, commune, received_folder() / commune, report=report)
    result, key = pulled.result, pulled.verdict.key
    return Received(commune, result.folder, result.version, key.fingerprint if key else "",
                    pulled.verdict_text, result.downloaded, result.reused)


@dataclass(frozen=True)
class Package:
    commune: str
    name: str
    folder: Path
    version: str
    created: str
    fingerprint: str
    sequence: int = 0
    """The package's number, which only goes up (what "Số gói" counts)."""


def received_packages() -> list[Package]:
    """The packages in the received folder, by commune."""
    found = []
    root = received_folder()
    for folder in sorted(root.iterdir()) if root.is_dir() else ():
        path = folder / manifest_format.NAME
        if folder.name.startswith(".") or not path.is_file():
            continue
        try:
            m = manifest_format.parse(path.read_text(encoding="utf-8"), str(path))
        except (InputError, ValueError, json.JSONDecodeError):
            continue  # not a package this version can read: verify names what is wrong with it
        key = signing.check_manifest(m).key
        found.append(Package(str(m.commune.get("id", folder.name)), str(m.commune.get("name", "")),
                             folder, m.version, m.created, key.fingerprint if key else "", m.sequence))
    return found


def received_package(commune: str) -> Path:
    for package in received_packages():
        if package.commune == commune:
            return package.folder
    raise InputError("ui.operator.not_received", commune=commune)


@dataclass(frozen=True)
class Copied:
    folder: Path
    lines: list[str]
    ok: bool
    wrote: bool


def copy_to_stick(commune: str, target: Path, *, replace: bool = False,
                  report: Reporter = quiet) -> Copied:
    """Write a received package onto the stick at ``target`` in play order and read it back,
    as ``broadcast usb`` does; the copy is recorded in the operator's own ledger."""
    source = received_package(commune)
    m = usb.load_manifest(source)
    total = sum(f.size for f in m.files)
    done = 0

    def copied(size: int) -> None:
        nonlocal done
        done += size
        report(Advance("usb", done, total, "bytes"))

    written = usb.write_package(source, target, check=verify.verify, replace=replace, progress=copied)
    folder = target / commune
    checked = dataclasses.replace(written.report, source=str(folder))
    if checked.ok:
        with receiver_ledger(None) as ledger:
            ledger.record_once(delivery_from_manifest(m, action="usb", channel="usb", target=str(folder)))
    return Copied(folder, verify.format_report(checked), checked.ok, written.wrote)
