"""Check a package folder, a mounted stick or a disk image against its manifest.

An operator in a commune has only the stick (or the .img) and broadcast: this says whether what is
there is exactly what was planned. Every listed file must be there with its size and sha256;
nothing else may be there, hidden files least of all (players give them play slots); and where
the directory order means something (FAT), audio must stand in play order, because cheap players
play directory order, not names.

One checker serves the three sources through a small view: list a folder in directory order,
stream a file. Only entries found by listing the source are ever read, so a manifest path can
never make verify read outside the package.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from broadcast import fsio
from broadcast.errors import InputError, PackageRefused, VerificationFailed
from broadcast.export.fat.read import FatImage
from broadcast.export.fstype import on_fat
from broadcast.i18n import current_language, t_in
from broadcast.package import manifest as manifest_format
from broadcast.package.manifest import Manifest

# What operating systems make on every stick they touch (FIELD.md): Windows, macOS, Linux. An
# operator often cannot delete them, and players skip them, so they are noted, never refused.
SYSTEM_NAMES = frozenset({"system volume information", "$recycle.bin", "recycler", "recycled",
                          "desktop.ini", "thumbs.db", ".fseventsd", ".spotlight-v100", ".trashes",
                          ".temporaryitems", ".ds_store", ".apdisk", ".volumeicon.icns",
                          ".metadata_never_index", "lost+found", ".documentrevisions-v100",
                          ".trash", "lost.dir", ".android_secure"})
# (LOST.DIR and .android_secure: an Android phone, which operators use as a player too.)
SYSTEM_PREFIXES = (".trash-",)  # Linux desktops: .Trash-1000
APPLEDOUBLE = "._"  # a Mac's companion of each file it writes or tags
NOTE_KINDS = frozenset({"system", "appledouble"})
"""Findings that are information, not problems: they never make a report fail."""
# File systems whose listing order is the on-disk directory order players follow.
FILE_ATTRIBUTE_HIDDEN_OR_SYSTEM = 0x02 | 0x04
MAX_MANIFEST_BYTES = 64 << 20
CHUNK = 1 << 20


@dataclass(frozen=True)
class Finding:
    """One way in which the source differs from the plan.

    ``kind`` is missing | extra | size | hash | order | hidden | leftover | manifest; ``path`` is relative to
    the source root ("" is the root itself). ``detail`` refines the kind: "folder" for an extra or
    hidden folder, "duplicate" or "scattered" for a manifest problem. ``expected`` and ``found``
    are the sizes, hashes or names compared; ``position`` the 1-based place of an order problem.
    """

    kind: str
    path: str
    detail: str = ""
    expected: str = ""
    found: str = ""
    position: int = 0


@dataclass(frozen=True)
class Report:
    """The result for one package (or, with ``manifest`` None, for a stick outside its packages)."""

    source: str  # what was given: folder, stick root or image file
    manifest: Manifest | None
    findings: tuple[Finding, ...]
    files_checked: int  # files whose contents were hashed
    bytes_checked: int
    order_checked: bool = True  # False for a folder not on FAT, where listing order means nothing
    package: str = ""  # where the package sits in the source: "" for its root, else "xa-a"

    @property
    def problems(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind not in NOTE_KINDS)

    @property
    def notes(self) -> tuple[Finding, ...]:
        """What operating systems left, told for information."""
        return tuple(f for f in self.findings if f.kind in NOTE_KINDS)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Item:
    """An entry of the source as listed, in directory order."""

    path: str  # relative to the source root, "/"-joined
    is_dir: bool
    regular: bool  # a plain file: not a link, device or the like (those are never read)
    size: int
    flagged: bool  # hidden or system attribute (FAT, Windows)
    handle: object = field(default=None, compare=False)  # the view's own reference

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2]


class _View(Protocol):
    source: str
    order_checked: bool

    def children(self, folder: Item | None) -> list[Item]: ...

    def chunks(self, item: Item) -> Iterator[bytes]: ...


LEFTOVER = re.compile(r"^\.(?P<final>.+)" + re.escape(fsio.OWN_MARK) + r"(?P<kind>[a-z]+)-[A-Za-z0-9]+$")
"""broadcast's own temporary folders (``fsio.own_sibling``): ``.xa-a.broadcast-new-1f2e…``."""


def recover(path: Path, *, clean: bool = False) -> list[tuple[str, str]]:
    """Finish what an interrupted ``usb``, ``pull`` or ``build`` left at ``path`` (a stick, a
    package folder, or where one should be): a package renamed aside and never put back is put
    back. With ``clean``, unfinished copies are deleted too (a player would play them); without,
    ``verify`` reports them. Returns (what was done, folder name) pairs."""
    path = Path(path)
    finals = {path.parent / m["final"] for m in _leftovers(path.parent) if m["final"] == path.name}
    if path.is_dir():  # a stick or a folder holding packages: every package in it
        finals |= {path / m["final"] for m in _leftovers(path)}
    done = []
    for final in sorted(finals):
        done += [(what, final.name) for what in fsio.recover_folder(final, stale_new=clean)]
        for staging in fsio.own_siblings(final, "pull") if clean else ():  # a pull's resume state
            shutil.rmtree(staging)
            done.append(("removed", final.name))
    return done


def _leftovers(folder: Path) -> list[re.Match]:
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return []
    return [m for m in map(LEFTOVER.match, names) if m]


def verify_all(path: Path) -> list[Report]:
    """Check a package folder, a stick's root or a disk image (found by content, any extension).

    Returns one report per package found: at the root, or in sub-folders one level down (as
    ``broadcast usb`` writes them); with several packages, problems outside them come in one
    more report whose ``manifest`` is None. Raises InputError (exit 2) when the path is not
    there or holds no manifest, and PackageRefused (exit 3) when the manifest is damaged or
    unsafe or a file is not a readable FAT image.
    """
    path = Path(path)
    if path.is_dir():
        return _verify_view(_FolderView(path))
    if not path.exists():
        raise InputError("verify.not_found", path=path)
    if path.name == manifest_format.NAME:
        return verify_all(path.parent)
    try:
        with FatImage(path) as image:
            return _verify_view(_ImageView(image, str(path)))
    except InputError as exc:
        if exc.key != "verify.not_fat":
            raise
        raise PackageRefused(exc.key, path=exc.path, **exc.params) from exc  # damaged: exit 3


def verify(path: Path) -> Report:
    """Check the one package at ``path`` (as ``verify_all``); InputError if it holds several."""
    reports = verify_all(path)
    if len(reports) > 1:
        packages = [r.package for r in reports if r.manifest is not None]
        raise InputError("verify.several_packages", path=path, count=len(packages),
                         packages=", ".join(packages))
    return reports[0]


def require_ok(reports: Sequence[Report]) -> None:
    """Raise VerificationFailed (exit 3) when any report has problems."""
    problems = sum(len(r.problems) for r in reports)
    if problems:
        raise VerificationFailed("verify.failed", problems=problems)


class _FolderView:
    """A folder on this computer: a built package or a mounted stick."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.source = str(root)
        self.order_checked = on_fat(root)

    def children(self, folder: Item | None) -> list[Item]:
        base = folder.handle if folder else self.root
        prefix = f"{folder.path}/" if folder else ""
        with os.scandir(base) as listing:  # scandir order is directory order on FAT
            return [self._item(prefix, entry) for entry in listing]

    def _item(self, prefix: str, entry: os.DirEntry) -> Item:
        info = entry.stat(follow_symlinks=False)  # links are never followed out of the package
        flagged = bool(getattr(info, "st_file_attributes", 0) & FILE_ATTRIBUTE_HIDDEN_OR_SYSTEM)
        return Item(prefix + entry.name, stat.S_ISDIR(info.st_mode), stat.S_ISREG(info.st_mode),
                    info.st_size, flagged, Path(entry.path))

    def chunks(self, item: Item) -> Iterator[bytes]:
        flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
        with open(os.open(item.handle, flags), "rb", buffering=0) as source:
            while chunk := source.read(CHUNK):
                yield chunk


class _ImageView:
    """A FAT disk image, read by fatread: its directory order is what a player will see."""

    def __init__(self, image: FatImage, source: str) -> None:
        self.image = image
        self.source = source
        self.order_checked = True

    def children(self, folder: Item | None) -> list[Item]:
        return [Item(e.path, e.is_dir, not e.is_dir, e.size, e.hidden, e)
                for e in self.image.listdir(folder.handle if folder else None)]

    def chunks(self, item: Item) -> Iterator[bytes]:
        return self.image.chunks(item.handle)


@dataclass
class _Scan:
    """What listing the source found: files in expected folders, each folder's order, strays."""

    files: dict[str, Item] = field(default_factory=dict)
    order: dict[str, list[str]] = field(default_factory=dict)
    strays: list[Finding] = field(default_factory=list)


def _verify_view(view: _View) -> list[Report]:
    root = view.children(None)
    packages = _find_packages(view, root)
    wanted_files = {_join(prefix, f.path) for prefix, m in packages for f in m.files}
    wanted_files |= {_join(prefix, manifest_format.NAME) for prefix, _ in packages}
    wanted_folders = {folder for path in wanted_files for folder in _parents(path)}
    scan = _Scan()
    _scan_folder(view, "", root, wanted_files, wanted_folders, scan)
    reports = [_check_package(view, prefix, m, scan) for prefix, m in packages]
    outside = [f for f in scan.strays if not any(_inside(f.path, p) for p, _ in packages)]
    if outside and len(reports) == 1:
        reports[0] = replace(reports[0], findings=reports[0].findings + tuple(outside))
    elif outside:
        reports.append(Report(view.source, None, tuple(outside), 0, 0, view.order_checked))
    return reports


def _find_packages(view: _View, root: list[Item]) -> list[tuple[str, Manifest]]:
    """(folder, manifest) of the package at the root, else of each sub-folder holding one."""
    at_root = _manifest_item(root)
    if at_root is not None:
        return [("", _load_manifest(view, at_root))]
    found = []
    for item in root:
        if item.is_dir and not _is_hidden(item):
            inner = _manifest_item(view.children(item))
            if inner is not None:
                found.append((item.path, _load_manifest(view, inner)))
    if not found:
        raise InputError("verify.no_manifest", path=view.source)
    return found


def _manifest_item(items: Iterable[Item]) -> Item | None:
    return next((i for i in items if i.name == manifest_format.NAME and i.regular), None)


def _load_manifest(view: _View, item: Item) -> Manifest:
    shown = f"{view.source}/{item.path}"
    if item.size > MAX_MANIFEST_BYTES:
        raise PackageRefused("manifest.malformed", path=shown, detail=f"{item.size} bytes")
    try:
        text = b"".join(view.chunks(item)).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackageRefused("manifest.malformed", path=shown, detail=str(exc)) from exc
    return manifest_format.parse(text, shown)


def _scan_folder(view: _View, folder: str, items: list[Item], wanted_files: set[str],
                 wanted_folders: set[str], scan: _Scan) -> None:
    """Record a folder's order and files; descend only into folders the packages need."""
    scan.order[folder] = [i.name for i in items]
    for item in items:
        wanted = item.path in (wanted_folders if item.is_dir else wanted_files) and (
            item.is_dir or item.regular)
        if item.is_dir and LEFTOVER.match(item.name):
            scan.strays.append(Finding("leftover", item.path, "folder"))
        elif _is_system(item.name):
            scan.strays.append(Finding("system", item.path, "folder" if item.is_dir else ""))
        elif item.name.startswith(APPLEDOUBLE) and not item.is_dir:
            scan.strays.append(Finding("appledouble", item.path))
        elif _is_hidden(item):
            scan.strays.append(Finding("hidden", item.path, "folder" if item.is_dir else ""))
        elif not wanted:
            scan.strays.append(Finding("extra", item.path, "folder" if item.is_dir else ""))
        if wanted and item.is_dir:
            _scan_folder(view, item.path, view.children(item), wanted_files, wanted_folders, scan)
        elif wanted:
            scan.files[item.path] = item


def _check_package(view: _View, prefix: str, manifest: Manifest, scan: _Scan) -> Report:
    findings = manifest_findings(manifest, prefix)
    checked = checked_bytes = 0
    for entry in manifest.files:
        path = _join(prefix, entry.path)
        item = scan.files.get(path)
        if item is None:
            findings.append(Finding("missing", path))
        elif item.size != entry.size:
            findings.append(Finding("size", path, expected=str(entry.size), found=str(item.size)))
        else:
            digest = _sha256(view.chunks(item))
            checked, checked_bytes = checked + 1, checked_bytes + item.size
            if digest != entry.sha256.lower():
                findings.append(Finding("hash", path, expected=entry.sha256[:12], found=digest[:12]))
    if view.order_checked:
        findings += order_findings(expected_order([_join(prefix, f.path) for f in manifest.audio]),
                                   scan.order)
    findings += [f for f in scan.strays if _inside(f.path, prefix)]
    return Report(view.source, manifest, tuple(findings), checked, checked_bytes,
                  view.order_checked, prefix)


def _sha256(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def manifest_findings(manifest: Manifest, prefix: str = "") -> list[Finding]:
    """Paths listed twice (FAT ignores case), and folders whose audio the play order leaves and
    comes back to, which no player that follows folder order can play."""
    findings, seen = [], set()
    for entry in manifest.files:
        if entry.path.upper() in seen:
            findings.append(Finding("manifest", _join(prefix, entry.path), "duplicate"))
        seen.add(entry.path.upper())
    done: set[str] = set()
    current = None
    for entry in manifest.audio:
        folder = entry.path.rpartition("/")[0]
        if folder != current:
            if folder in done:
                findings.append(Finding("manifest", _join(prefix, folder), "scattered"))
            done.add(folder)
            current = folder
    return findings


def expected_order(audio_paths: Sequence[str]) -> dict[str, list[str]]:
    """For every folder on the way to an audio file, its children (files and folders) in play order."""
    order: dict[str, dict[str, None]] = {}
    for path in audio_paths:
        parts = path.split("/")
        for depth in range(len(parts)):
            order.setdefault("/".join(parts[:depth]), {})[parts[depth]] = None
    return {folder: list(names) for folder, names in order.items()}


def first_difference(expected: Sequence[str], found: Sequence[str]) -> tuple[int, str, str] | None:
    """(1-based position, expected name, found name) where the found order first departs from the
    expected one, or None. Names only one side holds are left out: they are missing or extra."""
    both = set(expected) & set(found)
    wanted = [name for name in expected if name in both]
    seen = [name for name in found if name in both]
    for position, (want, got) in enumerate(zip(wanted, seen, strict=False), start=1):
        if want != got:
            return position, want, got
    return None


def order_findings(expected: dict[str, list[str]], found: dict[str, list[str]]) -> list[Finding]:
    """One "order" finding per folder whose entries do not stand in play order."""
    findings = []
    for folder, names in expected.items():
        difference = first_difference(names, found.get(folder, []))
        if difference is not None:
            position, want, got = difference
            findings.append(Finding("order", folder, expected=want, found=got, position=position))
    return findings


def format_report(report: Report, lang: str | None = None) -> list[str]:
    """The report as lines to show: one per finding, a note when order was not checked, a summary."""
    lang = lang or current_language()
    lines = [_finding_line(f, lang) for f in report.findings]
    if not report.order_checked:
        lines.append(t_in(lang, "verify.order_skipped"))
    where = f"{report.source}/{report.package}" if report.package else report.source
    megabytes = f"{report.bytes_checked / 1e6:.1f}"
    numbers = {"where": where, "files": report.files_checked, "problems": len(report.problems),
               "mb": megabytes.replace(".", ",") if lang == "vi" else megabytes}
    if report.manifest is None:
        lines.append(t_in(lang, "verify.summary.outside", **numbers))
        return lines
    commune = report.manifest.commune
    numbers["commune"] = commune.get("name") or commune.get("id") or "?"
    lines.append(t_in(lang, "verify.summary.ok" if report.ok else "verify.summary.problems", **numbers))
    return lines


def _finding_line(finding: Finding, lang: str) -> str:
    key = f"verify.finding.{finding.kind}" + (f"_{finding.detail}" if finding.detail else "")
    text = t_in(lang, key, expected=finding.expected, found=finding.found, position=finding.position)
    if finding.kind in NOTE_KINDS:
        return f"{finding.path or '/'}: {t_in(lang, 'verify.note')}: {text}"
    return f"{finding.path or '/'}: {text}"


def _is_system(name: str) -> bool:
    lower = name.lower()
    return lower in SYSTEM_NAMES or lower.startswith(SYSTEM_PREFIXES)


def _is_hidden(item: Item) -> bool:
    return item.flagged or item.name.startswith(".")


def _join(prefix: str, path: str) -> str:
    return f"{prefix}/{path}" if prefix and path else prefix or path


def _parents(path: str) -> Iterator[str]:
    parts = path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        yield "/".join(parts[:depth])


def _inside(path: str, prefix: str) -> bool:
    return not prefix or path == prefix or path.startswith(prefix + "/")
