"""``sohoa ocr IN -o OUT.pdf``: a real PDF/A-2b with the Vietnamese text layer; interrupts leave nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANS = ROOT / "tests" / "data" / "scans"
ONE_PAGE = SCANS / "clean_birth_certificate.pdf"
FOUR_PAGES = SCANS / "degraded_multi_document.pdf"


def _env() -> dict[str, str]:
    return {**os.environ, "SOHOA_OCR__JOBS": "1"}


def _sohoa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli.main", *args], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, env=_env())


def test_output_is_pdfa_2b_with_the_vietnamese_text(tmp_path: Path) -> None:
    out, txt = tmp_path / "out.pdf", tmp_path / "out.txt"
    res = _sohoa("ocr", str(ONE_PAGE), "-o", str(out), "--sidecar", str(txt), "--json")
    assert res.returncode == 0, res.stderr
    payload = json.loads(res.stdout)  # the fixed JSON is unchanged by -o
    assert payload["file"] == ONE_PAGE.name and payload["pages"] == 1
    assert "trang (pages)" in res.stderr and "trang/phút" in res.stderr  # the closing line

    import pikepdf.pdfa

    assert pikepdf.pdfa.validate_written(out, "2b").passed
    with pikepdf.open(out) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == pikepdf.Name.GTS_PDFA1
        assert intent.DestOutputProfile.read_bytes()[36:40] == b"acsp"  # an ICC profile
        assert str(pdf.Root.Lang) == "vi-VN"
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows), fonts  # every font embedded
    # Ghostscript (an independent PDF interpreter) renders it without a warning or an error.
    gs_argv = ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dPDFSTOPONERROR", "-sDEVICE=nullpage", str(out)]
    gs = subprocess.run(gs_argv, capture_output=True, text=True, timeout=120)
    assert gs.returncode == 0 and not gs.stdout.strip() and not gs.stderr.strip(), gs.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "GIẤY KHAI SINH" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "GIẤY KHAI SINH" in txt.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf", "out.txt"]


def test_missing_output_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    res = _sohoa("ocr", str(ONE_PAGE), "-o", str(tmp_path / "no" / "out.pdf"))
    assert res.returncode == 2
    assert "thư mục kết quả không tồn tại" in res.stderr and "Traceback" not in res.stderr


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(("sig", "code", "line"), [
    (signal.SIGINT, 130, "đã hủy (interrupted)"),
    (signal.SIGTERM, 143, "đã dừng theo yêu cầu (terminated)"),
])
def test_interrupt_exits_with_the_shell_code_and_leaves_no_output(
    tmp_path: Path, sig: signal.Signals, code: int, line: str
) -> None:
    out, txt = tmp_path / "out.pdf", tmp_path / "out.txt"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli.main", "ocr", str(FOUR_PAGES), "-o", str(out),
         "--sidecar", str(txt), "-v"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=_env(),
        # as from a terminal: a suite started in the background (``cmd &`` in a script) has SIGINT
        # ignored, and the child would inherit that and never see the Ctrl-C this test sends
        preexec_fn=_default_sigint,
    )
    assert proc.stderr is not None
    started = proc.stderr.readline()  # -v announces the file once OCR is about to start
    assert "Nhận dạng (OCR)" in started, started
    time.sleep(1.0)
    assert proc.poll() is None, "finished before the signal: the test proves nothing"
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert line in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no output, no staged .part file
