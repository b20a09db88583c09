"""Exit codes exactly as documented, and every refusal in the user's words (issue 10): 2 for bad
input or usage, 3 for a package, manifest or image refused or damaged; each message says what
to do next. In-process through the CLI, on a copy of the small built campaign."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import click
import pytest
import yaml
from badinput import INTERNAL, outputs, vietnamese_by_default


def package(ws: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "pkg"
    shutil.copytree(ws / "dist" / "packages" / "xa-a", folder)
    return folder


def edit_manifest(folder: Path, change) -> None:
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    change(data)
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")


def _first_path(data: dict, path: str) -> None:
    """Give the manifest's first file another path (format 2 lists files as [path, content])."""
    data["files"][0][0] = path


DAMAGE = {
    "not JSON": lambda f: (f / "manifest.json").write_text('{"format": "broadcast-package", ', "utf-8"),
    "a path with ..": lambda f: edit_manifest(f, lambda d: _first_path(d, "../../etc/passwd")),
    "an absolute path": lambda f: edit_manifest(f, lambda d: _first_path(d, "/tmp/x.mp3")),
    "a Windows path": lambda f: edit_manifest(f, lambda d: _first_path(d, "C:\\x.mp3")),
    "no file list": lambda f: edit_manifest(f, lambda d: d.pop("files")),
    "not a broadcast manifest": lambda f: edit_manifest(f, lambda d: d.update(format="other")),
}


@pytest.mark.parametrize("name", DAMAGE)
def test_verify_refuses_a_damaged_or_edited_manifest_with_exit_3(name, small_copy, tmp_path, run_cli,
                                                                 monkeypatch):
    folder = package(small_copy, tmp_path)
    DAMAGE[name](folder)
    for lang, fix in (("en", "broadcast"), ("vi", "broadcast")):
        result = run_cli("--lang", lang, "verify", str(folder))
        assert result.exit_code == 3, result.stderr
        assert result.stderr.startswith(f"{folder}/manifest.json: ") or str(folder) in result.stderr
        assert fix in result.stderr and not any(w in result.stderr for w in INTERNAL)


@pytest.mark.parametrize("cut", [1 << 20, 3 << 20])
def test_verify_refuses_a_truncated_image_with_exit_3(cut, small_copy, tmp_path, run_cli):
    made = run_cli("-w", str(small_copy), "image", "xa-a", "-o", str(tmp_path), "--offline")
    assert made.exit_code == 0, made.stderr
    image = tmp_path / "xa-a.img"
    with image.open("r+b") as fh:
        fh.truncate(image.stat().st_size - cut)
    result = run_cli("verify", str(image))
    assert result.exit_code == 3 and f"{image}: cannot be read as a FAT disk image" in result.stderr


def test_usb_to_a_file_says_it_is_a_file_before_rendering(small_copy, tmp_path, run_cli, monkeypatch):
    (tmp_path / "E").write_text("not a stick")
    before = outputs(small_copy)
    (small_copy / "messages.yaml").write_text((small_copy / "messages.yaml").read_text("utf-8")
                                              .replace("cùng chia sẻ", "cùng nhau chia sẻ"), "utf-8")
    vietnamese_by_default(monkeypatch)
    for target in (tmp_path / "E", tmp_path / "E" / "thu-muc"):
        result = run_cli("-w", str(small_copy), "usb", "xa-a", str(target), "--offline")
        assert result.exit_code == 2
        assert result.stderr.startswith(f"{tmp_path / 'E'}: đây là một tệp, không phải thư mục")
    assert outputs(small_copy) == before  # the changed message was not rendered first


@pytest.mark.parametrize("bucket", ["Kho_Tinh", "ab", "kho..tinh", "192.168.1.10", "-kho-tinh", "kho tinh"])
def test_an_invalid_bucket_name_is_bad_input_before_any_request(bucket, small_copy, run_cli, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    before = outputs(small_copy)
    for lang, said in (("en", "is not a valid bucket name"), ("vi", "không phải là tên bucket hợp lệ")):
        # Port 9 (discard) answers nothing: any request would fail with exit 1, not 2.
        result = run_cli("--lang", lang, "-w", str(small_copy), "publish", f"s3://{bucket}/tinh",
                         "--endpoint-url", "http://127.0.0.1:9", "--offline")
        assert result.exit_code == 2, result.stderr
        assert said in result.stderr and "try again" not in result.stderr
    assert outputs(small_copy) == before


@pytest.mark.parametrize("content", [b"Ban tin so 1", b"", b"RIFF\x00\x00\x00\x00WAVEfmt "])
def test_tags_of_a_file_that_is_no_mp3_is_an_error(content, tmp_path, run_cli, small_copy):
    path = tmp_path / "tin.mp3"
    path.write_bytes(content)
    clip = small_copy / "build" / "clips" / "tin-01.mp3"
    result = run_cli("tags", str(clip), str(path))
    assert result.exit_code == 2
    assert f"{path}: not an MP3 file" in result.stderr and "ID3v-" not in result.stdout
    assert "Phòng, chống tảo hôn" in result.stdout  # the good clip is still shown


@pytest.mark.parametrize("data", [b"\xff\xfb\x90\x00" + bytes(range(256)) * 4, b"ID3\x03\x00" + bytes(300),
                                  "UBND xã".encode("utf-16"), b"\x00\x01\x02\x03 abc"])
def test_spoken_refuses_binary_input(data, run_cli, monkeypatch):
    vietnamese_by_default(monkeypatch)
    from click.testing import CliRunner

    from broadcast.cli import cli

    result = CliRunner(mix_stderr=False).invoke(cli, ["spoken"], input=data)
    assert result.exit_code == 2 and result.stdout == ""
    assert "đầu vào" in result.stderr and not any(w in result.stderr for w in INTERNAL)


def test_spoken_keeps_the_workspace_lexicon_whatever_else_is_wrong(small_copy, run_cli):
    (small_copy / "lexicon.yaml").write_text("words:\n  Hợp tác xã: Hê tê xê\n", "utf-8")
    (small_copy / "messages.yaml").write_text("messages: [\n", "utf-8")  # an unrelated error
    (small_copy / "communes.yaml").write_text("communes: 5\n", "utf-8")
    result = run_cli("-w", str(small_copy), "spoken", "Hợp tác xã Tân Lập")
    assert result.exit_code == 0 and result.stdout.strip() == "Hê tê xê Tân Lập."
    (small_copy / "lexicon.yaml").write_text("words: [Hợp tác xã]\n", "utf-8")
    result = run_cli("-w", str(small_copy), "spoken", "Hợp tác xã Tân Lập")
    assert result.exit_code == 0 and result.stdout.strip() == "Hợp tác xã Tân Lập."
    assert "The campaign's lexicon cannot be used" in result.stderr and "lexicon.yaml:1:" in result.stderr


def test_click_date_and_option_errors_are_in_vietnamese(small_copy, run_cli, monkeypatch):
    vietnamese_by_default(monkeypatch)
    for args in (("schedule", "--date", "2026-13-01"), ("report", "--from", "32/11/2026"),
                 ("render", "--jobs", "0"), ("render", "--jobs"), ("render", "--khong-co")):
        result = run_cli("-w", str(small_copy), *args)
        assert result.exit_code == 2
        assert result.stderr.splitlines()[-1].startswith("Lỗi: ")
        for english in ("does not match", "Invalid value", "is not in the range", "requires an argument",
                        "No such option", "Usage:"):
            assert english not in result.stderr, result.stderr


def click_messages() -> set[str]:
    """Every sentence click builds with gettext, read from its source."""
    found = set()
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "ngettext"):
                found |= {a.value for a in node.args
                          if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return found


def test_every_click_message_has_a_vietnamese_translation():
    catalog = yaml.safe_load((Path(__file__).parents[1] / "src" / "broadcast" / "locales" /
                              "click_vi.yaml").read_text(encoding="utf-8"))
    found = click_messages()
    assert len(found) > 50  # the scan works
    assert sorted(found - set(catalog)) == []


@pytest.mark.parametrize("args,data", [(("spoken",), b""), (("spoken",), b"  \n\n"),
                                       (("spoken", "   "), None)])
def test_spoken_with_nothing_to_read_says_so(args, data, monkeypatch):
    vietnamese_by_default(monkeypatch)
    from click.testing import CliRunner

    from broadcast.cli import cli

    for lang, said in (("vi", "không có câu nào để đọc"), ("en", "there is no text to read")):
        result = CliRunner(mix_stderr=False).invoke(cli, ["--lang", lang, *args], input=data)
        assert result.exit_code == 2 and result.stdout == "" and said in result.stderr


@pytest.mark.parametrize("damage,row", [
    (lambda rows: [rows[0], rows[1].replace("xa-a,", 'xa-a,"', 1), *rows[2:4]], 2),  # glues cells
    (lambda rows: [*rows[:2], rows[2].replace(",tin-02", ',"tin-02', 1)], 3),  # open to the end
])
def test_asrun_refuses_a_play_log_whose_quote_hides_rows(damage, row, small_copy, tmp_path, run_cli):
    sheet = small_copy / "dist" / "packages" / "xa-a" / "nhat-ky-phat.csv"
    rows = sheet.read_text("utf-8-sig").splitlines()
    rows = [r.replace(",,,", ",có,,") for r in rows]
    log = tmp_path / "nhat-ky.csv"
    log.write_text("\n".join(damage(rows)) + "\n", encoding="utf-8")
    before = outputs(small_copy)
    for lang, said in (("en", f"row {row}"), ("vi", f"dòng {row}")):
        result = run_cli("--lang", lang, "-w", str(small_copy), "asrun", "import", str(log))
        assert result.exit_code == 2, result.stderr
        assert said in result.stderr and str(log) in result.stderr
        assert not any(w in result.stderr for w in INTERNAL)
    assert outputs(small_copy) == before
