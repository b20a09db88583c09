"""The store contract, checked against both stores: a local folder and real boto3 talking to moto's
real S3 server on loopback (no stubs). S3-only behaviour (parts, pages, signing, errors) has its
own tests; where moto does not enforce something AWS does, the test says so.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import json
import random
import socket
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import parse_qsl, quote, urlsplit

import boto3
import pytest
from botocore import exceptions as bce
from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.models import s3_backends

from broadcast import i18n
from broadcast.errors import InputError, OperationalError
from broadcast.export.cloud import coding
from broadcast.export.cloud.s3 import PART_SIZE
from broadcast.export.cloud.store import FileStore, ObjectInfo, Store
from broadcast.export.cloud.stores import open_store

from .conftest import SECRET_KEY

MiB = 1 << 20


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def noise(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


def put(store: Store, key: str, data: bytes, **kwargs) -> None:
    store.put(key, data, content_type="application/octet-stream", sha256=sha(data), **kwargs)


def s3_store(s3_bucket: tuple[str, str], prefix: str = "pkg") -> Store:
    endpoint, bucket = s3_bucket
    return open_store(f"s3://{bucket}/{prefix}", endpoint_url=endpoint, addressing="path")


def raw_client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


def is_s3(store: Store) -> bool:
    return store.url.startswith("s3://")


# --- the contract, on both stores --------------------------------------------------------------

def test_binary_content_round_trips_through_put_head_list_get_and_download(store, tmp_path):
    every_byte = bytes(range(256)) * 40 + b"\x00\r\n\xff"  # NUL, CR/LF and high bytes survive
    source = tmp_path / "clip.mp3"
    source.write_bytes(every_byte[::-1])
    put(store, "communes/xa-a/v1/001-tin.mp3", every_byte)
    store.put("blobs/clip.mp3", source, content_type="audio/mpeg", sha256=sha(every_byte[::-1]))

    assert isinstance(store, Store)
    assert store.head("communes/xa-a/v1/001-tin.mp3") == ObjectInfo(
        "communes/xa-a/v1/001-tin.mp3", len(every_byte), md5(every_byte), sha(every_byte))
    assert [(o.key, o.size, o.etag) for o in store.list()] == [
        ("blobs/clip.mp3", len(every_byte), md5(every_byte[::-1])),
        ("communes/xa-a/v1/001-tin.mp3", len(every_byte), md5(every_byte))]
    assert store.get_bytes("communes/xa-a/v1/001-tin.mp3") == every_byte
    store.download("blobs/clip.mp3", tmp_path / "new" / "clip.mp3")
    assert (tmp_path / "new" / "clip.mp3").read_bytes() == every_byte[::-1]


def test_a_compressed_object_keeps_its_encoding_and_reads_back_decoded(store, tmp_path):
    text = "Ngày,Buổi,Giờ phát,Bài\n15/11/2026,sáng,06:00:04,Phòng, chống tảo hôn\n".encode() * 300
    body = coding.compress(text)
    key = "communes/xa-a/v1/lich-phat.csv"
    store.put(key, body, content_type="text/csv", sha256=sha(body), content_encoding="gzip")
    put(store, "communes/xa-a/v1/plain.txt", text)
    info = store.head(key)
    assert (info.size, info.sha256, info.content_encoding) == (len(body), sha(body), "gzip")
    assert len(body) < len(text) / 10 and [o.size for o in store.list("communes/")] == [len(body), len(text)]
    assert store.get_bytes(key) == text  # decoded
    assert store.head("communes/xa-a/v1/plain.txt").content_encoding is None
    assert store.get_bytes("communes/xa-a/v1/plain.txt") == text
    # A download writes the bytes as stored (so it can resume by range) and says how to decode them.
    assert store.download(key, tmp_path / "part", offset=0) == "gzip"
    assert (tmp_path / "part").read_bytes() == body
    assert store.download("communes/xa-a/v1/plain.txt", tmp_path / "plain") is None
    with urllib.request.urlopen(store.presign(key, 60)) as reply:  # what a share link gets
        assert reply.read() == body
        assert reply.headers.get("Content-Encoding") == ("gzip" if is_s3(store) else None)


def test_a_damaged_compressed_object_is_refused(store):
    body = coding.compress(b"x" * 1000)[:-9]  # cut short: no end of stream, no checksum
    store.put("a.csv", body, content_type="text/csv", sha256=sha(body), content_encoding="gzip")
    with pytest.raises(OperationalError) as caught:
        store.get_bytes("a.csv")
    assert caught.value.key == "cloud.bad_gzip"


def test_stats_count_one_request_per_put_list_get_and_download(store, tmp_path):
    data = noise(5000)
    put(store, "a.bin", data)
    list(store.list())
    store.get_bytes("a.bin")
    store.download("a.bin", tmp_path / "a.bin")
    # Exact: a small put is one PutObject, a short listing one page, a download one GetObject.
    assert dict(store.stats) == {"put": 1, "list": 1, "get": 2,
                                 "bytes_up": len(data), "bytes_down": 2 * len(data)}


def test_list_filters_by_prefix_and_sorts_as_s3_does(store):
    for key in ("b/1", "a/2", "ab", "a/10", "a-b/1", "a/1"):
        put(store, key, key.encode())
    # S3 sorts by UTF-8 bytes: "-" (0x2d) before "/" (0x2f), "10" before "2".
    assert [o.key for o in store.list()] == ["a-b/1", "a/1", "a/10", "a/2", "ab", "b/1"]
    assert [o.key for o in store.list("a/")] == ["a/1", "a/10", "a/2"]
    assert [o.key for o in store.list("a")] == ["a-b/1", "a/1", "a/10", "a/2", "ab"]
    assert list(store.list("c/")) == []


def test_large_object_goes_up_in_8_mib_parts(store, tmp_path):
    data = noise(20 * MiB)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    sent: list[int] = []
    store.put("big.bin", source, content_type="audio/mpeg", sha256=sha(data), progress=sent.append)

    assert sum(sent) == len(data)
    info = store.head("big.bin")
    assert (info.size, info.sha256) == (len(data), sha(data))
    if is_s3(store):
        assert sent == [8 * MiB, 8 * MiB, 4 * MiB]
        assert store.stats["part"] == 3 and store.stats["put"] == 0
        # A multipart ETag is the MD5 of the parts' binary MD5s, then "-" and the part count.
        parts = [data[i:i + PART_SIZE] for i in range(0, len(data), PART_SIZE)]
        digests = b"".join(hashlib.md5(part).digest() for part in parts)
        assert info.etag == f"{hashlib.md5(digests).hexdigest()}-3"
    else:
        assert info.etag == md5(data)
    store.download("big.bin", tmp_path / "back.bin")
    assert sha((tmp_path / "back.bin").read_bytes()) == sha(data)


def test_download_from_an_offset_appends_exactly_the_rest(store, tmp_path):
    data = noise(3 * MiB + 123)
    put(store, "clip.mp3", data)
    dest, got = tmp_path / "clip.mp3.part", []
    dest.write_bytes(data[:MiB])
    store.download("clip.mp3", dest, offset=MiB, progress=got.append)
    assert dest.read_bytes() == data
    assert sum(got) == len(data) - MiB and store.stats["bytes_down"] == len(data) - MiB

    dest.write_bytes(data[:1000] + b"torn last write")  # bytes past the offset are cut off
    store.download("clip.mp3", dest, offset=1000)
    assert dest.read_bytes() == data
    store.download("clip.mp3", dest, offset=len(data))  # already complete: nothing to add
    assert dest.read_bytes() == data


@pytest.mark.parametrize(("have", "offset"), [(10, 20), (None, 5), (1 << 30, (1 << 30) - 1)])
def test_a_download_that_cannot_continue_is_refused_and_leaves_the_file(store, tmp_path, have, offset):
    put(store, "clip.mp3", b"x" * 100)
    dest = tmp_path / "clip.mp3.part"
    if have is not None:
        with open(dest, "wb") as fh:
            fh.truncate(have)  # sparse: a 1 GiB partial file costs nothing
    with pytest.raises(InputError) as caught:
        store.download("clip.mp3", dest, offset=offset)
    assert caught.value.key == "cloud.bad_offset"
    assert (dest.stat().st_size if dest.exists() else None) == have


def test_put_with_a_wrong_sha256_stores_nothing(store, tmp_path):
    with pytest.raises(InputError) as caught:
        store.put("a.bin", b"new content", content_type="text/plain", sha256=sha(b"planned content"))
    assert caught.value.key == "cloud.source_changed"
    assert sha(b"planned content") in str(caught.value)
    assert store.head("a.bin") is None and list(store.list()) == []


def test_missing_object_is_none_for_head_and_an_error_for_get(store, tmp_path):
    assert store.head("nope.bin") is None
    for fetch in (lambda: store.get_bytes("nope.bin"), lambda: store.download("nope.bin", tmp_path / "x")):
        with pytest.raises(InputError) as caught:
            fetch()
        assert caught.value.key == "cloud.no_key"
        assert f"{store.url}/nope.bin: " in str(caught.value)
    store.delete("nope.bin")  # deleting what is not there is fine, as on S3


def test_delete_removes_only_that_object(store):
    put(store, "v1/a.bin", b"a")
    put(store, "v1/b.bin", b"b")
    store.delete("v1/a.bin")
    assert [o.key for o in store.list()] == ["v1/b.bin"] and store.head("v1/a.bin") is None


BAD_KEYS = ["../escape.bin", "a/../../escape.bin", "/abs.bin", "a//b", "", "a/", ".hidden", "a/.x.part",
            ".meta/a.bin.json", "a\\b", "nul\x00.bin", "é" * 513]


def test_keys_that_escape_hide_or_are_malformed_are_refused(store, tmp_path):
    for key in BAD_KEYS:
        uses = [(put, store, key, b"x"), (store.head, key), (store.get_bytes, key),
                (store.presign, key, 60), (store.download, key, tmp_path / "d"), (store.delete, key)]
        for use, *args in uses:
            with pytest.raises(InputError) as caught:
                use(*args)
            assert caught.value.key == "cloud.bad_key", (use.__name__, key)
    for prefix in ("../", "a/../", ".meta/"):
        with pytest.raises(InputError):
            list(store.list(prefix))
    assert list(store.list()) == []
    assert not any(p.name.startswith("escape") for p in tmp_path.rglob("*"))


@pytest.mark.parametrize("expires", [0, 604801])
def test_presign_validity_is_between_one_second_and_seven_days(store, expires):
    put(store, "a.bin", b"a")
    assert store.presign("a.bin", 604800)
    with pytest.raises(InputError) as caught:
        store.presign("a.bin", expires)
    assert caught.value.key == ("cloud.expires_too_long" if expires else "cloud.expires_too_short")


# --- the local folder --------------------------------------------------------------------------

def test_file_store_put_is_atomic(tmp_path):
    store = FileStore((tmp_path / "store").as_uri())
    old, new = noise(100), noise(3 * MiB, seed=2)
    put(store, "a.bin", old)
    seen = []

    def look(_: int) -> None:  # runs between chunks, while the new content is half written
        seen.append(store.get_bytes("a.bin") == old and [o.size for o in store.list()] == [len(old)])
        if len(seen) == 2:
            raise RuntimeError("disk unplugged")

    with pytest.raises(RuntimeError):
        put(store, "a.bin", new, progress=look)
    assert seen == [True, True] and store.get_bytes("a.bin") == old
    put(store, "a.bin", new, progress=lambda _: seen.append(store.get_bytes("a.bin") == old))
    assert all(seen) and store.get_bytes("a.bin") == new
    on_disk = sorted(p.relative_to(tmp_path / "store").as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert on_disk == [".meta/a.bin.json", "a.bin"]  # no temporaries left behind


def test_file_store_sidecar_holds_metadata_and_a_stale_one_is_not_trusted(tmp_path):
    store = FileStore((tmp_path / "store").as_uri())
    store.put("a.mp3", b"first", content_type="audio/mpeg", sha256=sha(b"first"))
    meta = json.loads((tmp_path / "store/.meta/a.mp3.json").read_text())
    assert (meta["content_type"], meta["sha256"], meta["md5"]) == ("audio/mpeg", sha(b"first"), md5(b"first"))

    (tmp_path / "store/a.mp3").write_bytes(b"edited by hand")  # size and mtime no longer match
    assert store.head("a.mp3") == ObjectInfo("a.mp3", 14, md5(b"edited by hand"), sha(b"edited by hand"))
    (tmp_path / "store/b.csv").write_bytes(coding.compress(b"copied in by hand"))  # no sidecar at all
    assert store.head("b.csv").content_encoding == "gzip" and store.get_bytes("b.csv") == b"copied in by hand"
    assert store.presign("a.mp3", 60) == (tmp_path / "store/a.mp3").resolve().as_uri()
    with urllib.request.urlopen(store.presign("a.mp3", 60)) as reply:
        assert reply.read() == b"edited by hand"


def test_file_store_delete_leaves_no_empty_folders(tmp_path):
    store = FileStore((tmp_path / "store").as_uri())
    put(store, "communes/xa-a/v1/a.bin", b"a")
    store.delete("communes/xa-a/v1/a.bin")
    assert list((tmp_path / "store").iterdir()) == []


# --- S3: what goes over the wire ---------------------------------------------------------------

def capture_requests(store: Store) -> list[tuple[str, dict]]:
    """Headers of each request as sent. The store's client is private; only a test looks inside."""
    sent: list[tuple[str, dict]] = []
    store._client.meta.events.register(
        "before-send.s3", lambda event_name, request, **_: sent.append(
            (event_name.rsplit(".", 1)[-1], {k.lower(): v.decode() if isinstance(v, bytes) else v
                                             for k, v in request.headers.items()})))
    return sent


def test_s3_objects_carry_type_sha256_and_md5_and_stay_private(s3_bucket):
    endpoint, bucket = s3_bucket
    store = s3_store(s3_bucket)
    sent = capture_requests(store)
    data = noise(PART_SIZE + 1)  # two parts: 8 MiB and 1 byte
    store.put("big.mp3", data, content_type="audio/mpeg", sha256=sha(data))
    put(store, "small.json", b"{}")

    raw = raw_client(endpoint)
    for key in ("pkg/big.mp3", "pkg/small.json"):
        head = raw.head_object(Bucket=bucket, Key=key)
        assert head["ContentType"] == ("audio/mpeg" if "big" in key else "application/octet-stream")
        assert head["Metadata"] == {"sha256": sha(data if "big" in key else b"{}")}
    # Private = no ACL ever requested, so the bucket's default (private) applies. moto 5.2 leaves a
    # multipart object with no ACL at all (get_object_acl crashes on it): only the small one is read.
    grants = raw.get_object_acl(Bucket=bucket, Key="pkg/small.json")["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"] and "URI" not in grants[0]["Grantee"]
    with pytest.raises(urllib.error.HTTPError) as refused:  # no signature: a private object refuses
        urllib.request.urlopen(f"{endpoint}/{bucket}/pkg/small.json")
    assert refused.value.code == 403

    bodies = {"UploadPart": [data[:PART_SIZE], data[PART_SIZE:]], "PutObject": [b"{}"]}
    for operation, headers in sent:
        unwanted = ("x-amz-checksum", "x-amz-sdk-checksum", "x-amz-trailer", "x-amz-acl", "x-amz-grant")
        assert not [h for h in headers if h.startswith(unwanted)]
        if operation in bodies:  # Content-MD5 on every body: what every S3 implementation verifies
            expected = base64.b64encode(hashlib.md5(bodies[operation].pop(0)).digest()).decode()
            assert headers["content-md5"] == expected
    assert bodies == {"UploadPart": [], "PutObject": []}


@pytest.mark.parametrize("stop", ["wrong sha256", "ctrl-c"])
def test_a_failed_multipart_upload_is_aborted_and_leaves_no_parts(s3_bucket, stop):
    endpoint, bucket = s3_bucket
    store = s3_store(s3_bucket)
    data = noise(PART_SIZE + 1)

    def interrupt(_: int) -> None:
        raise KeyboardInterrupt

    expected = InputError if stop == "wrong sha256" else KeyboardInterrupt
    with pytest.raises(expected):
        store.put("big.mp3", data, content_type="audio/mpeg",
                  sha256=sha(b"other") if stop == "wrong sha256" else sha(data),
                  progress=None if stop == "wrong sha256" else interrupt)
    assert store.stats["multipart_abort"] == 1 and store.stats["multipart_complete"] == 0
    assert "Uploads" not in raw_client(endpoint).list_multipart_uploads(Bucket=bucket)
    assert store.head("big.mp3") is None


def test_listing_pages_through_more_than_1000_keys(s3_bucket):
    _, bucket = s3_bucket
    store = s3_store(s3_bucket)
    # 1000 HTTP puts take ~10 s on moto, so the bulk is placed straight into the running server's
    # storage; the listing under test still goes over HTTP through boto3.
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    for i in range(1000):
        backend.put_object(bucket, f"pkg/blobs/{i:04d}.bin", b"x")
    for name in ("zz-1", "zz-2"):
        put(store, f"blobs/{name}.bin", b"y")
    put(store, "other/a.bin", b"z")

    keys = [o.key for o in store.list("blobs/")]
    assert len(keys) == 1002 and keys == sorted(keys) and keys[-1] == "blobs/zz-2.bin"
    assert store.stats["list"] == 2  # 1000 per page
    assert len(list(store.list())) == 1003 and store.stats["list"] == 4


# --- S3: presigned URLs ------------------------------------------------------------------------

def sigv4_signature(url: str, secret: str) -> str:
    """The SigV4 signature of a presigned GET URL, recomputed from AWS's published algorithm
    (independently of botocore), so the test knows the signature covers date and expiry."""
    parts = urlsplit(url)
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if k != "X-Amz-Signature")
    canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in query)
    request = "\n".join(["GET", parts.path, canonical_query, f"host:{parts.netloc}", "", "host",
                         "UNSIGNED-PAYLOAD"])
    fields = dict(query)
    scope = fields["X-Amz-Credential"].split("/", 1)[1]
    to_sign = "\n".join(["AWS4-HMAC-SHA256", fields["X-Amz-Date"], scope,
                         hashlib.sha256(request.encode()).hexdigest()])
    key = f"AWS4{secret}".encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def test_presigned_url_works_without_credentials(s3_bucket, monkeypatch):
    store = s3_store(s3_bucket)
    data = noise(1000)
    put(store, "communes/xa-a/latest.json", data)
    url = store.presign("communes/xa-a/latest.json", 3600)

    fields = dict(parse_qsl(urlsplit(url).query))
    assert fields["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256" and fields["X-Amz-Expires"] == "3600"
    signed_at = calendar.timegm(time.strptime(fields["X-Amz-Date"], "%Y%m%dT%H%M%SZ"))
    assert abs(signed_at - time.time()) < 60
    assert fields["X-Amz-Signature"] == sigv4_signature(url, SECRET_KEY) and SECRET_KEY not in url

    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with urllib.request.urlopen(url) as reply:
        assert reply.read() == data


@pytest.mark.xfail(strict=True, reason="moto 5.2 never checks X-Amz-Date/X-Amz-Expires: s3/responses.py "
                   "serves any URL containing 'Signature='. AWS, MinIO and Ceph answer 403.")
def test_presigned_url_is_refused_after_it_expires(s3_bucket):
    store = s3_store(s3_bucket)
    put(store, "a.bin", b"a")
    url = store.presign("a.bin", 1)
    time.sleep(1.5)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url)
    assert refused.value.code == 403


# --- S3: errors --------------------------------------------------------------------------------

def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_endpoint_names_url_and_endpoint_in_both_languages(aws_env):
    endpoint = f"http://127.0.0.1:{closed_port()}"
    store = open_store("s3://goi-tin/xa-a", endpoint_url=endpoint)
    with pytest.raises(OperationalError) as caught:
        list(store.list())
    assert caught.value.key == "cloud.unreachable"
    assert store.stats["list"] == 6  # the first attempt and 5 retries ("max_attempts" counts retries)
    english = str(caught.value)
    assert english.startswith("s3://goi-tin/xa-a: ") and endpoint in english and "--endpoint-url" in english
    i18n.set_language("vi")
    vietnamese = str(caught.value)
    assert "không kết nối được" in vietnamese and endpoint in vietnamese
    assert SECRET_KEY not in english + vietnamese + repr(store)


def test_missing_bucket_is_named(s3_server, aws_env):
    store = open_store(f"s3://missing-{uuid.uuid4().hex[:8]}/pkg", endpoint_url=s3_server)
    for use, *args in [(list, store.list()), (store.get_bytes, "a.bin"), (put, store, "a.bin", b"a")]:
        with pytest.raises(InputError) as caught:
            use(*args)
        assert caught.value.key == "cloud.no_bucket" and str(caught.value).startswith(store.url)


def test_no_credentials_says_how_to_provide_them(s3_bucket, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    store = s3_store(s3_bucket)
    with pytest.raises(InputError) as caught:
        put(store, "a.bin", b"a")
    message = str(caught.value)
    assert caught.value.key == "cloud.no_credentials" and message.startswith(f"{store.url}/a.bin: ")
    assert all(hint in message for hint in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "aws configure",
                                            "--profile"))
    with pytest.raises(InputError) as caught:
        open_store("s3://bucket", profile="xa-khong-co")
    assert caught.value.key == "cloud.no_profile" and "xa-khong-co" in str(caught.value)


@pytest.fixture
def moto_auth(s3_server):
    """moto checks signatures and IAM policies only after INITIAL_NO_AUTH_ACTION_COUNT requests;
    in server mode /moto-api/reset-auth sets that count (0: from now on), and this puts it back."""
    def post(count: str) -> None:
        # Not form-encoded (urllib's default), or werkzeug parses the body away from moto.
        request = urllib.request.Request(f"{s3_server}/moto-api/reset-auth", data=count.encode(),
                                         headers={"Content-Type": "text/plain"}, method="POST")
        urllib.request.urlopen(request).close()
    yield lambda: post("0")
    post("inf")


def test_wrong_keys_and_missing_permission_are_told_apart(s3_bucket, monkeypatch, moto_auth):
    endpoint, _ = s3_bucket
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
    iam.create_user(UserName="xa-a-operator")  # no policy: may sign requests, may do nothing
    keys = iam.create_access_key(UserName="xa-a-operator")["AccessKey"]
    moto_auth()
    cases = [("AKIAWRONGWRONGWRONG0", SECRET_KEY, "cloud.bad_credentials"),
             (keys["AccessKeyId"], keys["SecretAccessKey"], "cloud.access_denied")]
    for access_key, secret, expected in cases:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", access_key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
        store = s3_store(s3_bucket)
        with pytest.raises(InputError) as caught:
            list(store.list())
        assert caught.value.key == expected and str(caught.value).startswith(store.url)
        assert secret not in str(caught.value) + repr(store)


@pytest.fixture(scope="module")
def offline_store(tmp_path_factory) -> Store:
    """One S3 store for translation checks (a client costs ~0.3 s to build); no server needed."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            patch.setenv(name, str(tmp_path_factory.mktemp("aws") / "absent"))
        patch.delenv("AWS_PROFILE", raising=False)
        return open_store("s3://goi-tin/pkg", endpoint_url=f"http://127.0.0.1:{closed_port()}")


def client_error(status: int, code: str) -> bce.ClientError:
    return bce.ClientError({"Error": {"Code": code, "Message": f"secret {SECRET_KEY}"},
                            "ResponseMetadata": {"HTTPStatusCode": status}}, "PutObject")


@pytest.mark.parametrize(("exc", "kind", "key"), [
    (client_error(400, "BadDigest"), OperationalError, "cloud.checksum_mismatch"),
    (client_error(403, "RequestTimeTooSkewed"), OperationalError, "cloud.clock_skew"),
    (client_error(503, "SlowDown"), OperationalError, "cloud.failed"),
    (bce.ReadTimeoutError(endpoint_url="http://x"), OperationalError, "cloud.interrupted"),
    (bce.SSLError(endpoint_url="http://x", error="bad cert"), OperationalError, "cloud.tls"),
    (bce.ConnectTimeoutError(endpoint_url="http://x"), OperationalError, "cloud.unreachable"),
])
def test_errors_moto_cannot_produce_are_translated_too(offline_store, exc, kind, key):
    """moto never checks Content-MD5 and has no clock or TLS, so these failures are fed to the
    translation directly, as botocore itself would raise them."""
    store = offline_store
    error = store.translate(exc, "a.bin")
    assert type(error) is kind and error.key == key
    assert str(error).startswith(f"{store.url}/a.bin: ") and SECRET_KEY not in str(error)
    if key == "cloud.failed":
        assert "503" in str(error) and "SlowDown" in str(error)


@pytest.mark.parametrize(("url", "options", "key"), [
    ("ftp://host/x", {}, "cloud.bad_url"),
    ("s3://", {}, "cloud.bad_url"),
    ("s3://bucket/../x", {}, "cloud.bad_key"),
    (f"s3://AKIA:{SECRET_KEY}@bucket/x", {}, "cloud.secret_in_url"),
    ("s3://bucket", {"endpoint_url": f"https://AKIA:{SECRET_KEY}@s3.example.vn"}, "cloud.secret_in_url"),
    ("s3://bucket", {"endpoint_url": "s3.example.vn"}, "cloud.bad_endpoint"),
    ("s3://bucket", {"addressing": "sideways"}, "cloud.bad_addressing"),
])
def test_bad_addresses_are_refused_without_echoing_secrets(aws_env, url, options, key):
    with pytest.raises(InputError) as caught:
        open_store(url, **options)
    assert caught.value.key == key and SECRET_KEY not in str(caught.value)
