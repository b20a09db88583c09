"""``broadcast spoken --explain``: one line per change, then the spoken text, through the CLI."""

from __future__ import annotations

from pathlib import Path


def test_spoken_explain_prints_each_change_and_the_spoken_text(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no workspace: the built-in lexicon
    result = run_cli("spoken", "--explain", "Ban VSTBPN xã: Quý IV, gọi 111")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "VSTBPN → Vì sự tiến bộ của phụ nữ   [lexicon: VSTBPN]",
        "Quý IV → quý bốn   [rule: Roman numeral (read_roman_numerals)]",
        "111 → một một một   [rule: phone or service number (digit by digit) (read_phone_numbers)]",
        "Spoken: Ban Vì sự tiến bộ của phụ nữ xã: quý bốn, gọi một một một.",
    ]


def test_spoken_explain_names_the_workspace_lexicon_in_vietnamese(workspace: Path, run_cli):
    (workspace / "lexicon.yaml").write_text("abbreviations:\n  BQLR: Ban quản lý rừng\n",
                                            encoding="utf-8")
    result = run_cli("--lang", "vi", "-w", str(workspace), "spoken", "--explain", "BQLR thông báo")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "BQLR → Ban quản lý rừng   [lexicon.yaml của chiến dịch: BQLR]",
        "Lời đọc: Ban quản lý rừng thông báo.",
    ]


def test_spoken_without_explain_prints_only_the_text(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("spoken", "Nhiệt độ -2°C")
    assert result.stdout == "Nhiệt độ âm hai độ C.\n"
