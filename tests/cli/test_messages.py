"""Click/Typer's own help and errors in Vietnamese; staff tables with Vietnamese names and dates."""

from __future__ import annotations

import pytest
import typer

from pipeline.cli.display import field_label, field_value, vn_date
from pipeline.cli.examples import EXAMPLES
from pipeline.cli.main import app, main
from pipeline.cli.vi import ViCommand, ViGroup, walk

ENGLISH = ("Usage:", "Options", "Show this message", "Missing option", "Missing argument",
           "No such option", "Try '", "Error:", "<bool>", "<str>", "<path>", "[default:", "[required]")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_missing_option_is_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    # --book has a default now (the agency's book of the year); --requester is still required.
    code, _out, err = _run(capsys, "certify", "scan.pdf", "-o", "out.pdf")
    assert code == 2
    assert "thiếu tùy chọn '--requester' (missing option)" in err
    assert "Cách dùng (usage): sohoa certify" in err
    assert not any(word in err for word in ENGLISH), err


def test_unknown_option_and_command_suggest_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(capsys, "ocr", "--jbos", "2", "x.pdf")
    assert code == 2
    assert "không có tùy chọn --jbos (no such option)" in err and "--jobs" in err
    code, _out, err = _run(capsys, "verfy", "x.pdf")
    assert code == 2
    assert "không có lệnh 'verfy'" in err and "'verify'" in err


def test_bad_value_is_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(capsys, "export", "--document", "abc", "-o", "x.pdf")
    assert code == 2
    assert "giá trị không hợp lệ cho '--document'" in err and "số nguyên" in err


def test_every_help_page_is_vietnamese_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    group = typer.main.get_command(app)
    ctx = group.make_context("sohoa", ["--help"], resilient_parsing=True)
    paths = [""] + [path for path, _cmd in walk(group, ctx)]
    assert {"ocr", "verify", "admin add-key"} <= set(paths)
    for path in paths:
        code, out, _err = _run(capsys, *path.split(), "--help")
        assert code == 0, path
        assert out.startswith("Cách dùng (usage): sohoa"), path
        assert "Hiện trợ giúp này rồi thoát" in out and "Ví dụ (examples):" in out, path
        assert not any(word in out for word in ENGLISH), (path, out)
        assert EXAMPLES[path][0] in out, path


def test_every_command_uses_the_vietnamese_classes() -> None:
    group = typer.main.get_command(app)
    ctx = group.make_context("sohoa", ["--help"], resilient_parsing=True)
    for path, cmd in walk(group, ctx):
        assert isinstance(cmd, ViCommand | ViGroup), path


def test_flags_have_no_metavar_and_values_have_vietnamese_ones(capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, _err = _run(capsys, "ocr", "--help")
    lines = {line.split()[0].rstrip(","): line for line in out.splitlines() if line.strip().startswith("-")}
    assert lines["--json"].split()[1] == "In"  # the help text follows the flag directly
    assert "-j, --jobs SỐ" in out and "-o, --output OUT.pdf" in out


def test_staff_names_and_dates() -> None:
    assert field_label("certificate_serial") == "Số phát hành"
    assert field_label("wife_date_of_birth") == "Ngày sinh (vợ)"
    assert field_label("husband_name") == "Họ và tên (chồng)"
    assert field_value("date_of_birth", "1974-08-05") == "05/08/1974"
    assert field_value("id_number", "033174870440") == "033174870440"
    assert vn_date("2026-01-05T09:12:03+07:00") == "05/01/2026 09:12"
    assert vn_date("not a date") == "not a date"


def test_lookup_table_shows_vietnamese_names_and_dates() -> None:
    from rich.console import Console

    from pipeline.cli.lookup_cmd import _table
    from pipeline.reuse import HeldDocument, LookupResult

    held = HeldDocument(doc_type="land_use_certificate", document_id="7", dossier="HS-1", signed=True,
                        fields={"certificate_serial": "CS 123456", "issue_date": "2021-05-28"})
    console = Console(width=200, record=True)
    console.print(_table(LookupResult(owner="001086012345", held=[held])))
    text = console.export_text()
    assert "Giấy chứng nhận quyền sử dụng đất" in text and "Số phát hành: CS 123456" in text
    assert "Ngày cấp: 28/05/2021" in text
    assert "certificate_serial" not in text and "2021-05-28" not in text


def test_verify_summary_time_is_dd_mm_yyyy() -> None:
    from pipeline.cli.verify_cmd import _vn_time

    assert _vn_time("2026-01-05T09:12:03+07:00") == "05/01/2026 09:12:03 +0700"
    assert _vn_time(None) == "-"
