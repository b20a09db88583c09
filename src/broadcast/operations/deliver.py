"""Delivering: build every commune's package, write one to a stick, make disk images, publish to
a store, and make a share link an operator pulls from."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from broadcast import fsio, interrupts, pipeline
from broadcast.errors import InputError, VerificationFailed
from broadcast.export import image as images
from broadcast.export import usb
from broadcast.export.cloud import publish as publisher
from broadcast.export.cloud import share as sharer
from broadcast.export.cloud.layout import CommunePlan, Package
from broadcast.export.cloud.stores import open_store
from broadcast.ledger.book import delivery_from_manifest
from broadcast.operations import voice
from broadcast.operations.campaign import Campaign
from broadcast.operations.produce import ClipsFailed, make_clips
from broadcast.package import destination
from broadcast.package.contents import PackagePlan
from broadcast.progress import Advance, Notice, Reporter, quiet
from broadcast.sound import render as renderer
from broadcast.trust import verify

Built = pipeline.Built
"""One commune's package in ``dist/packages/``."""


def build(campaign: Campaign, communes: Sequence[str] = (), *, offline: bool | None = None,
          jobs: int | None = None, report: Reporter = quiet) -> list[Built]:
    """Render, plan and package every commune (or the named ones) into ``dist/packages/``,
    signed with the office's key and recorded in the ledger. The caller holds the lock."""
    campaign.check_communes(communes)
    key = campaign.signing_key()
    made = make_clips(campaign, offline=offline, jobs=jobs, report=report)
    if made.failures:
        raise ClipsFailed(made.failures)
    voices = _MixedVoices(campaign, report)
    with campaign.ledger() as ledger:
        return pipeline.build(campaign.workspace, made, pipeline.sealer(campaign.workspace, key, ledger),
                              communes or None, report=report, each=voices)


class _MixedVoices:
    """A package speaks with one voice unless messages name their own engine: then say so."""

    def __init__(self, campaign: Campaign, report: Reporter) -> None:
        ws = campaign.workspace
        offline = voice.choose(campaign, None).offline
        self.engines = {m.id: renderer.engine_for(ws, m, offline) for m in ws.messages
                        if m.recording is None and not m.awaiting_recording}
        self.report = report

    def __call__(self, plan: PackagePlan) -> None:
        found = sorted({self.engines[f.message] for f in plan.manifest.audio if f.message in self.engines})
        if len(found) > 1:
            self.report(Notice("package.mixed_voices",
                               {"commune": plan.commune.id, "voices": ", ".join(found)}))


def build_packages(campaign: Campaign, communes: Sequence[str] = (), *, offline: bool | None = None,
                   jobs: int | None = None, report: Reporter = quiet) -> list[Built]:
    """``build``, holding the lock: the action behind ``broadcast build``."""
    with campaign.writing("build"):
        return build(campaign, communes, offline=offline, jobs=jobs, report=report)


def _record(campaign: Campaign, built: Built, action: str, channel: str, target: str) -> None:
    """Record a delivery, once: a rerun that finds the work done records what a crash kept
    from being recorded, and never records it twice."""
    with campaign.ledger() as ledger:
        ledger.record_once(delivery_from_manifest(built.manifest(), action=action, channel=channel,
                                                  target=target))


@dataclass(frozen=True)
class OnStick:
    folder: Path
    report: verify.Report
    lines: list[str]
    """The read-back report as lines to show."""
    wrote: bool
    """False when the stick already held this very package, intact."""
    restored: bool
    """An earlier, interrupted replacement had been finished first."""


def write_stick(campaign: Campaign, commune: str, target: Path, *, replace: bool = False,
                offline: bool | None = None, report: Reporter = quiet) -> OnStick:
    """Build ``commune``'s package and write it onto the stick mounted at ``target``, read back."""
    usb.check_target(Path(target))  # before minutes of rendering, not after
    destination.check_outside_campaign(Path(target) / commune)
    with campaign.writing("usb"):
        built = build(campaign, (commune,), offline=offline, report=report)[0]
        total = built.size
        done = 0

        def copied(size: int) -> None:
            nonlocal done
            done += size
            report(Advance("usb", done, total, "bytes"))

        written = usb.write_package(built.folder, target, check=verify.verify, replace=replace,
                                    progress=copied)
        folder = target / built.commune
        checked = dataclasses.replace(written.report, source=str(folder))
        lines = verify.format_report(checked)
        if not checked.ok:
            return OnStick(folder, checked, lines, False, "restored" in written.recovered)
        _record(campaign, built, "usb", "usb", str(folder))
    return OnStick(folder, checked, lines, written.wrote, "restored" in written.recovered)


def require_read_back(result: OnStick) -> None:
    if not result.report.ok:
        raise VerificationFailed("cli.usb.readback_failed", path=result.folder)


@dataclass(frozen=True)
class Imaged:
    commune: str
    path: Path
    size: int


def make_images(campaign: Campaign, communes: Sequence[str] = (), *, everyone: bool = False,
                output: Path | None = None, size: int | None = None, jobs: int | None = None,
                offline: bool | None = None, report: Reporter = quiet) -> list[Imaged]:
    """One FAT32 disk image per commune (``<commune>.img``), for dd, Rufus or balenaEtcher."""
    if not communes and not everyone:
        raise InputError("cli.image.which")
    if output is not None:  # told before minutes of building, not after
        destination.check_outside_campaign(Path(output))
    with campaign.writing("image"):
        built = build(campaign, () if everyone else communes, offline=offline, jobs=jobs,
                      report=report)
        folder = output or campaign.root / images.IMAGES_DIR
        folder.mkdir(parents=True, exist_ok=True)
        fsio.remove_stale_temporaries(folder)  # half-written images of a run that was killed
        made = []
        meter = _ByteMeter(report, "image", sum(b.size for b in built))
        with interrupts.thread_pool(jobs or 2) as (pool, stop):
            def one(item: Built) -> tuple[Built, Path]:
                def written(size: int) -> None:
                    stop.check(size)  # Ctrl-C: the image stops at its next chunk and its .part goes
                    meter(size)
                return item, images.make_image(item.folder, folder / f"{item.commune}.img", size=size,
                                               progress=written)

            futures = [pool.submit(one, item) for item in built]
            for future in interrupts.completed(futures, ordered=True):
                item, path = future.result()
                _record(campaign, item, "image", "image", str(path))
                made.append(Imaged(item.commune, path, path.stat().st_size))
    return made


class _ByteMeter:
    """Adds up bytes from several threads and tells the reporter how far a step is."""

    def __init__(self, report: Reporter, step: str, total: int) -> None:
        self.report, self.step, self.total, self.done = report, step, total, 0
        self._lock = threading.Lock()

    def __call__(self, size: int) -> None:
        with self._lock:
            self.done += size
            self.report(Advance(self.step, min(self.done, self.total), self.total, "bytes"))


@dataclass(frozen=True)
class PublishPlan:
    """What a publish did or, for a dry run, would do, in total."""

    url: str
    uploads: int
    """Objects to write, pointers included."""
    upload_bytes: int
    present: int
    present_bytes: int
    unchanged: int


@dataclass(frozen=True)
class Published:
    plan: PublishPlan
    summary: publisher.Summary | None
    """None for a dry run."""


def publish(campaign: Campaign, url: str, communes: Sequence[str] = (), *,
            store_options: dict | None = None, dry_run: bool = False, jobs: int = 4,
            offline: bool | None = None, report: Reporter = quiet,
            planned: Callable[[CommunePlan], None] | None = None) -> Published:
    """Build and publish packages to ``s3://bucket/prefix`` or ``file:///folder``: each clip once,
    only what the store lacks, commune by commune, each one's pointer after its content.
    ``planned`` hears each commune's plan before its upload (a dry run: instead of it)."""
    store = open_store(url, **(store_options or {}))  # a bad address is told before building
    with campaign.writing("publish"):
        # Only the folders are kept: each package is read again when its turn comes, so the
        # publish holds one commune at a time.
        folders = publisher.publish_order(b.folder for b in build(campaign, communes, offline=offline,
                                                                  report=report))
        done = 0
        with campaign.ledger() as ledger:
            def published(package: Package, plan: CommunePlan) -> None:
                nonlocal done
                # Unchanged ones too: a crash may have kept them from the ledger.
                ledger.record_once(delivery_from_manifest(package.manifest, action="publish",
                                                          channel="cloud", target=store.url))
                done += 1
                report(Advance("upload", done, len(folders), item=plan.commune))

            summary = publisher.publish(store, publisher.packages_in(folders), jobs=jobs,
                                        dry_run=dry_run, planned=planned, published=published)
    totals = PublishPlan(store.url, summary.uploaded, summary.uploaded_bytes, summary.reused,
                         summary.reused_bytes, summary.unchanged)
    return Published(totals, None if dry_run else summary)


@dataclass(frozen=True)
class Shared:
    link: str
    qr: Path | None
    hours: float


def share(url: str, commune: str, *, expires: str = "7d", qr: Path | None = None,
          store_options: dict | None = None) -> Shared:
    """A link from which ``commune``'s latest package can be pulled without credentials."""
    seconds = sharer.parse_expiry(expires)
    if qr:
        sharer.check_qr_path(Path(qr))  # before the link is made, not after
    link = sharer.share(open_store(url, **(store_options or {})), commune, seconds)
    if qr:
        sharer.write_qr(link, qr)
    return Shared(link, qr, seconds / 3600)
