"""The package manifest: what a commune package holds, file by file, in play order.

``manifest.json`` sits at the root of every package. It lists every other file of the package
with its path (relative, "/"-separated), size and sha256; audio files also carry their duration,
title and message id, and come first, in play order: folder by folder, file by file, exactly the
order a folder-order player will play them. ``verify`` checks a package, stick or image against it.

It is written with sorted keys and no clock time, so rebuilding the same workspace gives
identical bytes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath

from broadcast.errors import InputError, PackageRefused

FORMAT = "broadcast-package"
FORMAT_VERSION = 1
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
        return tuple(sorted(self.unknown))

    @property
    def audio(self) -> tuple[FileEntry, ...]:
        """Audio files in play order."""
        return tuple(f for f in self.files if f.kind == "audio")

    def to_dict(self) -> dict:
        data = asdict(self)
        data.update(data.pop("unknown"))
        data["files"] = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in f.items()
                          if v is not None} for f in data["files"]]
        data["signatures"] = [dict(s) for s in self.signatures]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, indent=1) + "\n"

    def signed_bytes(self) -> bytes:
        """What a signature covers: the canonical JSON of the whole document but its signature
        list (sorted keys, no spaces, UTF-8), unknown fields included, so a field added after
        signing breaks the signature. Manifests signed by earlier versions (which signed the
        fields they knew) hold no others, and verify unchanged."""
        data = self.to_dict()
        del data["signatures"]
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


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


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object with a key twice reads differently in different parsers: refuse it."""
    data = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"duplicate key {key!r}")
        data[key] = value
    return data


def parse(text: str, shown: str) -> Manifest:
    """Read a manifest, refusing anything malformed or pointing outside the package."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("format") != FORMAT:
            raise PackageRefused("manifest.not_a_manifest", path=shown)
        if int(data.get("format_version", 0)) > FORMAT_VERSION:
            raise PackageRefused("manifest.too_new", path=shown, version=data["format_version"])
        files = tuple(FileEntry(**{**entry, "path": safe_path(entry["path"], shown),
                                   **({"topics": tuple(entry["topics"])} if "topics" in entry else {})})
                      for entry in data["files"])
        known = {k: data[k] for k in ("campaign", "organization", "commune", "version",
                                      "created", "tool")}
        return Manifest(**known, files=files, extra=data.get("extra", {}),
                        sequence=int(data.get("sequence", 0)), expires=data.get("expires"),
                        signatures=tuple(data.get("signatures", ())),
                        unknown={k: v for k, v in data.items() if k not in KNOWN_FIELDS})
    except InputError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PackageRefused("manifest.malformed", path=shown, detail=str(exc)) from exc
