"""The committed set in tests/data/scans: complete, consistent with its truth, and up to date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.datagen.fixed import FIXED_DIR, FIXED_SEED, fixed_plans
from tests.datagen.generate import DOC_TYPES, build, file_rng
from tests.datagen.truthcheck import problems
from tests.datagen.writer import EXTENSIONS, read_truth

SCANS = sorted(p for p in FIXED_DIR.iterdir() if not p.name.endswith(".json"))


def test_every_planned_file_is_committed_and_small() -> None:
    names = {stem + EXTENSIONS[plan.fmt] for stem, plan in fixed_plans()}
    assert {p.name for p in SCANS} == names
    assert all((FIXED_DIR / (n + ".truth.json")).exists() for n in names)
    assert sum(p.stat().st_size for p in FIXED_DIR.iterdir()) <= 6 * 1024 * 1024


@pytest.mark.parametrize("scan", SCANS, ids=[p.name for p in SCANS])
def test_truth_is_consistent_with_file(scan: Path) -> None:
    assert problems(scan) == []


def test_coverage() -> None:
    truths = [read_truth(p) for p in SCANS]
    docs = [d for t in truths for d in t["documents"]]
    assert {d["doc_type"] for d in docs} == set(DOC_TYPES)
    clean_types = {d["doc_type"] for t in truths if t["profile"] == "clean" for d in t["documents"]}
    assert clean_types == set(DOC_TYPES)
    assert {d["variant"] for d in docs if d["doc_type"] == "cccd"} == {
        "cccd_2016",
        "cccd_2021",
        "cancuoc_2024",
    }
    assert {t["format"] for t in truths} == {"pdf", "tiff", "jpeg", "png"}
    steps = {s["step"] for t in truths for s in t["degradations"]}
    assert steps >= {"dpi", "grey", "noise", "blur", "jpeg", "skew", "rotate", "uneven_light", "low_contrast",
                     "faint_toner", "seal", "card_on_bed", "multi_document", "no_dpi_metadata"}  # fmt: skip
    infos = [i for t in truths for i in t["page_info"]]
    assert {i["dpi"] for i in infos} == {200, 300}
    assert {i["mode"] for i in infos} == {"L", "RGB"}
    assert {90, 180, 270} <= {i["rotated_ccw"] for i in infos}
    assert max(abs(i["skew_ccw"]) for i in infos) == 5.0
    assert any(len(t["documents"]) >= 3 and t["format"] == "pdf" for t in truths)


@pytest.mark.parametrize("index", [0, 9, len(fixed_plans()) - 2])
def test_committed_set_matches_its_generator(index: int) -> None:
    """Regenerating a plan gives the committed truth: the set is reproducible from its seed."""
    stem, plan = fixed_plans()[index]
    out = build(plan, file_rng(FIXED_SEED, index), stem)
    committed = json.loads((FIXED_DIR / (out.name + ".truth.json")).read_text(encoding="utf-8"))
    assert {"file": out.name, **out.truth} == committed


@pytest.mark.parametrize("name", ["clean_cccd_2021_card.pdf", "hard_cccd_2021_card.tif"])
def test_committed_chip_cards_carry_their_qr(name: str) -> None:
    """The committed chip-card scans were drawn with the front's QR code (regenerated after the
    generator gained it): it decodes, and says what the truth says."""
    from config.settings import OcrSettings
    from ocr.qr import decode_qr
    from ocr.source import open_scan
    from pipeline.documents.qr import parse_cccd_qr

    source = open_scan(FIXED_DIR / name, OcrSettings(), validate=False)
    try:
        [text] = decode_qr(source.load_page(0).pixels)
    finally:
        source.close()
    data = parse_cccd_qr(text)
    fields = read_truth(FIXED_DIR / name)["documents"][0]["fields"]
    assert data is not None
    assert {k: data[k] for k in ("id_number", "full_name", "date_of_birth")} == {
        k: fields[k] for k in ("id_number", "full_name", "date_of_birth")}
