"""The straight line that composes the steps, read top to bottom:

workspace → clips (render) → schedule (plan) → schedule outputs (playlists, sheets, mixdowns)
→ commune packages (dist/packages) → stick, image or cloud (export/)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from broadcast.campaign.model import Workspace
from broadcast.ledger import book as ledger
from broadcast.ledger.book import Ledger
from broadcast.package import contents as package
from broadcast.package import links
from broadcast.package import manifest as manifest_format
from broadcast.package.manifest import Manifest
from broadcast.plan import schedule
from broadcast.plan.dateless import evergreen
from broadcast.plan.outputs import write_schedule
from broadcast.progress import Advance, Notice, Reporter, quiet
from broadcast.sound import render
from broadcast.sound.render import ClipResult, Clips, Failure
from broadcast.trust import signing
from broadcast.trust.signing import SigningKey

__all__ = ["Built", "Clips", "Sealer", "build", "clips", "evergreen", "plan", "sealer",
           "write_schedule"]


def clips(ws: Workspace, *, offline: bool = False, workers: int | None = None,
          progress: Callable[[ClipResult | Failure], None] | None = None,
          jobs: list[render.ClipJob] | None = None) -> Clips:
    """Render every clip that changed (a no-op when nothing did) and drop clips of removed
    messages. ``jobs``, when the caller already planned them, saves planning twice."""
    jobs = render.plan(ws, offline=offline) if jobs is None else jobs
    results, failures = render.render(jobs, workers=workers, progress=progress)
    render.prune(ws, [job.message_id for job in jobs])
    return Clips(tuple(results), tuple(failures))


def plan(ws: Workspace, made: Clips, communes: Collection[str] | None = None, *,
         each: Callable[[schedule.Schedule], None] | None = None) -> schedule.Schedule:
    """The campaign schedule for every commune (or the named ones), from the clips that exist;
    with ``each``, handed over commune by commune instead of kept (``schedule.plan``)."""
    return schedule.plan(ws, *_clip_infos(made), communes, each=each)


def _clip_infos(made: Clips) -> tuple[dict[str, schedule.ClipInfo], schedule.ClipInfo | None]:
    infos = {r.id: schedule.ClipInfo(id=r.id, path=r.path, duration=r.duration, title=r.title)
             for r in made.results}
    return infos, infos.pop(render.STATION, None)


@dataclass(frozen=True)
class Sealer:
    """Finishes every manifest: a version number that only goes up (kept in the ledger), the
    expiry, and the organization's signature."""

    key: SigningKey
    ledger: Ledger
    expires: str

    def __call__(self, manifest: Manifest) -> Manifest:
        number = self.ledger.next_sequence(manifest.campaign["id"], manifest.commune["id"],
                                           manifest.version)
        return signing.sign_manifest(replace(manifest, sequence=number, expires=self.expires),
                                     self.key)


def sealer(ws: Workspace, key: SigningKey, ledger: Ledger) -> Sealer:
    return Sealer(key, ledger, signing.expiry_for(ws.settings.campaign.end, ws.settings.signing.expires))


@dataclass(frozen=True)
class Built:
    """What is kept of one commune's package once it is written: a few numbers and where it is.
    The plan and its manifest are let go, so a build holds one commune at a time, not the
    country (the manifest is read back from the folder when a record needs it)."""

    commune: str
    folder: Path
    changed: bool
    files: int
    """Audio files, in play order."""
    seconds: float
    """Playing time of all of them."""
    size: int
    """Bytes of every file the manifest lists, and of the manifest."""

    @property
    def minutes(self) -> float:
        return self.seconds / 60

    def manifest(self) -> Manifest:
        return manifest_format.read(self.folder)


def build(ws: Workspace, made: Clips, seal: Sealer, communes: Iterable[str] | None = None,
          report: Reporter = quiet,
          each: Callable[[package.PackagePlan], None] | None = None) -> list[Built]:
    """Plan and write every commune's package into ``dist/packages/``, commune by commune: its
    schedule, its package, its ledger record (once: a rerun after a crash records a package that
    was written but never recorded), then the next. ``each`` sees each package's plan."""
    wanted = set(communes) if communes else None  # one commune costs one commune
    count = len(wanted) if wanted is not None else len(ws.communes)
    root = ws.root / package.PACKAGES_DIR
    root.mkdir(parents=True, exist_ok=True)
    spread = links.Links(ws.root / links.LINKS_DIR, links.link_limit(root))
    clip_paths = {r.id: Path(r.path) for r in made.results}
    created = package.created_time(ws)
    copy: _CopyMeter | None = None
    built = []
    for number, one in enumerate(schedule.each_commune(ws, *_clip_infos(made), wanted), start=1):
        commune = one.communes[0]
        write_schedule(ws, one, made)
        p = package.plan_package(ws, one, commune, clip_paths, evergreen(ws, one, commune.commune),
                                 created, seal, seal.key.public.fingerprint)
        if number == 1:
            copy = _copy_meter(p, count, root, report)
        written = package.write_folder(p, root, spread, copy=copy)
        report(Advance("package", number, count, item=p.commune.id))
        if written.repaired:
            report(Notice("package.repaired", {"commune": p.commune.id, "count": len(written.repaired),
                                               "files": ", ".join(written.repaired[:3])}))
        # With its plan, so play logs sent back can be checked against it.
        seal.ledger.record_once(ledger.delivery_from_manifest(p.manifest, action="build",
                                                              channel="folder", target=str(written.folder)),
                                commune)
        if each is not None:
            each(p)
        audio = p.manifest.audio
        built.append(Built(p.commune.id, written.folder, written.changed, len(audio),
                           sum(f.duration or 0 for f in audio),
                           sum(f.size for f in p.manifest.files)
                           + (written.folder / manifest_format.NAME).stat().st_size))
    spread.prune()
    return built


class _CopyMeter:
    """Where hard links cannot be made (a FAT or exFAT disk, a network share, another drive),
    packages are full copies: said once, with their size, and the copying shown as it goes."""

    def __init__(self, report: Reporter, total: int) -> None:
        self.report, self.total, self.done = report, total, 0

    def __call__(self, size: int) -> None:
        self.done += size
        self.total = max(self.total, self.done)
        self.report(Advance("copy", self.done, self.total, "bytes"))


def _copy_meter(first: package.PackagePlan, count: int, root: Path, report: Reporter) -> _CopyMeter | None:
    """A meter when ``root`` cannot take hard links to the clips, None when it can. Packages are
    planned one at a time, so the total is the first one's audio times their number: about."""
    sources = [f.source for f in first.files if f.source is not None]
    if not sources or package.can_link(sources[0], root):
        return None
    total = sum(f.size for f in first.manifest.audio) * count
    report(Notice("package.copies", {"folder": str(root), "mb": f"{total / 1e6:.0f}"}))
    return _CopyMeter(report, total)
