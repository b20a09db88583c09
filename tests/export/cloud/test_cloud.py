"""Publish, share and pull against a real S3 server on loopback (moto's server mode, real boto3).

The campaign: two communes; one speaks only Vietnamese, the other Bru too, so a changed Bru
recording must touch only the second commune's package.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from conftest import COMMUNES, MESSAGES, SETTINGS, make_audio, speechlike, write_workspace
from moto.server import ThreadedMotoServer

from broadcast.errors import BroadcastError, InputError
from broadcast.export.cloud import layout as cloud
from broadcast.export.cloud import publish, pull, share
from broadcast.export.cloud.stores import open_store
from broadcast.package import manifest as manifest_format


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cloud") / "ws"
    make_audio(root / "recordings" / "bru.wav", speechlike(3.0), 3.0)
    settings = (SETTINGS.replace("end: 2026-11-28", "end: 2026-11-18").replace("minutes: 15", "minutes: 1")
                + "schedule: {fill: 0.8, jingle_every: 0}\n")
    messages = MESSAGES + ("  - id: bru-01\n    title: Tảo hôn (tiếng Bru)\n    language: bru\n"
                           "    recording: recordings/bru.wav\n")
    communes = COMMUNES + ("  - id: xa-b\n    name: Xã Lìa\n    province: Quảng Trị\n"
                           "    languages: [vie, bru]\n    slots: [sang]\n")
    write_workspace(root, settings=settings, messages=messages, communes=communes)
    assert run(root, {}, "build", "--offline").returncode == 0
    return root


def run(root: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "BROADCAST_LANG": "en", "PYTHONPATH": os.pathsep.join(sys.path), **env}
    return subprocess.run([sys.executable, "-m", "broadcast", "-w", str(root), *args],
                          capture_output=True, text=True, env=full)


@pytest.fixture
def s3_restartable(aws_env):
    """A server of this test's own, which the test may stop and start again (moto keeps its
    buckets in this process, so they survive the restart, like a real service coming back)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    name = f"restart-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=name)
    yield server, endpoint, name
    server.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def bucket(s3_bucket) -> tuple[str, str, dict]:
    endpoint, name = s3_bucket
    env = {key: os.environ[key] for key in os.environ if key.startswith("AWS_")}
    return endpoint, name, env


def keys_in(endpoint: str, bucket: str) -> dict[str, int]:
    s3 = boto3.client("s3", endpoint_url=endpoint)
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {o["Key"]: o["Size"] for page in pages for o in page.get("Contents", [])}


def built_manifest(root: Path, commune: str) -> manifest_format.Manifest:
    path = root / "dist/packages" / commune / "manifest.json"
    return manifest_format.parse(path.read_text("utf-8"), str(path))


def audio_shas(root: Path) -> set[str]:
    return {f.sha256 for commune in ("xa-a", "xa-b") for f in built_manifest(root, commune).audio}


def test_publish_stores_each_clip_once_and_republish_uploads_nothing(campaign, bucket):
    endpoint, name, env = bucket
    url = f"s3://{name}/tinh-qt"
    first = run(campaign, env, "publish", url, "--endpoint-url", endpoint, "--addressing", "path")
    assert first.returncode == 0, first.stderr
    stored = keys_in(endpoint, name)
    blobs = [k for k in stored if k.startswith("tinh-qt/blobs/")]
    # Each distinct clip once, although both communes play the Vietnamese clips many times.
    assert sorted(Path(k).stem for k in blobs) == sorted(audio_shas(campaign))
    assert {"tinh-qt/communes/xa-a/latest.json", "tinh-qt/communes/xa-b/latest.json"} <= set(stored)
    s3 = boto3.client("s3", endpoint_url=endpoint)
    head = s3.head_object(Bucket=name, Key=blobs[0])
    assert head["ContentType"] == "audio/mpeg" and head["Metadata"]["sha256"] == Path(blobs[0]).stem
    grants = s3.get_object_acl(Bucket=name, Key=blobs[0])["Grants"]
    assert all(g["Grantee"].get("Type") == "CanonicalUser" for g in grants)  # private: no AllUsers
    again = run(campaign, env, "publish", url, "--endpoint-url", endpoint, "--addressing", "path")
    assert again.returncode == 0, again.stderr
    assert "uploaded 0 object(s) (0.0 MB)" in again.stdout
    assert keys_in(endpoint, name) == stored
    # What was reused is what the store holds (each clip once), not one per copy in the packages.
    held = {k: v for k, v in stored.items() if not k.endswith("latest.json")}
    megabytes = f"{sum(held.values()) / 1e6:.1f}"
    assert f"reused {len(held)} ({megabytes} MB)" in again.stdout, again.stdout


def test_dry_run_prints_the_plan_and_uploads_nothing(campaign, bucket):
    endpoint, name, env = bucket
    result = run(campaign, env, "publish", f"s3://{name}", "--endpoint-url", endpoint, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "blob" in result.stdout and "pointer" in result.stdout
    assert keys_in(endpoint, name) == {}


def test_a_changed_recording_uploads_its_clip_and_only_the_affected_commune(campaign, bucket, tmp_path):
    endpoint, name, env = bucket
    url = f"s3://{name}"
    assert run(campaign, env, "publish", url, "--endpoint-url", endpoint).returncode == 0
    before = keys_in(endpoint, name)
    recording = campaign / "recordings" / "bru.wav"
    saved = recording.read_bytes()
    try:
        make_audio(recording, "sine=frequency=500", 3.0)
        assert run(campaign, env, "build", "--offline").returncode == 0
        result = run(campaign, env, "publish", url, "--endpoint-url", endpoint)
        assert result.returncode == 0, result.stderr
        added = set(keys_in(endpoint, name)) - set(before)
        assert len([k for k in added if k.startswith("blobs/")]) == 1
        assert {k.split("/")[1] for k in added if k.startswith("communes/")} == {"xa-b"}
    finally:
        recording.write_bytes(saved)
        assert run(campaign, env, "build", "--offline").returncode == 0


def two_communes(campaign: Path) -> list[Path]:
    return [campaign / "dist/packages" / c for c in ("xa-a", "xa-b")]


@pytest.mark.parametrize("stop_at", ["third upload", "second commune"])
def test_server_stopping_mid_publish_leaves_no_pointer_and_the_rerun_completes(campaign, s3_restartable,
                                                                               stop_at):
    server, endpoint, name = s3_restartable
    store = open_store(f"s3://{name}", endpoint_url=endpoint)
    uploaded, first = [], []

    def stop(upload):
        uploaded.append(upload)
        if len(uploaded) == 3 if stop_at == "third upload" else upload.commune == "xa-b":
            server.stop()

    with pytest.raises(BroadcastError):
        publish.publish(store, publish.packages_in(two_communes(campaign)), jobs=1, progress=stop,
                        planned=first.append)
    server.start()
    pointers = {k for k in keys_in(endpoint, name) if k.endswith("latest.json")}
    # Only a complete version has its pointer: xa-a's, once all its objects were in.
    assert pointers == (set() if stop_at == "third upload" else {"communes/xa-a/latest.json"})
    again = []
    summary = publish.publish(store, publish.packages_in(two_communes(campaign)), jobs=2,
                              planned=again.append)
    # The rerun uploads only what the first run did not: each upload heard was complete, and one
    # more (jobs=1) may have been in flight when the server stopped.
    done = {u.key for u in uploaded}
    redone = {u.key for plan in again for u in (*plan.uploads, *filter(None, [plan.pointer]))}
    assert done and not done & redone
    content = len({k for k in done if not k.endswith("latest.json")})
    assert content <= summary.reused <= content + 1
    assert {f"communes/{c}/latest.json" for c in ("xa-a", "xa-b")} <= set(keys_in(endpoint, name))


def published(campaign: Path, endpoint: str, name: str) -> str:
    store = open_store(f"s3://{name}", endpoint_url=endpoint)
    publish.publish(store, publish.packages_in(two_communes(campaign)))
    return f"s3://{name}"


def same_package(pulled: Path, built: Path) -> None:
    assert (pulled / "manifest.json").read_bytes() == (built / "manifest.json").read_bytes()
    files = sorted(p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file())
    assert sorted(p.relative_to(pulled).as_posix() for p in pulled.rglob("*") if p.is_file()) == files


def test_pull_lays_out_the_package_as_build_does(campaign, bucket, tmp_path):
    endpoint, name, env = bucket
    url = published(campaign, endpoint, name)
    dest = tmp_path / "xa-b"
    result = run(campaign, env, "pull", url, "xa-b", str(dest), "--endpoint-url", endpoint)
    assert result.returncode == 0, result.stderr
    same_package(dest, campaign / "dist/packages/xa-b")
    assert run(campaign, env, "verify", str(dest)).returncode == 0
    again = run(campaign, env, "pull", url, "xa-b", str(dest), "--endpoint-url", endpoint)
    assert "already at the latest version" in again.stdout


def test_interrupted_pull_resumes_and_a_corrupted_file_is_fetched_again(campaign, bucket, tmp_path):
    endpoint, name, _ = bucket
    source = pull.open_source(published(campaign, endpoint, name), endpoint_url=endpoint)
    dest = tmp_path / "xa-a"
    seen: list[str] = []

    def interrupt(event):
        if event.item not in seen:
            seen.append(event.item)
        if len(seen) == 4:  # three files whole, the fourth begun
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pull.pull(source, "xa-a", dest, report=interrupt)
    assert not dest.exists()  # nothing switched in before the package was complete
    partial = tmp_path / ".xa-a.broadcast-pull-staging"
    done = sorted(p for p in partial.rglob("*") if p.is_file() and p.suffix != ".part")
    assert len(done) == 3
    done[0].write_bytes(b"\0" + done[0].read_bytes()[1:])  # damage one downloaded file
    downloads = source.store.stats["get"]
    result = pull.pull(source, "xa-a", dest)
    fetched = source.store.stats["get"] - downloads
    distinct = len({f.sha256 for f in built_manifest(campaign, "xa-a").files})
    # Pointer + manifest, the damaged file, and the contents not fetched yet; no more.
    assert result.downloaded == distinct - len(done) + 1
    assert fetched <= 2 + result.downloaded
    same_package(dest, campaign / "dist/packages/xa-a")


def test_a_pull_fetches_each_content_once(campaign, bucket, tmp_path):
    endpoint, name, _ = bucket
    url = published(campaign, endpoint, name)
    files = built_manifest(campaign, "xa-a").files
    distinct = {f.sha256: f.size for f in files}
    manifest = (campaign / "dist/packages/xa-a/manifest.json").stat().st_size
    floor = sum(distinct.values()) + manifest
    for where in (url, (tmp_path / "kho").as_uri()):
        if where.startswith("file:"):
            assert run(campaign, {}, "publish", where).returncode == 0
        source = pull.open_source(where, endpoint_url=endpoint)
        result = pull.pull(source, "xa-a", tmp_path / f"xa-a-{where[:4]}")
        down = source.store.stats["bytes_down"]
        assert len(files) > len(distinct)  # the package holds copies: the point of the test
        assert down <= 1.05 * floor + 4096, (down, floor)  # 4 KiB: the pointer
        assert result.downloaded == len(distinct)
        same_package(tmp_path / f"xa-a-{where[:4]}", campaign / "dist/packages/xa-a")


def test_corrupt_object_in_the_store_is_refused_and_the_old_package_kept(campaign, bucket, tmp_path):
    endpoint, name, _ = bucket
    source = pull.open_source(published(campaign, endpoint, name), endpoint_url=endpoint)
    dest = tmp_path / "xa-a"
    pull.pull(source, "xa-a", dest)
    before = (dest / "manifest.json").read_bytes()
    m = manifest_format.parse(before.decode("utf-8"), "m")
    s3 = boto3.client("s3", endpoint_url=endpoint)
    s3.put_object(Bucket=name, Key=cloud.blob_key(m.audio[0].sha256), Body=b"not the clip")
    # A new version so pull has something to fetch: drop one file from the manifest.
    newer = manifest_format.Manifest(**{**vars(m), "version": "v2", "files": m.files})
    body = newer.to_json().encode()
    s3.put_object(Bucket=name, Key=cloud.version_key("xa-a", "v2", "manifest.json"), Body=body)
    for entry in m.files:
        if entry.kind != "audio":
            data = (dest / entry.path).read_bytes()
            s3.put_object(Bucket=name, Key=cloud.version_key("xa-a", "v2", entry.path), Body=data)
    s3.put_object(Bucket=name, Key=cloud.pointer_key("xa-a"), Body=cloud.pointer_bytes(
        "xa-a", "v2", hashlib.sha256(body).hexdigest(), len(m.files) + 1, 0))
    for entry in m.files:  # the commune lacks that clip (every copy), so it must come from the store
        if entry.sha256 == m.audio[0].sha256:
            (dest / entry.path).unlink()
    with pytest.raises(BroadcastError) as caught:
        pull.pull(source, "xa-a", dest)
    assert caught.value.key == "cloud.corrupt"
    assert (dest / "manifest.json").read_bytes() == before


def test_hostile_manifest_is_refused_and_nothing_is_written(campaign, bucket, tmp_path):
    endpoint, name, _ = bucket
    s3 = boto3.client("s3", endpoint_url=endpoint)
    m = manifest_format.parse((campaign / "dist/packages/xa-a/manifest.json").read_text("utf-8"), "m")
    evil = json.loads(m.to_json())
    evil["files"][0][0] = "../../evil.mp3"
    body = json.dumps(evil).encode()
    s3.put_object(Bucket=name, Key=cloud.version_key("xa-a", "v9", "manifest.json"), Body=body)
    s3.put_object(Bucket=name, Key=cloud.pointer_key("xa-a"), Body=cloud.pointer_bytes(
        "xa-a", "v9", hashlib.sha256(body).hexdigest(), 1, 1))
    source = pull.open_source(f"s3://{name}", endpoint_url=endpoint)
    with pytest.raises(InputError):
        pull.pull(source, "xa-a", tmp_path / "dest" / "xa-a")
    assert not (tmp_path / "dest").exists() and not (tmp_path / "evil.mp3").exists()


def test_share_link_works_without_credentials_and_expires(campaign, bucket, tmp_path):
    endpoint, name, env = bucket
    url = published(campaign, endpoint, name)

    def shared(expires: str) -> str:
        made = run(campaign, env, "share", url, "xa-a", "--expires", expires, "--endpoint-url", endpoint,
                   "--qr", str(tmp_path / "link.png"))
        assert made.returncode == 0, made.stderr
        return made.stdout.strip()
    link = shared("1h")  # long enough for a pull on a loaded machine; the short link is made below
    assert link.startswith(endpoint) and (tmp_path / "link.png").read_bytes()[:4] == b"\x89PNG"
    bare = {k: "" for k in env} | {"AWS_CONFIG_FILE": "/nonexistent",
                                   "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
    got = run(campaign, bare, "pull", link, "xa-a", str(tmp_path / "xa-a"))
    assert got.returncode == 0, got.stderr
    same_package(tmp_path / "xa-a", campaign / "dist/packages/xa-a")
    short = shared("1s")
    time.sleep(2)
    # moto does not enforce presigned expiry (real S3 does, from the signature); the share
    # document's own expiry makes pull refuse the link either way.
    late = run(campaign, bare, "pull", short, "xa-a", str(tmp_path / "again"))
    assert late.returncode == 1 and "expired" in late.stderr
    assert "Signature" not in late.stderr  # the signed part of the link never lands in output


def test_folder_store_publish_and_pull(campaign, tmp_path):
    target = tmp_path / "kho"
    url = target.as_uri()
    assert run(campaign, {}, "publish", url).returncode == 0
    result = run(campaign, {}, "pull", url, "xa-b", str(tmp_path / "xa-b"))
    assert result.returncode == 0, result.stderr
    same_package(tmp_path / "xa-b", campaign / "dist/packages/xa-b")
    # A file:// share link has no headers: compressed objects are known by gzip's magic number.
    link = share.share(open_store(url), "xa-a", 3600)
    document = Path(urllib.request.url2pathname(link.removeprefix("file://")))
    assert document.read_bytes()[:2] == b"\x1f\x8b"  # compressed too: it lists a link per object
    pull.pull(pull.open_source(link), "xa-a", tmp_path / "xa-a")
    same_package(tmp_path / "xa-a", campaign / "dist/packages/xa-a")


def test_text_objects_are_stored_compressed_and_the_pointer_is_not(campaign, bucket):
    endpoint, name, _ = bucket
    published(campaign, endpoint, name)
    s3 = boto3.client("s3", endpoint_url=endpoint)
    m = built_manifest(campaign, "xa-a")
    raw = (campaign / "dist/packages/xa-a/manifest.json").read_bytes()
    text = [(e.path, e.sha256, e.size) for e in m.files if e.kind != "audio"]
    text.append(("manifest.json", hashlib.sha256(raw).hexdigest(), len(raw)))
    stored = 0
    for path, sha, _ in text:
        reply = s3.get_object(Bucket=name, Key=cloud.version_key("xa-a", m.version, path))
        body = reply["Body"].read()  # S3 answers the bytes as stored; botocore does not decode them
        assert reply["ContentEncoding"] == "gzip" and body[:2] == b"\x1f\x8b", path
        assert hashlib.sha256(gzip.decompress(body)).hexdigest() == sha, path  # sha256: of the file
        stored += len(body)
    assert stored < sum(size for *_, size in text) / 3
    pointer = s3.get_object(Bucket=name, Key=cloud.pointer_key("xa-a"))
    assert "ContentEncoding" not in pointer and json.loads(pointer["Body"].read())["version"] == m.version
    blob = s3.head_object(Bucket=name, Key=cloud.blob_key(m.audio[0].sha256))
    assert "ContentEncoding" not in blob  # MP3 does not compress: stored as it is


def test_publish_reads_each_package_only_once_the_previous_communes_pointer_is_up(campaign, store):
    plans = []

    def packages():
        for package in publish.packages_in(publish.publish_order(two_communes(campaign))):
            yield package
            commune = package.manifest.commune["id"]  # resumed: the publish wants the next one
            if store.head(cloud.pointer_key(commune)) is None:
                raise AssertionError(f"the package after {commune} was read before {commune}'s pointer")

    summary = publish.publish(store, packages(), planned=plans.append)
    assert [p.commune for p in plans] == ["xa-a", "xa-b"] and summary.communes == 2
    for plan in plans:  # a plan holds its own commune's objects, and blobs no earlier one had
        assert all(u.commune == plan.commune and (u.kind == "blob" or
                   u.key.startswith(f"communes/{plan.commune}/")) for u in plan.uploads)
    first, second = ({u.key for u in p.uploads if u.kind == "blob"} for p in plans)
    assert first and not first & second
    again = publish.publish(store, packages(), planned=plans.append)
    assert again.unchanged == 2 and again.uploaded == 0


def test_share_link_keeps_serving_its_version_after_the_next_publish(campaign, bucket, tmp_path):
    endpoint, name, env = bucket
    root = tmp_path / "ws"
    shutil.copytree(campaign, root, symlinks=True)  # its own copy: this test changes a message
    url = f"s3://{name}/tinh"
    assert run(root, env, "publish", url, "--offline", "--endpoint-url", endpoint).returncode == 0
    first = json.loads((root / "dist/packages/xa-a/manifest.json").read_text())["version"]
    link = run(root, env, "share", url, "xa-a", "--endpoint-url", endpoint).stdout.strip()
    messages = (root / "messages.yaml").read_text(encoding="utf-8")
    changed = messages.replace("việc nhà.", "việc nhà, chăm con.")
    (root / "messages.yaml").write_text(changed, encoding="utf-8")
    assert run(root, env, "publish", url, "--offline", "--endpoint-url", endpoint).returncode == 0
    assert json.loads((root / "dist/packages/xa-a/manifest.json").read_text())["version"] != first
    got = run(root, {}, "pull", link, "xa-a", str(tmp_path / "xa-a"))
    assert got.returncode == 0, got.stderr
    assert json.loads((tmp_path / "xa-a" / "manifest.json").read_text())["version"] == first


def test_the_listing_is_read_once_in_key_order_and_a_commune_out_of_order_costs_one_more(tmp_path):
    store = open_store((tmp_path / "kho").as_uri())
    ids = ["xa", "xa-1", "xa-10", "xb"]  # "communes/xa-1/" sorts before "communes/xa/": "-" < "/"
    for commune in ids:
        for name in ("v1/index.html", "latest.json"):
            store.put(f"communes/{commune}/{name}", commune.encode(), content_type="text/plain",
                      sha256=hashlib.sha256(commune.encode()).hexdigest())
    order = [f.name for f in publish.publish_order(Path(i) for i in ids)]
    assert order == ["xa-1", "xa-10", "xa", "xb"]
    listing = publish.CommuneListing(store)
    for commune in order:
        assert sorted(listing.take(commune)) == [f"communes/{commune}/latest.json",
                                                 f"communes/{commune}/v1/index.html"]
    assert listing.take("xc") == {} and store.stats["list"] == 1  # none there: still in order
    assert sorted(listing.take("xa")) == [f"communes/xa/{n}" for n in ("latest.json", "v1/index.html")]
    assert store.stats["list"] == 2  # "xa" came after the listing had passed it
