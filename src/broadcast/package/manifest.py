"""The package manifest: what a commune package holds, file by file, in play order.

``manifest.json`` sits at the root of every package. It lists every other file of the package
with its path (relative, "/"-separated), size and sha256; audio files also carry their duration,
title and message id, and come first, in play order: folder by folder, file by file, exactly the
order a folder-order player will play them. ``verify`` checks a package, stick or image against it.

It is written with sorted keys and no clock time, so rebuilding the same workspace gives
identical bytes.

Format version 2 (written since issue 15) says each distinct content once: ``contents`` lists
sha256, size, kind and, for audio, duration, title, message, language and topics; ``files`` lists
``[path, index into contents]`` in play order, one line each. A package plays the same clip in
dozens of slots, so version 1, which repeated all of it per file, was five times larger.
Version 1 manifests are still read, and re-serialized exactly as they were written, so their
signatures verify unchanged.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from broadcast.errors import InputError, PackageRefused

FORMAT = "broadcast-package"
FORMAT_VERSION = 2
NAME = "manifest.json"
PLAY_LOG = "nhat-ky-phat.csv"
"""The blank play log every package carries; the operator fills it in and sends it back."""


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str
    kind: str = "audio"
    """audio | playlist | sheet | page | text"""
    duration: float | None = None
    title: str | None = None
    message: str | None = None
    language: str | None = None
    topics: tuple[str, ...] | None = None
    """Language and topics of the message: reports need them where no workspace exists."""
    unknown: tuple[tuple[str, object], ...] = field(default=(), compare=False)
    """Fields of the entry as read that this version does not know: kept, so the signature
    (which covers them) still verifies, and the manifest is refused for holding them."""


@dataclass(frozen=True)
class Manifest:
    campaign: dict
    organization: str
    commune: dict
    version: str
    created: str
    tool: str
    files: tuple[FileEntry, ...]
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    sequence: int = 0
    """Package version number for this commune: only ever goes up (no rollback)."""
    expires: str | None = None
    """After this moment (ISO 8601) the package must not be trusted any more."""
    signatures: tuple[dict, ...] = ()
    """Ed25519 signatures over ``signed_bytes()``, each with its key id and public key."""
    extra: dict = field(default_factory=dict)
    unknown: dict = field(default_factory=dict)
    """Top-level fields of the document as read that this version does not know. A signature
    covers them too, and a signed manifest holding any is refused: nothing here would check or
    use what they say."""

    @property
    def unknown_fields(self) -> tuple[str, ...]:
        """Every field this version does not know, at any depth: ``surprise`` at the top,
        ``commune.surprise``, ``signatures[0].surprise``, ``contents: surprise`` in a file entry."""
        nested = [f"{name}.{key}" for name, known in NESTED_FIELDS.items()
                  if isinstance(getattr(self, name), dict) for key in getattr(self, name)
                  if key not in known]
        nested += [f"signatures[{i}].{key}" for i, sig in enumerate(self.signatures)
                   if isinstance(sig, dict) for key in sig if key not in SIGNATURE_FIELDS]
        place = "contents" if self.format_version >= 2 else "files"
        nested += sorted({f"{place}: {key}" for f in self.files for key, _ in f.unknown})
        return (*sorted(self.unknown), *nested)

    @property
    def audio(self) -> tuple[FileEntry, ...]:
        """Audio files in play order."""
        return tuple(f for f in self.files if f.kind == "audio")

    def to_dict(self) -> dict:
        """The document as JSON data, in the layout of its own format version."""
        data = asdict(self)
        data.update(data.pop("unknown"))
        entries = [{**{k: (list(v) if isinstance(v, tuple) else v) for k, v in f.items()
                       if v is not None and k != "unknown"}, **dict(f["unknown"])}
                   for f in data["files"]]
        if self.format_version >= 2:
            data["contents"], data["files"] = _by_content(entries)
        else:
            data["files"] = entries
        data["signatures"] = [dict(s) for s in self.signatures]
        return data

    def to_json(self) -> str:
        if self.format_version < 2:
            return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, indent=1) + "\n"
        return _one_line_per_entry(self.to_dict())

    def signed_bytes(self) -> bytes:
        """What a signature covers: the canonical JSON of the whole document but its signature
        list (sorted keys, no spaces, UTF-8), unknown fields included, so a field added after
        signing breaks the signature. Manifests signed by earlier versions (which signed the
        fields they knew) hold no others, and verify unchanged."""
        data = self.to_dict()
        del data["signatures"]
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _by_content(entries: list[dict]) -> tuple[list[dict], list[list]]:
    """Version 2's ``contents`` (each distinct content and what is said of it, once, in order of
    first appearance) and ``files`` (``[path, index]`` in play order)."""
    index: dict[str, int] = {}
    contents, files = [], []
    for entry in entries:
        content = {k: v for k, v in entry.items() if k != "path"}
        key = json.dumps(content, ensure_ascii=False, sort_keys=True)
        if key not in index:
            index[key] = len(contents)
            contents.append(content)
        files.append([entry["path"], index[key]])
    return contents, files


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _one_line_per_entry(data: dict) -> str:
    """Sorted keys, one line per field and per element of a list: small, and still readable and
    diffable line by line."""
    lines = []
    for key, value in sorted(data.items()):
        if isinstance(value, list) and value:
            inner = ",\n".join(f"  {_compact(item)}" for item in value)
            lines.append(f" {_compact(key)}: [\n{inner}\n ]")
        else:
            lines.append(f" {_compact(key)}: {_compact(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def safe_path(path: str, shown: str | None = None) -> str:
    """A manifest path that stays inside the package: relative, no "..", no drive letters.
    ``shown`` names the manifest it was read from, for the message."""
    pure = PurePosixPath(path)
    if (not path or "\\" in path or ":" in path or pure.is_absolute()
            or any(part in ("", ".", "..") for part in path.split("/"))):
        raise PackageRefused("manifest.unsafe_path", path=shown or path, entry=path)
    return path


KNOWN_FIELDS = frozenset({"format", "format_version", "campaign", "organization", "commune", "version",
                          "created", "tool", "files", "sequence", "expires", "signatures", "extra"})
KNOWN_FIELDS_V2 = KNOWN_FIELDS | {"contents"}
NESTED_FIELDS = {"campaign": frozenset({"id", "name", "start", "end"}),
                 "commune": frozenset({"id", "name", "province"})}
"""The fields inside the top-level objects this version knows; ``extra`` is free by design."""
SIGNATURE_FIELDS = frozenset({"keyid", "public_key", "sig"})
ENTRY_FIELDS = frozenset(f.name for f in dataclasses.fields(FileEntry)) - {"unknown"}


def _entry(entry: dict, shown: str) -> FileEntry:
    known = {k: v for k, v in entry.items() if k in ENTRY_FIELDS}
    if "topics" in known:
        known["topics"] = tuple(known["topics"])
    unknown = tuple(sorted((k, v) for k, v in entry.items() if k not in ENTRY_FIELDS))
    return FileEntry(**{**known, "path": safe_path(entry["path"], shown)}, unknown=unknown)


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object with a key twice reads differently in different parsers: refuse it."""
    data = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"duplicate key {key!r}")
        data[key] = value
    return data


def _entries_v2(data: dict) -> list[dict]:
    """Version 2's ``files`` and ``contents`` back into one entry per file."""
    contents = data["contents"]
    if not isinstance(contents, list) or not all(isinstance(c, dict) and "path" not in c
                                                 for c in contents):
        raise ValueError("contents: not a list of contents")
    entries = []
    for item in data["files"]:
        if (not isinstance(item, list) or len(item) != 2 or not isinstance(item[0], str)
                or type(item[1]) is not int or not 0 <= item[1] < len(contents)):
            raise ValueError(f"files: {item!r} is not [path, index of a content]")
        entries.append({**contents[item[1]], "path": item[0]})
    return entries


def parse(text: str, shown: str) -> Manifest:
    """Read a manifest, refusing anything malformed or pointing outside the package."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("format") != FORMAT:
            raise PackageRefused("manifest.not_a_manifest", path=shown)
        version = int(data.get("format_version", 1))
        if version > FORMAT_VERSION:
            raise PackageRefused("manifest.too_new", path=shown, version=data["format_version"])
        entries = _entries_v2(data) if version >= 2 else data["files"]
        files = tuple(_entry(entry, shown) for entry in entries)
        known = {k: data[k] for k in ("campaign", "organization", "commune", "version",
                                      "created", "tool")}
        fields = KNOWN_FIELDS_V2 if version >= 2 else KNOWN_FIELDS
        return Manifest(**known, files=files, extra=data.get("extra", {}), format_version=version,
                        sequence=int(data.get("sequence", 0)), expires=data.get("expires"),
                        signatures=tuple(data.get("signatures", ())),
                        unknown={k: v for k, v in data.items() if k not in fields})
    except InputError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PackageRefused("manifest.malformed", path=shown, detail=str(exc)) from exc


def read(folder: Path) -> Manifest:
    """The manifest of the package in ``folder``."""
    path = folder / NAME
    return parse(path.read_text(encoding="utf-8"), str(path))
