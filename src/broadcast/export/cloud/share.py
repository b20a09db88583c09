"""Share links: one URL an operator with no cloud credentials can pull a commune's package from.

Presigned URLs are per object, and a package is many objects, so the link points to a small
share document (itself presigned) that lists a presigned URL for every object of the commune's
latest version, and carries the version pointer as it was: the link keeps serving that version
until it expires, whatever is published after it (a version's objects are never changed).
Every URL is signed at the same moment with the same lifetime, so the whole link stops working
at once when it expires. The only segno (QR code) user.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import secrets
import zlib
from pathlib import Path

from broadcast import fsio
from broadcast.errors import InputError
from broadcast.export.cloud import coding
from broadcast.export.cloud import layout as cloud
from broadcast.export.cloud.pull import SHARE_FORMAT
from broadcast.export.cloud.store import Store
from broadcast.package import destination
from broadcast.package import manifest as manifest_format

MAX_EXPIRY = 7 * 24 * 3600
"""AWS Signature Version 4 presigned URLs live at most seven days."""


def parse_expiry(text: str) -> int:
    """"7d", "12h", "30m", "90s" or plain seconds → seconds."""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    raw = text.strip().lower()
    try:
        seconds = int(raw[:-1]) * units[raw[-1]] if raw[-1] in units else int(raw)
    except (ValueError, IndexError):
        raise InputError("cloud.bad_expiry", value=text) from None
    if not 0 < seconds <= MAX_EXPIRY:
        raise InputError("cloud.bad_expiry", value=text)
    return seconds


def share(store: Store, commune: str, expires: int) -> str:
    """Publish a share document for the commune's latest version; return its presigned URL."""
    pointer_key = cloud.pointer_key(commune)
    pointer_bytes = store.get_bytes(pointer_key)
    pointer = cloud.parse_pointer(pointer_bytes, store.url)
    data = store.get_bytes(pointer["manifest"])
    m = manifest_format.parse(data.decode("utf-8"), pointer["manifest"])
    keys = [pointer["manifest"]]
    keys += [cloud.blob_key(e.sha256) if e.kind == "audio" else
             cloud.version_key(commune, m.version, e.path) for e in m.files]
    until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=expires)
    doc = {"format": SHARE_FORMAT, "commune": commune, "version": m.version,
           "pointer": pointer_bytes.decode("utf-8"),
           "expires_at": until.strftime("%Y-%m-%dT%H:%M:%SZ"),
           "urls": {key: store.presign(key, expires) for key in dict.fromkeys(keys)}}
    # A presigned URL per object, hundreds of them: the document goes compressed, like all text.
    body = coding.compress((json.dumps(doc, sort_keys=True) + "\n").encode("utf-8"))
    key = f"shares/{commune}/{secrets.token_hex(12)}.json"
    store.put(key, body, content_type="application/json", sha256=hashlib.sha256(body).hexdigest(),
              content_encoding=coding.GZIP)
    return store.presign(key, expires)


QR_MARK = "broadcast share link"
"""Carried by every QR code file broadcast writes (a PNG text chunk, the SVG's description), so
``share --qr`` replaces its own earlier code and never a picture of the user's."""


def check_qr_path(dest: Path) -> None:
    """Before anything is shared: a PNG or SVG name, and nothing there but an earlier QR code
    of broadcast's own (InputError otherwise)."""
    if dest.suffix.lower() not in (".png", ".svg"):
        raise InputError("cloud.qr_format", path=dest)
    destination.check_output_file(dest, is_own_qr)


def is_own_qr(path: Path) -> bool:
    first = destination.head(path, 1024)
    return _png_text(QR_MARK) in first or f"<desc>{QR_MARK}</desc>".encode() in first


def _png_text(text: str) -> bytes:
    return b"tEXtSoftware\x00" + text.encode("latin-1")


def _with_text_chunk(png: bytes, text: str) -> bytes:
    """The PNG with a tEXt chunk right after its header chunk (8-byte signature, 25-byte IHDR)."""
    data = _png_text(text)
    chunk = len(data[4:]).to_bytes(4, "big") + data + zlib.crc32(data).to_bytes(4, "big")
    return png[:33] + chunk + png[33:]


def write_qr(url: str, dest: Path) -> Path:
    """The link as a QR code image (PNG or SVG by the file's extension) for the printed sheet."""
    import segno

    check_qr_path(dest)
    code = segno.make(url, error="m")
    buffer = io.BytesIO()
    if dest.suffix.lower() == ".png":
        code.save(buffer, kind="png", scale=4, border=4)
        body = _with_text_chunk(buffer.getvalue(), QR_MARK)
    else:
        code.save(buffer, kind="svg", scale=4, border=4, desc=QR_MARK)
        body = buffer.getvalue()
    fsio.write_bytes(dest, body)
    return dest


def qr_svg(url: str) -> str:
    """The link as a QR code in SVG markup, to show in a page."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=4, border=4)
