"""Signing keys, manifest signatures and the check a receiver makes: the only ``cryptography`` user.

Like apt and TUF, every manifest is signed (Ed25519 over ``Manifest.signed_bytes()``), carries an
expiry and a sequence number that only goes up. ``check_manifest`` turns a manifest and what the
receiver trusts into a ``Verdict``; ``explain`` turns a verdict into a sentence for the operator.

The private key is a PEM PKCS#8 file *without* a passphrase: it is used by office PCs in batch
builds where no one is there to type one. Its protection is the file itself: mode 0600, kept in
the user's configuration folder on the officer's PC, never in a campaign folder (those get copied,
shared and published). The public key travels as a one-line text file::

    broadcast-ed25519 <base64 of the 32 raw bytes> <comment>
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from broadcast import fsio
from broadcast.errors import InputError
from broadcast.i18n import t
from broadcast.package.manifest import Manifest

KEY_TYPE = "broadcast-ed25519"
KEY_ENV = "BROADCAST_SIGNING_KEY"
KEY_FILE = "signing.key"
VIETNAM = timezone(timedelta(hours=7), "ICT")
"""Campaign dates are Vietnamese calendar days: a campaign ends at midnight in Vietnam."""


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key: what a receiver trusts and an operator compares over the phone."""

    raw: bytes

    @property
    def keyid(self) -> str:
        """sha256 of the raw key, in hex: the name of the key in signatures and files."""
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def fingerprint(self) -> str:
        """The first 20 hex digits of the key id in groups of 4, short enough to read aloud."""
        head = self.keyid[:20].upper()
        return " ".join(head[i:i + 4] for i in range(0, 20, 4))

    def to_text(self, comment: str = "") -> str:
        """The one-line ``.pub`` file format."""
        words = [KEY_TYPE, base64.b64encode(self.raw).decode("ascii")]
        comment = " ".join(comment.split())  # one line, whatever the comment held
        return " ".join(words + ([comment] if comment else [])) + "\n"


def parse_public(text: str, shown: str) -> PublicKey:
    """Read a ``.pub`` file's text (the first line that is neither blank nor a # comment)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    parts = lines[0].split(maxsplit=2) if lines else []
    raw = _b64(parts[1]) if len(parts) >= 2 and parts[0] == KEY_TYPE else None
    if raw is None or len(raw) != 32:
        raise InputError("signing.bad_public", path=shown)
    return PublicKey(raw)


def _b64(text: object) -> bytes | None:
    """Strict base64, or None: signatures and keys with stray characters are not ours."""
    if not isinstance(text, str):
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


class SigningKey:
    """A private key in memory. Its repr shows only the public fingerprint, never the key."""

    __slots__ = ("_private", "public")

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public = PublicKey(private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw))

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    def _pem(self) -> bytes:
        return self._private.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())

    def __repr__(self) -> str:
        return f"SigningKey(fingerprint={self.public.fingerprint!r})"

    __str__ = __repr__

    def __reduce__(self):  # a private key must not travel by pickle (worker processes, caches)
        raise TypeError("SigningKey cannot be pickled")


def user_dir(*, windows: str, windows_default: str, xdg: str, xdg_default: str) -> Path:
    """The user's configuration or state folder for broadcast on this platform."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get(windows) or home / windows_default)
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        chosen = os.environ.get(xdg, "")
        # The XDG spec says to ignore relative paths in these variables.
        base = Path(chosen) if os.path.isabs(chosen) else home / xdg_default
    return base / "broadcast"


def default_key_path() -> Path:
    """$BROADCAST_SIGNING_KEY, else ``signing.key`` in the user's configuration folder."""
    chosen = os.environ.get(KEY_ENV)
    if chosen:
        return Path(chosen).expanduser()
    return user_dir(windows="APPDATA", windows_default="AppData/Roaming",
                    xdg="XDG_CONFIG_HOME", xdg_default=".config") / KEY_FILE


def init_key(path: Path, *, force: bool = False) -> SigningKey:
    """Make a new key at ``path``: readable by its owner only, written whole or not at all."""
    path = Path(path)
    if path.exists() and not force:
        raise InputError("signing.key_exists", path=path)
    if (path.exists() or path.is_symlink()) and not _is_private_key(path):
        raise InputError("signing.key_not_a_key", path=path)  # --force replaces keys only
    if not path.parent.exists():
        path.parent.mkdir(parents=True)
        path.parent.chmod(0o700)  # mkdir's mode is cut by the umask; the folder is private
    key = SigningKey(Ed25519PrivateKey.generate())
    fsio.write_bytes(path, key._pem(), private=True)
    return key


def _is_private_key(path: Path) -> bool:
    """Whether ``path`` is a plain file holding an Ed25519 private key (what ``--force`` may replace)."""
    if path.is_symlink() or not path.is_file() or path.stat().st_size > 64 * 1024:
        return False
    try:
        found = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError):
        return False
    return isinstance(found, Ed25519PrivateKey)


def load_key(path: Path) -> SigningKey:
    """Read the private key, refusing one that others on this computer could read (like ssh)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("signing.no_key", path=path)
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise InputError("signing.key_too_open", path=path, file=str(path))
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InputError("signing.bad_key", path=path) from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise InputError("signing.bad_key", path=path)
    return SigningKey(private)


def sign_manifest(manifest: Manifest, key: SigningKey) -> Manifest:
    """A copy of ``manifest`` carrying one signature by ``key``. A manifest without an expiry is
    refused: a signed package that never expires could be replayed for ever."""
    if not manifest.expires:
        raise InputError("signing.no_expiry")
    unsigned = dataclasses.replace(manifest, signatures=())
    signature = {"keyid": key.public.keyid,
                 "public_key": base64.b64encode(key.public.raw).decode("ascii"),
                 "sig": base64.b64encode(key.sign(unsigned.signed_bytes())).decode("ascii")}
    return dataclasses.replace(manifest, signatures=(signature,))


def expiry_for(campaign_end: date, override: str | None = None) -> str:
    """The end of the campaign's last day in Vietnam time, or of ``override`` (a date or a
    date and time; without an offset it is read as Vietnam time)."""
    day_end = time(23, 59, 59)
    moment = datetime.combine(campaign_end, day_end, VIETNAM)
    if override:
        text = override.strip()
        try:
            moment = datetime.combine(date.fromisoformat(text), day_end, VIETNAM)
        except ValueError:  # not a bare date: a date and time, or nothing we can read
            try:
                moment = _aware(datetime.fromisoformat(text))
            except ValueError as exc:
                raise InputError("signing.bad_expiry", value=override) from exc
    return moment.isoformat(timespec="seconds")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)


@dataclass(frozen=True)
class Verdict:
    """What a receiver concludes about a manifest, with the values its message needs."""

    ok: bool
    reason: str = ""
    """Empty when ok; else unsigned | bad_signature | unknown_fields | unknown_key | expired |
    rolled_back | key_changed (trust on first use) | wrong_commune (a pull got another commune's
    package)."""
    key: PublicKey | None = None
    anchored: bool = False
    detail: dict = field(default_factory=dict)


def check_manifest(manifest: Manifest, *, trusted: Sequence[PublicKey] = (),
                   now: datetime | None = None, last_sequence: int | None = None,
                   require_trusted: bool = False) -> Verdict:
    """Check signature, trust, expiry and rollback, in that order; the first failure decides."""
    detail = {"sequence": manifest.sequence, "last_sequence": last_sequence,
              "expires": manifest.expires or "", "expires_shown": _shown(manifest.expires),
              "trusted": ", ".join(k.fingerprint for k in trusted) or "—"}
    if not manifest.signatures:
        return Verdict(False, "unsigned", detail=detail)
    # Signed bytes of an unsigned copy: to_dict() would trip over a malformed signature entry.
    data = dataclasses.replace(manifest, signatures=()).signed_bytes()
    signers = [_verified_signer(s, data) for s in manifest.signatures]
    if None in signers:  # one bad signature means the manifest was tampered with
        return Verdict(False, "bad_signature", detail=detail)
    key = next((k for k in signers if k in trusted), signers[0])
    anchored = key in trusted
    detail["fingerprint"], detail["keyid"] = key.fingerprint, key.keyid
    if manifest.unknown_fields:  # signed, but by a version that meant something we cannot check
        detail["fields"] = ", ".join(manifest.unknown_fields)
        return Verdict(False, "unknown_fields", key, anchored, detail)
    if (trusted or require_trusted) and not anchored:
        return Verdict(False, "unknown_key", key, False, detail)
    if _expired(manifest.expires, now):
        return Verdict(False, "expired", key, anchored, detail)
    if last_sequence is not None and manifest.sequence < last_sequence:
        return Verdict(False, "rolled_back", key, anchored, detail)
    return Verdict(True, "", key, anchored, detail)


def _verified_signer(signature: object, data: bytes) -> PublicKey | None:
    """The key that made ``signature`` over ``data``, or None if anything about it is wrong."""
    if not isinstance(signature, dict):
        return None
    raw, sig = _b64(signature.get("public_key")), _b64(signature.get("sig"))
    if raw is None or sig is None or len(raw) != 32:
        return None
    key = PublicKey(raw)
    if signature.get("keyid") != key.keyid:  # the signature names a key other than it carries
        return None
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(sig, data)
    except (InvalidSignature, ValueError):
        return None
    return key


def _parse_moment(text: str | None) -> datetime | None:
    try:
        return _aware(datetime.fromisoformat(text)) if text else None
    except ValueError:
        return None


def _expired(expires: str | None, now: datetime | None) -> bool:
    """Past its expiry, or without a readable one: an unbounded signed package is not trusted."""
    moment = _parse_moment(expires)
    if moment is None:
        return True
    return moment < (_aware(now) if now else datetime.now(timezone.utc))


def _shown(expires: str | None) -> str:
    """An expiry as a Vietnamese reader writes it: day/month/year hour:minute, Vietnam time."""
    moment = _parse_moment(expires)
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") if moment else "?"


def explain(verdict: Verdict) -> str:
    """The verdict as one sentence for the operator: what it means and what to do."""
    if verdict.ok:
        name = "ok_anchored" if verdict.anchored else "ok_unanchored"
    elif verdict.reason == "expired" and not _parse_moment(verdict.detail.get("expires")):
        name = "no_expiry"
    else:
        name = verdict.reason
    return t(f"signing.verdict.{name}", **verdict.detail)
