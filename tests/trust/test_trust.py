"""Signed packages end to end: every kind of tampering refused with its reason, on a folder, an
image and a pull, through the real CLI; and the quiet answer an operator with no keys gets."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import COMMUNES, MESSAGES, SETTINGS, write_workspace

from broadcast.package import manifest as manifest_format
from broadcast.trust import signing


def run(env: dict, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "BROADCAST_LANG": "en", "PYTHONPATH": os.pathsep.join(sys.path), **env}
    return subprocess.run([sys.executable, "-m", "broadcast", *args], capture_output=True,
                          text=True, env=full, cwd=cwd)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = write_workspace(tmp_path_factory.mktemp("trust") / "ws",
                           settings=SETTINGS.replace("minutes: 15", "minutes: 1")
                           .replace("end: 2026-11-28", "end: 2026-11-16"),
                           messages=MESSAGES, communes=COMMUNES)
    done = run({}, "-w", str(root), "build", "--offline")
    assert done.returncode == 0, done.stderr
    return root / "dist" / "packages" / "xa-a"


@pytest.fixture
def package(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built package for one test to tamper with (outside any workspace)."""
    return Path(shutil.copytree(built, tmp_path / "xa-a"))


@pytest.fixture
def trusted(tmp_path: Path) -> Path:
    """The organization's public key, as an operator receives it."""
    key = signing.load_key(Path(os.environ["BROADCAST_SIGNING_KEY"]))
    path = tmp_path / "so-dan-toc.pub"
    path.write_text(key.public.to_text("test"), encoding="utf-8")
    return path


def manifest_of(folder: Path) -> manifest_format.Manifest:
    return manifest_format.parse((folder / "manifest.json").read_text("utf-8"), "m")


def rewrite(folder: Path, manifest: manifest_format.Manifest) -> None:
    (folder / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")


def other_key(tmp_path: Path) -> signing.SigningKey:
    return signing.init_key(tmp_path / "other" / "signing.key")


def image_of(folder: Path, tmp_path: Path) -> Path:
    from broadcast.export.image import make_image

    return make_image(folder, tmp_path / "xa-a.img")


TAMPERING = {
    # what was done → the sentence the operator must read
    "edited manifest": "does not match",
    "swapped signature": "does not match",
    "unknown key": "signed by an unknown key",
    "expired": "validity ended",
    "unsigned": "carries no signature",
}


def tamper(kind: str, folder: Path, tmp_path: Path) -> None:
    m = manifest_of(folder)
    stranger = other_key(tmp_path)
    if kind == "edited manifest":  # a title changed after signing: the signature no longer fits
        files = list(m.files)
        files[0] = dataclasses.replace(files[0], title="Tin giả")
        rewrite(folder, dataclasses.replace(m, files=tuple(files)))
    elif kind == "swapped signature":  # another key's signature, still naming our key
        theirs = signing.sign_manifest(m, stranger).signatures[0]
        rewrite(folder, dataclasses.replace(m, signatures=({**m.signatures[0], "sig": theirs["sig"]},)))
    elif kind == "unknown key":  # properly signed, by someone else
        rewrite(folder, signing.sign_manifest(m, stranger))
    elif kind == "expired":
        ours = signing.load_key(Path(os.environ["BROADCAST_SIGNING_KEY"]))
        rewrite(folder, signing.sign_manifest(dataclasses.replace(m, expires="2026-01-01T00:00:00+07:00"),
                                              ours))
    elif kind == "unsigned":
        rewrite(folder, dataclasses.replace(m, signatures=()))


@pytest.mark.parametrize("kind", list(TAMPERING))
@pytest.mark.parametrize("medium", ["folder", "image"])
def test_tampered_packages_are_refused_with_the_reason(kind, medium, package, trusted, tmp_path):
    tamper(kind, package, tmp_path)
    target = package if medium == "folder" else image_of(package, tmp_path)
    result = run({}, "verify", str(target), "--trust", str(trusted))
    assert result.returncode == 3, result.stdout + result.stderr
    assert TAMPERING[kind] in result.stdout, result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("medium", ["folder", "image"])
def test_a_flipped_byte_in_a_clip_is_refused(medium, package, trusted, tmp_path):
    clip = package / manifest_of(package).audio[0].path
    data = bytearray(clip.read_bytes())
    data[len(data) // 2] ^= 0x01
    clip.write_bytes(bytes(data))
    target = package if medium == "folder" else image_of(package, tmp_path)
    result = run({}, "verify", str(target), "--trust", str(trusted))
    assert result.returncode == 3 and "content differs" in result.stdout


def test_a_rolled_back_package_is_refused(package, trusted, tmp_path):
    m = manifest_of(package)
    state = tmp_path / "state"
    key = signing.load_key(Path(os.environ["BROADCAST_SIGNING_KEY"]))
    from broadcast.trust.policy import Seen

    Seen(state / "seen.json").remember("xa-a", key.public, m.sequence + 3)
    result = run({"BROADCAST_STATE_DIR": str(state)}, "verify", str(package), "--trust", str(trusted))
    assert result.returncode == 3 and "older than the one already received" in result.stdout


def test_an_operator_with_no_keys_gets_the_fingerprint_and_a_plain_warning(package):
    key = signing.load_key(Path(os.environ["BROADCAST_SIGNING_KEY"]))
    result = run({}, "verify", str(package))
    assert result.returncode == 0, result.stdout + result.stderr
    assert key.public.fingerprint in result.stdout and "nothing confirms" in result.stdout
    assert run({}, "verify", str(package), "--strict").returncode == 3
    # The fingerprint is also on the page and in the instructions, to be read out by phone.
    assert key.public.fingerprint in (package / "index.html").read_text("utf-8")
    assert key.public.fingerprint in (package / "HUONG-DAN.txt").read_text("utf-8-sig")


def test_rebuild_keeps_the_version_number_and_a_change_raises_it(built):
    root = built.parents[2]
    before = manifest_of(built)
    assert run({}, "-w", str(root), "build", "--offline").returncode == 0
    assert manifest_of(built).sequence == before.sequence
    messages = (root / "messages.yaml").read_text("utf-8")
    try:
        (root / "messages.yaml").write_text(messages.replace("việc nhà.", "việc nhà hằng ngày."), "utf-8")
        assert run({}, "-w", str(root), "build", "--offline").returncode == 0
        assert manifest_of(built).sequence == before.sequence + 1
    finally:
        (root / "messages.yaml").write_text(messages, "utf-8")
        assert run({}, "-w", str(root), "build", "--offline").returncode == 0


def publish_folder(package: Path, store: Path) -> None:
    from broadcast.export.cloud import publish
    from broadcast.export.cloud.stores import open_store

    target = open_store(store.as_uri())
    publish.publish(target, publish.packages_in([package]))


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_pull_refuses_tampered_packages_and_writes_nothing(kind, package, trusted, tmp_path):
    tamper(kind, package, tmp_path)
    publish_folder(package, tmp_path / "kho")
    dest = tmp_path / "nhan" / "xa-a"
    result = run({}, "pull", (tmp_path / "kho").as_uri(), "xa-a", str(dest), "--trust", str(trusted))
    assert result.returncode == 3, result.stdout + result.stderr
    assert TAMPERING[kind] in result.stderr
    assert not dest.parent.exists()


def test_pull_trusts_the_first_key_then_refuses_another(package, tmp_path):
    store, dest = tmp_path / "kho", tmp_path / "nhan" / "xa-a"
    publish_folder(package, store)
    first = run({}, "pull", store.as_uri(), "xa-a", str(dest))
    assert first.returncode == 0, first.stderr
    # The same package signed by another key (a hijacked bucket), with a higher number.
    m = manifest_of(package)
    stranger = other_key(tmp_path)
    rewrite(package, signing.sign_manifest(dataclasses.replace(m, sequence=m.sequence + 1), stranger))
    publish_folder(package, store)
    refused = run({}, "pull", store.as_uri(), "xa-a", str(dest))
    assert refused.returncode == 3 and "different key" in refused.stderr
    assert manifest_of(dest).signatures == m.signatures  # the old package is still there
    accepted = run({}, "pull", store.as_uri(), "xa-a", str(dest), "--accept-new-key")
    assert accepted.returncode == 0, accepted.stderr
    # And a rollback to the first version is refused even now.
    rewrite(package, m)
    publish_folder(package, store)
    rolled = run({}, "pull", store.as_uri(), "xa-a", str(dest), "--accept-new-key")
    assert rolled.returncode == 3 and "older than the one already received" in rolled.stderr


def test_keys_stay_out_of_the_workspace(built, tmp_path):
    root = built.parents[2]
    inside = run({}, "-w", str(root), "keys", "init", "--key", str(root / "secret.key"))
    assert inside.returncode == 2 and not (root / "secret.key").exists()
    ledger = json.dumps(sorted(p.name for p in root.iterdir()))
    assert "ledger.sqlite" in ledger
