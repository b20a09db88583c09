"""manifest.json's two formats: version 2 (each content once) is written, version 1 still verifies.

The version 1 manifest below was written and signed by broadcast before format 2 existed (the
code at commit f01058d, with a key made for this test); its public key is in the document, so
the check needs no secret.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime

import pytest

from broadcast.errors import InputError
from broadcast.package import manifest as manifest_format
from broadcast.trust.signing import VIETNAM, check_manifest

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=VIETNAM)
WRITTEN_BY_FORMAT_1 = '''\
{
 "campaign": {
  "end": "2026-12-15",
  "id": "bdg-2026",
  "name": "Tháng hành động",
  "start": "2026-11-15"
 },
 "commune": {
  "id": "xa-a",
  "name": "Xã Dân Hóa",
  "province": "Quảng Trị"
 },
 "created": "2026-11-10T08:00:00Z",
 "expires": "2099-12-31T23:59:59+07:00",
 "extra": {},
 "files": [
  {
   "duration": 4.0,
   "kind": "audio",
   "message": "_station",
   "path": "01_1511_sang/001_nhac-hieu.mp3",
   "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
   "size": 4,
   "title": "Nhạc hiệu"
  },
  {
   "duration": 87.6,
   "kind": "audio",
   "language": "vie",
   "message": "tao-hon",
   "path": "01_1511_sang/002_tao-hon.mp3",
   "sha256": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
   "size": 5,
   "title": "Phòng, chống tảo hôn",
   "topics": [
    "tảo hôn"
   ]
  },
  {
   "duration": 4.0,
   "kind": "audio",
   "message": "_station",
   "path": "02_1511_chieu/001_nhac-hieu.mp3",
   "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
   "size": 4,
   "title": "Nhạc hiệu"
  },
  {
   "kind": "page",
   "path": "index.html",
   "sha256": "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9",
   "size": 3
  }
 ],
 "format": "broadcast-package",
 "format_version": 1,
 "organization": "Sở Dân tộc và Tôn giáo tỉnh Quảng Trị",
 "sequence": 3,
 "signatures": [
  {
   "keyid": "229ae4252ee0982686cbc1b7a45434f66395e910b05f25893d2d12f416625486",
   "public_key": "ZmET92idRRlMlz777S9Cckv5aLVtF+Fx4GkXJaqiesw=",
   "sig": "If2iTAtfR0v4W32N/M2kEuLt2mLufvfoOnFF9IOZKtwxIldCLf3NdzitFp/ALiTB26iOj+WnwKpKv5iVCl5gCw=="
  }
 ],
 "tool": "broadcast 0.1.0",
 "version": "3f9a2c1d0b8e7a65"
}
'''


def test_a_manifest_of_format_1_reads_verifies_and_writes_back_byte_for_byte():
    m = manifest_format.parse(WRITTEN_BY_FORMAT_1, "manifest.json")
    assert m.format_version == 1 and len(m.files) == 4 and m.audio[1].topics == ("tảo hôn",)
    verdict = check_manifest(m, now=NOW)
    assert verdict.ok, verdict.reason
    assert m.to_json() == WRITTEN_BY_FORMAT_1  # what a pull compares, and what is signed
    edited = manifest_format.parse(WRITTEN_BY_FORMAT_1.replace('"size": 5', '"size": 6'), "m")
    assert check_manifest(edited, now=NOW).reason == "bad_signature"


def test_format_2_says_each_content_once_and_reads_back_the_same_files():
    old = manifest_format.parse(WRITTEN_BY_FORMAT_1, "manifest.json")
    new = dataclasses.replace(old, format_version=2, signatures=())
    text = new.to_json()
    data = json.loads(text)
    # The jingle plays in both slots: one content for its two files.
    assert [f[1] for f in data["files"]] == [0, 1, 0, 2] and len(data["contents"]) == 3
    assert text.count("9f86d081") == 1 and WRITTEN_BY_FORMAT_1.count("9f86d081") == 2
    back = manifest_format.parse(text, "manifest.json")
    assert back.files == old.files and back.format_version == 2 and back.to_json() == text
    assert all(line.startswith(("{", "}", " ")) for line in text.splitlines())  # one entry a line


@pytest.mark.parametrize("files, contents", [
    ([["a.mp3", 1]], [{"sha256": "a" * 64, "size": 1, "kind": "audio"}]),  # no such content
    ([["a.mp3", True]], [{"sha256": "a" * 64, "size": 1, "kind": "audio"}]),  # not an index
    ([["a.mp3"]], [{"sha256": "a" * 64, "size": 1, "kind": "audio"}]),
    ([["a.mp3", 0]], [{"sha256": "a" * 64, "size": 1, "kind": "audio", "path": "b.mp3"}]),
    ([["../a.mp3", 0]], [{"sha256": "a" * 64, "size": 1, "kind": "audio"}]),
], ids=["index", "bool", "short", "path-in-content", "unsafe-path"])
def test_malformed_format_2_is_refused(files, contents):
    data = json.loads(manifest_format.parse(WRITTEN_BY_FORMAT_1, "m").to_json())
    data.update(format_version=2, files=files, contents=contents)
    with pytest.raises(InputError):
        manifest_format.parse(json.dumps(data), "manifest.json")


def test_contents_is_a_field_format_1_does_not_know():
    data = json.loads(WRITTEN_BY_FORMAT_1)
    data["contents"] = []
    m = manifest_format.parse(json.dumps(data), "manifest.json")
    assert m.unknown_fields == ("contents",)
    assert not check_manifest(m, now=NOW).ok
