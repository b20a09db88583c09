"""Signing keys, manifest signatures and trust decisions, with real Ed25519 keys (no mocks).

Every test keeps keys and state under tmp_path (BROADCAST_SIGNING_KEY, BROADCAST_STATE_DIR):
nothing touches the real home folder.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import pickle
import re
import stat
from datetime import date, datetime, timezone

import pytest
from click.testing import CliRunner
from conftest import write_workspace

from broadcast.errors import EXIT_INPUT, InputError
from broadcast.package import manifest as manifest_mod
from broadcast.package.manifest import FileEntry, Manifest
from broadcast.trust import policy as trust
from broadcast.trust import signing
from broadcast.trust.signing import VIETNAM, PublicKey, check_manifest, sign_manifest

POSIX = pytest.mark.skipif(os.name != "posix", reason="file modes are a POSIX notion")
EXPIRES = "2026-12-15T23:59:59+07:00"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=VIETNAM)


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path, monkeypatch):
    """Keys and pull state live under tmp_path; HOME too, so a slip cannot reach the real one."""
    monkeypatch.setenv("BROADCAST_SIGNING_KEY", str(tmp_path / "home" / "cfg" / "signing.key"))
    monkeypatch.setenv("BROADCAST_STATE_DIR", str(tmp_path / "home" / "state"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def make_manifest(sequence: int = 3, expires: str | None = EXPIRES, commune: str = "xa-a") -> Manifest:
    files = (
        FileEntry("01/001_tin-01.mp3", 48213, "a" * 64, duration=12.5, title="Phòng, chống tảo hôn",
                  message="tin-01", language="vie", topics=("tảo hôn",)),
        FileEntry("01/002_tin-02.mp3", 51002, "b" * 64, duration=13.0,
                  title="Bình đẳng giới trong gia đình", message="tin-02", language="vie"),
        FileEntry("xa-a.m3u8", 120, "c" * 64, kind="playlist"),
    )
    return Manifest(campaign={"id": "thu-nghiem", "name": "Chiến dịch thử nghiệm",
                              "start": "2026-11-15", "end": "2026-11-28"},
                    organization="Ban Dân tộc tỉnh Quảng Trị",
                    commune={"id": commune, "name": "Xã Dân Hóa", "province": "Quảng Trị"},
                    version="2026-11-01-1", created="2026-11-01T07:00:00+07:00", tool="broadcast 1.0",
                    files=files, sequence=sequence, expires=expires)


@pytest.fixture(scope="module")
def office() -> signing.SigningKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return signing.SigningKey(Ed25519PrivateKey.generate())


@pytest.fixture(scope="module")
def stranger() -> signing.SigningKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return signing.SigningKey(Ed25519PrivateKey.generate())


def reread(m: Manifest) -> Manifest:
    """Through the file format and back, as a receiver sees it."""
    return manifest_mod.parse(m.to_json(), "manifest.json")


# --- signatures -------------------------------------------------------------------------------

def test_round_trip_through_the_file_verifies(office):
    signed = reread(sign_manifest(make_manifest(), office))
    verdict = check_manifest(signed, now=NOW)
    assert verdict.ok and verdict.reason == "" and verdict.key == office.public
    assert not verdict.anchored  # no trusted keys given: valid, but not anchored
    anchored = check_manifest(signed, trusted=[office.public], now=NOW)
    assert anchored.ok and anchored.anchored
    sig = signed.signatures[0]
    assert sig["keyid"] == office.public.keyid
    assert base64.b64decode(sig["public_key"]) == office.public.raw
    assert signing.explain(anchored).startswith("Valid signature by a trusted key")
    assert "nothing confirms" in signing.explain(verdict)


def test_signing_replaces_earlier_signatures(office, stranger):
    twice = sign_manifest(sign_manifest(make_manifest(), stranger), office)
    assert [s["keyid"] for s in twice.signatures] == [office.public.keyid]


def test_unsigned_manifest_is_refused():
    verdict = check_manifest(make_manifest(), now=NOW)
    assert (verdict.ok, verdict.reason, verdict.key) == (False, "unsigned", None)


@pytest.mark.parametrize("edit", [
    lambda m: dataclasses.replace(m, files=(dataclasses.replace(m.files[0], sha256="d" * 64),
                                            *m.files[1:])),
    lambda m: dataclasses.replace(m, files=(dataclasses.replace(m.files[0], title="Tin giả"),
                                            *m.files[1:])),
    lambda m: dataclasses.replace(m, files=(m.files[1], m.files[0], m.files[2])),  # play order
    lambda m: dataclasses.replace(m, sequence=m.sequence + 1),
    lambda m: dataclasses.replace(m, expires="2030-01-01T00:00:00+07:00"),
    lambda m: dataclasses.replace(m, commune={**m.commune, "id": "xa-b"}),
], ids=["sha256", "title", "order", "sequence", "expires", "commune"])
def test_an_edited_manifest_fails(office, edit):
    edited = reread(edit(sign_manifest(make_manifest(), office)))
    assert check_manifest(edited, now=NOW).reason == "bad_signature"


def test_a_changed_character_anywhere_in_the_signed_json_is_refused(office):
    signed = sign_manifest(make_manifest(), office)
    text = signed.to_json()
    # Keys are sorted, so "signatures" is followed by "tool": skip only the signatures block.
    start, end = text.index('\n "signatures": '), text.index('\n "tool": ')
    checked = 0
    for i, char in enumerate(text):
        if start <= i < end or not char.isalnum():
            continue
        other = ("1" if char != "1" else "2") if char.isdigit() else ("x" if char != "x" else "y")
        try:
            changed = manifest_mod.parse(text[:i] + other + text[i + 1:], "manifest.json")
        except InputError:  # no longer a manifest at all: refused too
            continue
        if changed.signed_bytes() == signed.signed_bytes():
            # A renamed key the reader ignores ("extra" → "xxtra" reads as the default {}):
            # nothing the receiver uses changed, so the signature rightly still holds.
            continue
        verdict = check_manifest(changed, now=NOW)
        assert not verdict.ok, (i, text[max(0, i - 20):i + 20])
        checked += 1
    assert checked > 500  # the loop really reached the fields, not only parse errors


def _signed_as_written(data: dict, key: signing.SigningKey) -> Manifest:
    """``data`` signed over its canonical form by ``key``, as a newer broadcast that knows the
    added field would sign it, then read back."""
    data = {k: v for k, v in data.items() if k != "signatures"}
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    data["signatures"] = [{"keyid": key.public.keyid, "sig": base64.b64encode(key.sign(body)).decode(),
                           "public_key": base64.b64encode(key.public.raw).decode()}]
    return manifest_mod.parse(json.dumps(data, ensure_ascii=False), "manifest.json")


@pytest.mark.parametrize("format_version", [1, 2])
@pytest.mark.parametrize(("where", "named"), [
    ("top", "loa_moi"), ("commune", "commune.loa_moi"), ("campaign", "campaign.loa_moi"),
    ("entry", ": loa_moi"), ("signature", "signatures[0].loa_moi")])
def test_an_unknown_field_at_any_depth_of_a_signed_manifest_is_refused(office, format_version,
                                                                        where, named):
    data = json.loads(dataclasses.replace(make_manifest(), format_version=format_version).to_json())
    extra = {"loa_moi": {"gain_db": 6}}
    if where == "top":
        data.update(extra)
    elif where in ("commune", "campaign"):
        data[where].update(extra)
    elif where == "entry":
        (data["contents"] if format_version == 2 else data["files"])[1].update(extra)
    m = _signed_as_written(data, office)
    if where == "signature":
        data["signatures"] = [{**m.signatures[0], **extra}]
        m = manifest_mod.parse(json.dumps(data, ensure_ascii=False), "manifest.json")
    verdict = check_manifest(m, trusted=[office.public], now=NOW)
    assert (verdict.ok, verdict.reason) == (False, "unknown_fields")  # the signature itself holds
    assert any(f.endswith(named) for f in m.unknown_fields), m.unknown_fields
    assert reread(m).signed_bytes() == m.signed_bytes()  # kept as read, so still covered
    plain = check_manifest(_signed_as_written(json.loads(make_manifest().to_json()), office),
                           trusted=[office.public], now=NOW)
    assert plain.ok, "the same manifest without the field verifies"


def test_a_signature_made_by_another_key_fails(office, stranger):
    m = make_manifest()
    forged = dict(sign_manifest(m, office).signatures[0])
    forged["sig"] = sign_manifest(m, stranger).signatures[0]["sig"]
    assert check_manifest(dataclasses.replace(m, signatures=(forged,)), now=NOW).reason == "bad_signature"


def test_the_signature_of_another_manifest_fails(office):
    other = sign_manifest(make_manifest(sequence=9), office)
    m = dataclasses.replace(make_manifest(), signatures=other.signatures)
    assert check_manifest(m, now=NOW).reason == "bad_signature"


def test_keyid_not_matching_the_embedded_key_fails(office, stranger):
    signed = sign_manifest(make_manifest(), office)
    lying = {**signed.signatures[0], "keyid": stranger.public.keyid}
    assert check_manifest(dataclasses.replace(signed, signatures=(lying,)), now=NOW).reason == \
        "bad_signature"


@pytest.mark.parametrize("damage", [
    lambda s: {**s, "sig": s["sig"][:-4] + "!!!="},
    lambda s: {**s, "public_key": base64.b64encode(b"short").decode()},
    lambda s: {k: v for k, v in s.items() if k != "sig"},
    lambda s: "not a dict",
], ids=["bad-base64", "short-key", "no-sig", "not-a-dict"])
def test_malformed_signatures_fail(office, damage):
    signed = sign_manifest(make_manifest(), office)
    broken = dataclasses.replace(signed, signatures=(damage(signed.signatures[0]),))
    assert check_manifest(broken, now=NOW).reason == "bad_signature"


def test_one_bad_signature_among_good_ones_fails(office, stranger):
    m = make_manifest()
    good = sign_manifest(m, office).signatures[0]
    bad = {**sign_manifest(m, stranger).signatures[0], "sig": good["sig"]}
    assert check_manifest(dataclasses.replace(m, signatures=(good, bad)), now=NOW).reason == \
        "bad_signature"


def test_whole_resigning_by_another_key_is_caught_only_by_trust(office, stranger):
    """An attacker can always sign with their own key: only trusted keys (or TOFU) stop that."""
    resigned = sign_manifest(make_manifest(), stranger)
    assert check_manifest(resigned, now=NOW).ok
    verdict = check_manifest(resigned, trusted=[office.public], now=NOW)
    assert (verdict.reason, verdict.key, verdict.anchored) == ("unknown_key", stranger.public, False)
    assert office.public.fingerprint in signing.explain(verdict)
    assert check_manifest(resigned, require_trusted=True, now=NOW).reason == "unknown_key"


def test_expiry_is_compared_as_aware_moments(office):
    signed = sign_manifest(make_manifest(), office)
    last_second = datetime(2026, 12, 15, 23, 59, 59, tzinfo=VIETNAM)
    assert check_manifest(signed, now=last_second).ok
    # 17:00 UTC on the 15th is midnight on the 16th in Vietnam: one second past the expiry.
    verdict = check_manifest(signed, now=datetime(2026, 12, 15, 17, 0, tzinfo=timezone.utc))
    assert (verdict.ok, verdict.reason, verdict.key) == (False, "expired", office.public)
    assert "15/12/2026 23:59" in signing.explain(verdict)


def test_a_signed_manifest_without_readable_expiry_counts_as_expired(office):
    m = make_manifest(expires="next week")
    unsigned = dataclasses.replace(m, signatures=())
    sig = {"keyid": office.public.keyid, "public_key": base64.b64encode(office.public.raw).decode(),
           "sig": base64.b64encode(office.sign(unsigned.signed_bytes())).decode()}
    verdict = check_manifest(dataclasses.replace(m, signatures=(sig,)), now=NOW)
    assert verdict.reason == "expired"
    assert signing.explain(verdict) == signing.t("signing.verdict.no_expiry", **verdict.detail)


def test_signing_refuses_a_manifest_that_never_expires(office):
    with pytest.raises(InputError) as caught:
        sign_manifest(make_manifest(expires=None), office)
    assert caught.value.key == "signing.no_expiry"


@pytest.mark.parametrize(("last", "reason"), [(None, ""), (2, ""), (3, ""), (4, "rolled_back")])
def test_rollback_is_refused_and_the_same_version_again_is_fine(office, last, reason):
    verdict = check_manifest(sign_manifest(make_manifest(sequence=3), office), now=NOW,
                             last_sequence=last)
    assert verdict.reason == reason
    if reason:
        assert "version 3" in signing.explain(verdict) and "version 4" in signing.explain(verdict)


def test_expiry_for_campaign_end_and_overrides():
    assert signing.expiry_for(date(2026, 12, 15)) == "2026-12-15T23:59:59+07:00"
    assert signing.expiry_for(date(2026, 12, 15), "2027-01-31") == "2027-01-31T23:59:59+07:00"
    assert signing.expiry_for(date(2026, 12, 15), "2027-01-31T18:00") == "2027-01-31T18:00:00+07:00"
    assert signing.expiry_for(date(2026, 12, 15), "2027-01-31T11:00:00+00:00") == \
        "2027-01-31T11:00:00+00:00"
    with pytest.raises(InputError):
        signing.expiry_for(date(2026, 12, 15), "31/01/2027")


# --- keys ---------------------------------------------------------------------------------------

def test_fingerprint_format_and_key_id():
    key = PublicKey(bytes(32))
    keyid = hashlib.sha256(bytes(32)).hexdigest()  # independent of the code under test
    assert key.keyid == keyid
    assert key.fingerprint == " ".join(keyid[i:i + 4].upper() for i in range(0, 20, 4))
    assert re.fullmatch(r"[0-9A-F]{4}( [0-9A-F]{4}){4}", key.fingerprint)


def test_public_key_text_round_trip(office):
    text = office.public.to_text("Ban Dân tộc\nQuảng Trị")
    assert text.count("\n") == 1 and text.startswith("broadcast-ed25519 ")
    assert signing.parse_public("# office key\n" + text, "k.pub") == office.public
    for bad in ("", "ssh-ed25519 AAAA", "broadcast-ed25519 not-base64!", "broadcast-ed25519 AAAA"):
        with pytest.raises(InputError) as caught:
            signing.parse_public(bad, "k.pub")
        assert caught.value.key == "signing.bad_public"


def test_signing_key_never_shows_itself(office):
    pem = office._pem().decode()
    body = "".join(pem.splitlines()[1:-1])
    assert body not in repr(office) and body not in str(office)
    assert office.public.fingerprint in repr(office)
    with pytest.raises(TypeError):
        pickle.dumps(office)


@POSIX
def test_init_key_is_private_and_not_overwritten(tmp_path):
    path = tmp_path / "cfg" / "broadcast" / "signing.key"
    old_mask = os.umask(0)  # even with the most permissive umask the key is private
    try:
        key = signing.init_key(path)
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert signing.load_key(path).public == key.public
    assert [p.name for p in path.parent.iterdir()] == ["signing.key"]  # no temporary left
    with pytest.raises(InputError) as caught:
        signing.init_key(path)
    assert caught.value.key == "signing.key_exists"
    assert signing.load_key(path).public == key.public
    replaced = signing.init_key(path, force=True)
    assert replaced.public != key.public and signing.load_key(path).public == replaced.public


@POSIX
def test_load_key_refuses_a_key_others_can_read(tmp_path):
    path = tmp_path / "signing.key"
    signing.init_key(path)
    path.chmod(0o644)
    with pytest.raises(InputError) as caught:
        signing.load_key(path)
    assert caught.value.key == "signing.key_too_open"
    assert f"chmod 600 {path}" in caught.value.message()


def test_load_key_missing_or_damaged(tmp_path):
    with pytest.raises(InputError) as caught:
        signing.load_key(tmp_path / "nothing.key")
    assert "broadcast keys init" in caught.value.message()
    damaged = tmp_path / "damaged.key"
    damaged.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    damaged.chmod(0o600)
    with pytest.raises(InputError) as caught:
        signing.load_key(damaged)
    assert caught.value.key == "signing.bad_key"


def test_default_places(tmp_path, monkeypatch):
    assert signing.default_key_path() == tmp_path / "home" / "cfg" / "signing.key"
    assert trust.state_dir() == tmp_path / "home" / "state"
    monkeypatch.delenv("BROADCAST_SIGNING_KEY")
    monkeypatch.delenv("BROADCAST_STATE_DIR")
    monkeypatch.setattr(signing.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")  # the XDG spec ignores relative paths
    assert signing.default_key_path() == tmp_path / "xdg" / "broadcast" / "signing.key"
    assert trust.state_dir() == tmp_path / "home" / ".local" / "state" / "broadcast"
    monkeypatch.setattr(signing.sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert signing.default_key_path() == tmp_path / "Roaming" / "broadcast" / "signing.key"
    assert trust.state_dir() == tmp_path / "Local" / "broadcast"
    monkeypatch.setattr(signing.sys, "platform", "darwin")
    assert signing.default_key_path() == \
        tmp_path / "home" / "Library" / "Application Support" / "broadcast" / "signing.key"


# --- trust: what a puller remembers, what a workspace trusts -------------------------------------

def test_trust_on_first_use(office, stranger, tmp_path):
    seen = trust.Seen()
    assert seen.path == tmp_path / "home" / "state" / "seen.json"
    first = sign_manifest(make_manifest(sequence=3), office)
    verdict = trust.decide_pull(first, seen, trusted=[], accept_new_key=False, now=NOW)
    assert verdict.ok and not verdict.anchored
    assert not seen.path.exists()  # deciding remembers nothing: the caller does, after the pull
    seen.remember("xa-a", verdict.key, first.sequence)
    assert trust.Seen().get("xa-a") == {"keyid": office.public.keyid,
                                        "fingerprint": office.public.fingerprint, "sequence": 3}

    same_key = sign_manifest(make_manifest(sequence=4), office)
    assert trust.decide_pull(same_key, trust.Seen(), trusted=[], accept_new_key=False, now=NOW).ok

    new_key = sign_manifest(make_manifest(sequence=4), stranger)
    refused = trust.decide_pull(new_key, trust.Seen(), trusted=[], accept_new_key=False, now=NOW)
    assert (refused.ok, refused.reason) == (False, "key_changed")
    message = signing.explain(refused)
    assert stranger.public.fingerprint in message and office.public.fingerprint in message
    assert "--accept-new-key" in message
    assert trust.decide_pull(new_key, trust.Seen(), trusted=[], accept_new_key=True, now=NOW).ok

    old_by_new_key = sign_manifest(make_manifest(sequence=2), stranger)
    replay = trust.decide_pull(old_by_new_key, trust.Seen(), trusted=[], accept_new_key=True, now=NOW)
    assert replay.reason == "rolled_back"
    old_by_same_key = sign_manifest(make_manifest(sequence=2), office)
    assert trust.decide_pull(old_by_same_key, trust.Seen(), trusted=[], accept_new_key=False,
                             now=NOW).reason == "rolled_back"


def test_pull_with_trusted_keys(office, stranger):
    seen = trust.Seen()
    seen.remember("xa-a", office.public, 5)
    by_stranger = sign_manifest(make_manifest(sequence=6), stranger)
    assert trust.decide_pull(by_stranger, seen, trusted=[office.public], accept_new_key=True,
                             now=NOW).reason == "unknown_key"
    older = sign_manifest(make_manifest(sequence=4), office)
    assert trust.decide_pull(older, seen, trusted=[office.public], accept_new_key=False,
                             now=NOW).reason == "rolled_back"
    newer = trust.decide_pull(sign_manifest(make_manifest(sequence=6), office), seen,
                              trusted=[office.public], accept_new_key=False, now=NOW)
    assert newer.ok and newer.anchored


def test_pull_refuses_another_communes_package(office):
    other = sign_manifest(make_manifest(commune="xa-b"), office)
    verdict = trust.decide_pull(other, trust.Seen(), trusted=[office.public], accept_new_key=False,
                                now=NOW, commune="xa-a")
    assert verdict.reason == "wrong_commune"
    assert "xa-b" in signing.explain(verdict)


def test_remembered_sequence_never_goes_down(office):
    seen = trust.Seen()
    seen.remember("xa-a", office.public, 7)
    seen.remember("xa-a", office.public, 5)
    assert trust.Seen().get("xa-a")["sequence"] == 7


def test_damaged_seen_file_is_reported_not_reset(tmp_path):
    path = tmp_path / "seen.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        trust.Seen(path)
    assert caught.value.key == "signing.seen_damaged"
    assert path.read_text(encoding="utf-8") == "{not json"


def test_workspace_keys_and_trust_options(office, stranger, tmp_path):
    root = write_workspace(tmp_path / "ws")
    written = trust.add_workspace_key(root, office.public, "office")
    assert written == root / "keys" / f"{office.public.keyid[:16]}.pub"
    assert trust.workspace_keys(root) == [office.public]
    outside = tmp_path / "stranger.pub"
    outside.write_text(stranger.public.to_text(), encoding="utf-8")
    chosen = trust.load_trusted([office.public.fingerprint, office.public.keyid,
                                 office.public.keyid[:16].upper(), str(outside)], root)
    assert chosen == [office.public, stranger.public]
    with pytest.raises(InputError) as caught:
        trust.load_trusted([stranger.public.fingerprint], root)
    assert caught.value.key == "signing.trust_no_match"
    assert office.public.fingerprint in caught.value.message()
    with pytest.raises(InputError) as caught:
        trust.load_trusted(["AB12"], root)
    assert caught.value.key == "signing.trust_unknown"
    with pytest.raises(InputError):
        trust.load_trusted([office.public.fingerprint], None)


# --- broadcast keys -------------------------------------------------------------------------------

def run_keys(*args: str):
    """``broadcast keys …`` through the real error handling (one line, exit code)."""
    from broadcast.cli.app import BroadcastGroup
    from broadcast.cli.keys import command

    group = BroadcastGroup(name="broadcast", commands={"keys": command})
    try:  # click < 8.2 mixes stderr into output unless told not to
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()
    return runner.invoke(group, ["keys", *args])


def test_keys_init_inside_a_workspace_trusts_the_new_key(tmp_path, monkeypatch):
    root = write_workspace(tmp_path / "ws")
    monkeypatch.chdir(root)
    result = run_keys("init")
    assert result.exit_code == 0, result.output + result.stderr
    key_path = tmp_path / "home" / "cfg" / "signing.key"
    key = signing.load_key(key_path)
    assert key.public.fingerprint in result.output and str(key_path) in result.output
    assert "back up" in result.output
    assert trust.workspace_keys(root) == [key.public]
    assert (root / "keys" / f"{key.public.keyid[:16]}.pub").is_file()
    assert not list(root.rglob("*.key"))

    shown = run_keys("show")
    assert shown.exit_code == 0 and key.public.fingerprint in shown.output
    assert key.public.keyid in shown.output

    again = run_keys("init")
    assert again.exit_code == EXIT_INPUT and "--force" in again.stderr


def test_keys_init_refuses_a_private_key_inside_the_workspace(tmp_path, monkeypatch):
    root = write_workspace(tmp_path / "ws")
    monkeypatch.chdir(root)
    result = run_keys("init", "--key", "secrets/signing.key")
    assert result.exit_code == EXIT_INPUT
    assert "campaign folder" in result.stderr and "Traceback" not in result.stderr
    monkeypatch.setenv("BROADCAST_SIGNING_KEY", str(root / "dist" / "signing.key"))
    assert run_keys("init").exit_code == EXIT_INPUT
    # Even from outside, naming a path inside some campaign folder is refused.
    monkeypatch.chdir(tmp_path)
    assert run_keys("init", "--key", str(root / "signing.key")).exit_code == EXIT_INPUT
    assert not list(root.rglob("*.key")) and not (root / "keys").exists()


def test_keys_init_outside_a_workspace_writes_no_public_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_keys("init", "--key", str(tmp_path / "elsewhere" / "office.key"))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "elsewhere" / "office.key").is_file()
    assert not list(tmp_path.rglob("*.pub"))


def test_keys_messages_in_vietnamese(tmp_path, monkeypatch):
    from broadcast import i18n

    monkeypatch.chdir(tmp_path)
    i18n.set_language("vi")
    result = run_keys("init")
    assert result.exit_code == 0
    assert "Dấu vân tay" in result.output and "sao lưu" in result.output
