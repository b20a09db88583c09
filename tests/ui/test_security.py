"""What the page refuses: requests without the token, with a foreign Host header (DNS
rebinding), state changes without the CSRF token or from another origin, uploads with a path in
their name or over the size limit, and anything it would read outside the campaign folder.
Plain HTTP on loopback, no browser: these are the requests an attacker's page would make."""

from __future__ import annotations

import http.client
import re
import socket
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import make_audio, speechlike, write_workspace

from broadcast.ui import server
from broadcast.ui.context import Config

LIMIT = 300_000
"""Bytes of a recording the page takes in these tests (the real limit is 200 MB)."""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = write_workspace(tmp_path_factory.mktemp("security") / "ws")
    serving = server.start(Config(root, recording_limit=LIMIT, sheet_limit=LIMIT))
    yield serving
    serving.stop()


def request(serving, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None,
            cookie: bool = True) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", serving.port, timeout=30)
    sent = {"Host": f"127.0.0.1:{serving.port}", **(headers or {})}
    if cookie:
        sent["Cookie"] = f"{serving.config.secrets.cookie_name(serving.port)}={serving.config.secrets.token}"
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    response.text = response.read().decode("utf-8", "replace")
    connection.close()
    return response


def multipart(fields: dict[str, str], name: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_every_page_needs_the_token(served):
    for path in ("/", "/messages/", "/deliver/", "/static/ui.css", "/records/report.html"):
        refused = request(served, "GET", path, cookie=False)
        assert refused.status == 403, path
        assert "token" in refused.text and served.config.secrets.token not in refused.text
    assert request(served, "GET", "/?token=" + "x" * 32, cookie=False).status == 403


def test_the_printed_url_sets_a_strict_cookie_and_leaves_the_address_bar(served):
    entered = request(served, "GET", "/?token=" + served.config.secrets.token, cookie=False)
    assert entered.status == 302 and entered.getheader("Location") == "/"
    cookie = entered.getheader("Set-Cookie")
    assert served.config.secrets.token in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert request(served, "GET", "/").status == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}",
                                  "127.0.0.1:1", "localhost.evil.example:{port}", ""])
def test_a_foreign_host_header_is_refused(served, host):
    assert request(served, "GET", "/", headers={"Host": host.format(port=served.port)}).status == 400


def test_localhost_is_this_machine_too(served):
    assert request(served, "GET", "/", headers={"Host": f"localhost:{served.port}"}).status == 200


def _save_form(csrf: str | None) -> bytes:
    fields = {"id": "tin-01", "title": "Đổi tiêu đề", "ref": "messages.yaml:0"}
    if csrf is not None:
        fields["csrf"] = csrf
    return urlencode(fields).encode("ascii")


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_a_state_change_needs_the_csrf_token_and_this_origin(served):
    before = (served.config.root / "messages.yaml").read_bytes()
    assert request(served, "POST", "/messages/save", headers=FORM, body=_save_form(None)).status == 403
    assert request(served, "POST", "/messages/save", headers=FORM, body=_save_form("wrong")).status == 403
    foreign = {**FORM, "Origin": "http://evil.example"}
    csrf = served.config.secrets.csrf
    assert request(served, "POST", "/messages/save", headers=foreign, body=_save_form(csrf)).status == 403
    assert (served.config.root / "messages.yaml").read_bytes() == before
    # GET never changes anything: the same form sent as a GET is no save.
    assert request(served, "GET", "/messages/save?" + _save_form(csrf).decode()).status == 405
    done = request(served, "POST", "/messages/save", headers=FORM, body=_save_form(csrf))
    assert done.status == 302 and "Đổi tiêu đề" in (served.config.root / "messages.yaml").read_text("utf-8")


@pytest.mark.parametrize("name", ["../evil.wav", "..\\evil.wav", "/tmp/evil.wav", "C:evil.wav",
                                  "recordings/../../evil.wav", ".hidden.wav", "evil.exe"])
def test_an_upload_with_a_path_in_its_name_is_refused(served, name, tmp_path):
    wav = make_audio(tmp_path / "a.wav", speechlike(1.0), 1.0).read_bytes()
    body, kind = multipart({"csrf": served.config.secrets.csrf}, "file", name, wav)
    refused = request(served, "POST", "/messages/messages.yaml:0/recording",
                      headers={"Content-Type": kind}, body=body)
    assert refused.status == 400
    root = served.config.root
    assert not list(root.parent.glob("evil*")) and not list(root.rglob("evil*"))
    assert not (root / "recordings").exists() or not any((root / "recordings").iterdir())


def test_an_upload_over_the_limit_or_not_audio_is_refused(served):
    root = served.config.root
    for data in (b"\0" * (LIMIT + 1000), b"ID3 this is a text file, not audio" * 10):
        body, kind = multipart({"csrf": served.config.secrets.csrf}, "file", "ban-thu.mp3", data)
        refused = request(served, "POST", "/messages/messages.yaml:0/recording",
                          headers={"Content-Type": kind}, body=body)
        assert refused.status == 400, refused.text[:300]
        assert not list(root.rglob("ban-thu*")) and not list(root.rglob("*.part"))
    # A body far over the limit is refused from its announced length, before it is read.
    assert _announced(served, 50 * LIMIT + (8 << 20)).startswith("HTTP/1.1 413")
    assert not list(root.rglob("ban-thu*"))


def _announced(serving, length: int) -> str:
    """Send only the headers of a request announcing ``length`` bytes; the status line."""
    secrets = serving.config.secrets
    head = (f"POST /messages/messages.yaml:0/recording HTTP/1.1\r\nHost: 127.0.0.1:{serving.port}\r\n"
            f"Cookie: {secrets.cookie_name(serving.port)}={secrets.token}\r\nX-CSRF-Token: {secrets.csrf}\r\n"
            f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {length}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", serving.port), timeout=30) as sock:
        sock.sendall(head.encode("ascii") + b"--x\r\n")
        return sock.recv(200).decode("ascii", "replace")


def test_no_path_outside_the_campaign_is_served(served, tmp_path):
    secret = tmp_path / "secret.img"
    secret.write_bytes(b"not yours")
    for path in (f"/deliver/images/..%2F..%2F{secret.name}", "/deliver/images/..%2Fbroadcast.yaml",
                 "/messages/clip/..%2Fbroadcast.mp3", "/static/..%2F..%2Fapp.py"):
        answer = request(served, "GET", path)
        assert answer.status in (400, 404), path
        assert "not yours" not in answer.text and "organization" not in answer.text


def test_nothing_secret_reaches_a_page(served, signing_key_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret-7Qx9")
    key_text = Path(signing_key_path).read_text(encoding="utf-8")
    secret_parts = [part for part in re.findall(r"[A-Za-z0-9+/=_-]{20,}", key_text)]
    assert secret_parts
    for path in ("/", "/messages/", "/messages/messages.yaml:0/edit", "/communes/", "/settings",
                 "/schedule/", "/deliver/", "/records/"):
        page = request(served, "GET", path)
        assert page.status == 200, path
        assert served.config.secrets.token not in page.text, path
        assert "testing-secret-7Qx9" not in page.text and str(signing_key_path) not in page.text
        assert not any(part in page.text for part in secret_parts), path
        assert "script-src 'self'" in page.getheader("Content-Security-Policy")
