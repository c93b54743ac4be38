"""``sohoa ocr`` end to end on the committed scans: real Tesseract, compared with truth files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCANS = Path(__file__).resolve().parents[1] / "data" / "scans"
ROOT = Path(__file__).resolve().parents[2]


def sohoa(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOHOA_OCR__JOBS": "1"}
    return subprocess.run([sys.executable, "-m", "pipeline.cli.main", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, env=env)


def truth_of(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(Path(f"{path}.truth.json").read_text(encoding="utf-8"))


def check_against_truth(path: Path, min_field_ratio: float) -> None:
    res = sohoa("ocr", str(path), "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)  # exactly one JSON object on stdout
    truth = truth_of(path)
    assert out["file"] == path.name
    assert out["pages"] == len(truth["page_info"])
    assert [(d["doc_type"], d["pages"]) for d in out["documents"]] == [
        (d["doc_type"], d["pages"]) for d in truth["documents"]
    ]
    total = right = 0
    for got, want in zip(out["documents"], truth["documents"], strict=True):
        assert set(got) >= {"doc_type", "pages", "text", "confidence", "fields", "warnings"}
        assert 0.0 <= got["confidence"] <= 1.0 and got["text"]
        for key, value in want["fields"].items():
            total += 1
            field = got["fields"].get(key)
            if field is not None:
                assert set(field) >= {"value", "confidence", "needs_review", "warnings"}
                right += field["value"] == value
        for key in ("id_number", "date_of_birth"):
            if key in want["fields"]:
                assert got["fields"][key]["value"] == want["fields"][key]
    assert total == 0 or right / total >= min_field_ratio, f"{right}/{total} fields right"


@pytest.mark.skipif(not SCANS.is_dir(), reason="tests/data/scans not generated")
@pytest.mark.parametrize("name", ["clean_application_form.jpg", "clean_cccd_2021_card.pdf"])
def test_ocr_json_matches_truth(name: str) -> None:
    check_against_truth(SCANS / name, 0.9)


@pytest.mark.slow
@pytest.mark.skipif(not SCANS.is_dir(), reason="tests/data/scans not generated")
@pytest.mark.parametrize("name", ["degraded_multi_document.pdf", "degraded_cccd_2016_bed_photocopy.pdf",
                                  "degraded_birth_certificate_seal_colour.pdf"])
def test_ocr_json_matches_truth_degraded(name: str) -> None:
    check_against_truth(SCANS / name, 0.85)


def test_bad_input_is_one_line_and_an_input_exit_code(tmp_path: Path) -> None:
    fake = tmp_path / "hoso.pdf"
    fake.write_text("not a pdf at all")
    res = sohoa("ocr", str(fake), "--json")
    assert res.returncode == 3
    assert res.stdout == ""
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert "hoso.pdf" in res.stderr


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    res = sohoa("ocr", str(tmp_path / "khong_co.pdf"))
    assert res.returncode == 3
    assert "khong_co.pdf" in res.stderr and "Traceback" not in res.stderr


def test_help_describes_the_command() -> None:
    res = sohoa("ocr", "--help")
    assert res.returncode == 0
    assert "--json" in res.stdout and "FILE" in res.stdout
