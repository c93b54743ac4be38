"""The generator: determinism, profiles, formats, the command line, and that the truth is what was drawn."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytesseract
import pytest
from rapidfuzz.distance import Levenshtein

from tests.datagen.generate import Plan, build, file_rng, generate_set
from tests.datagen.truthcheck import problems
from tests.datagen.writer import read_truth, write_scan


def _scans(d: Path) -> list[Path]:
    return sorted(p for p in d.iterdir() if not p.name.endswith(".json"))


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    a = generate_set(tmp_path / "a", 1, "s1", "degraded", ["cccd"])
    b = generate_set(tmp_path / "b", 1, "s1", "degraded", ["cccd"])
    c = generate_set(tmp_path / "c", 1, "s2", "degraded", ["cccd"])
    assert a[0].read_bytes() == b[0].read_bytes()
    assert read_truth(a[0]) == read_truth(b[0])
    assert read_truth(a[0])["documents"][0]["fields"] != read_truth(c[0])["documents"][0]["fields"]


CASES = [
    ("cccd", "tiff", "card"),
    ("birth_certificate", "png", ""),
    ("marriage_certificate", "jpeg", ""),
    ("land_use_certificate", "pdf", ""),
    ("application_form", "pdf", ""),
    ("business_registration", "tiff", ""),
    ("other", "jpeg", ""),
    ("cccd", "png", "bed"),
]


@pytest.mark.parametrize(("i", "doc_type", "fmt", "layout"), [(i, *c) for i, c in enumerate(CASES)])
def test_every_type_every_format_is_consistent(
    tmp_path: Path, i: int, doc_type: str, fmt: str, layout: str
) -> None:
    plan = Plan("degraded", [doc_type], fmt, dpi=200, embed_dpi=i % 2 == 0, card_layout=layout or "card",
                seal=True, steps=[{"step": "noise", "sigma": 3.0}])  # fmt: skip
    path = write_scan(build(plan, file_rng("t", i), f"f{i}"), tmp_path)
    assert problems(path) == []


def test_hard_profile(tmp_path: Path) -> None:
    for p in generate_set(tmp_path, 1, 9, "hard", ["other"]):
        t = read_truth(p)
        assert {"skew", "uneven_light", "faint_toner"} <= {s["step"] for s in t["degradations"]}
        assert all(abs(i["skew_ccw"]) >= 4.5 for i in t["page_info"])
        assert problems(p) == []


def test_clean_profile(tmp_path: Path) -> None:
    for p in generate_set(tmp_path, 1, 9, "clean", ["business_registration"]):
        t = read_truth(p)
        assert {s["step"] for s in t["degradations"]} <= {"grey", "multi_document", "no_dpi_metadata"}
        assert all(i["dpi"] == 300 for i in t["page_info"])
        assert problems(p) == []


def test_cli(tmp_path: Path) -> None:
    out = tmp_path / "set"
    res = subprocess.run(
        [sys.executable, "-m", "tests.datagen", "--out", str(out), "--count", "2", "--seed", "4",
         "--profile", "mixed", "--types", "cccd,other"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    scans = _scans(out)
    assert len(scans) == 2
    assert {d["doc_type"] for p in scans for d in read_truth(p)["documents"]} <= {"cccd", "other"}
    bad = subprocess.run(
        [sys.executable, "-m", "tests.datagen", "--out", str(out), "--types", "passport"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2
    assert "passport" in bad.stderr
    assert "Traceback" not in bad.stderr
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    unwritable = subprocess.run(
        [sys.executable, "-m", "tests.datagen", "--out", str(blocker / "sub"), "--count", "1"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert unwritable.returncode == 1
    assert len(unwritable.stderr.strip().splitlines()) == 1
    assert blocker.read_text() == "not a directory"


def test_truth_text_is_what_is_printed(tmp_path: Path) -> None:
    """Real Tesseract on a clean 300 dpi page reads back the truth text (a missing line would show)."""
    plan = Plan("clean", ["other"], "png", dpi=300, steps=[])
    path = write_scan(build(plan, file_rng("ocr", 0), "page"), tmp_path)
    truth = read_truth(path)["documents"][0]["text"]
    ocr = pytesseract.image_to_string(str(path), lang="vie")

    def flat(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s).split())

    cer = Levenshtein.distance(flat(truth), flat(ocr)) / len(flat(truth))
    assert cer < 0.03, (cer, ocr)
