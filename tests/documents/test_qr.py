"""QR codes: decoded from generated cards (clean and degraded), parsed, and trusted over the print."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from config.settings import Settings
from ocr.page import process_page
from ocr.qr import decode_qr
from pipeline.documents.models import FieldValue
from pipeline.documents.qr import merge_qr, parse_cccd_qr, parse_land_qr
from pipeline.process import build_result
from tests.datagen import degrade
from tests.datagen.cards import cccd
from tests.datagen.qr import land_payload, qr_image
from tests.documents.helpers import make_page

ADDRESS = "Số 12, thôn Đông, xã Tân Phú, tỉnh Đồng Nai"
PAYLOAD = f"001085012345|123456789|NGUYỄN VĂN AN|05081985|Nam|{ADDRESS}|15082021"


def test_cccd_payload_parses_to_fields() -> None:
    assert parse_cccd_qr(PAYLOAD) == {
        "id_number": "001085012345",
        "full_name": "NGUYỄN VĂN AN",
        "date_of_birth": "1985-08-05",
        "issue_date": "2021-08-15",
        "sex": "Nam",
        "place_of_residence": ADDRESS,
    }
    assert parse_cccd_qr(PAYLOAD.replace("|123456789|", "||"))["id_number"] == "001085012345"  # type: ignore[index]


@pytest.mark.parametrize(
    "bad",
    [
        "https://example.invalid/x",
        PAYLOAD.replace("001085012345", "0010850123"),  # 10-digit id
        PAYLOAD.replace("05081985", "31021985"),  # 31 February
        PAYLOAD.replace("NGUYỄN VĂN AN", "NGUYỄN 2"),  # digits in a name
    ],
)
def test_malformed_codes_are_ignored(bad: str) -> None:
    assert parse_cccd_qr(bad) is None


def test_land_payload_round_trip() -> None:
    fields = {"certificate_serial": "CS 012345", "holder_id_number": "001085012345",
              "holder_name": "TRẦN THỊ BÌNH", "parcel_number": "112", "map_sheet_number": "7",
              "area_m2": "112.5", "registry_number": "CH 00123"}  # fmt: skip
    assert parse_land_qr(land_payload(fields)) == fields
    assert parse_land_qr(PAYLOAD) is None


def test_qr_is_the_source_of_truth_and_a_mismatch_is_flagged() -> None:
    fields = {
        "id_number": FieldValue(value="001085012345", confidence=0.9),  # agrees
        "full_name": FieldValue(value="NGUYỄN VĂN AM", confidence=0.9),  # OCR misread
    }
    missing = ["không tìm thấy trường (missing fields): issue_date, sex"]
    warnings = merge_qr("cccd", fields, missing, [PAYLOAD])
    assert fields["id_number"].source == "text+qr" and not fields["id_number"].needs_review
    assert fields["full_name"].value == "NGUYỄN VĂN AN" and fields["full_name"].needs_review
    assert "Họ và tên" in fields["full_name"].warnings[0] and "full_name" in fields["full_name"].warnings[0]
    assert fields["issue_date"].value == "2021-08-15" and fields["issue_date"].source == "qr"
    assert not any(w.startswith("không tìm thấy") for w in warnings)  # the QR filled both
    assert any("full_name" in w for w in warnings)
    # a code of another document type changes nothing
    other = {"full_name": FieldValue(value="X", confidence=0.5)}
    assert merge_qr("birth_certificate", other, [], [PAYLOAD]) == [] and other["full_name"].value == "X"


def _front(seed: int, variant: str) -> tuple[np.ndarray, str]:
    doc = cccd(random.Random(seed), variant)
    return np.asarray(doc.pages[0].convert("RGB")), doc.fields["id_number"]


@pytest.mark.parametrize("variant", ["cccd_2021", "cancuoc_2024"])
def test_generated_card_front_qr_decodes(variant: str) -> None:
    pixels, id_number = _front(3, variant)
    [text] = decode_qr(pixels)
    data = parse_cccd_qr(text)
    assert data is not None and data["id_number"] == id_number


DEGRADED = {
    "300 dpi, skew, blur, noise, JPEG 45": [
        {"step": "skew", "angle": 3.0}, {"step": "blur", "radius": 0.7}, {"step": "noise", "sigma": 5.0},
        {"step": "jpeg", "quality": 45}],
    "200 dpi, skew 3°": [{"step": "resample", "dpi": 200}, {"step": "skew", "angle": 3.0}],
    "200 dpi, blur": [{"step": "resample", "dpi": 200}, {"step": "blur", "radius": 0.7}],
}  # fmt: skip


@pytest.mark.parametrize("name", list(DEGRADED))
def test_degraded_card_front_qr_decodes(name: str) -> None:
    """The 200-dpi cases fail at native size (zxing: checksum error); the enlarged retry reads them."""
    doc = cccd(random.Random(11), "cccd_2021")
    img = degrade.apply(doc.pages[0].convert("L"), DEGRADED[name], seed=5)
    [text] = decode_qr(np.asarray(img))
    data = parse_cccd_qr(text)
    assert data is not None and data["id_number"] == doc.fields["id_number"]


def test_no_code_no_texts() -> None:
    assert decode_qr(np.full((600, 800), 255, np.uint8)) == []
    assert decode_qr(np.asarray(qr_image("any text", 120).convert("L"))) == ["any text"]


def test_analysis_takes_the_card_qr_over_a_misread_print() -> None:
    """Through the documents stage: the front alone (no MRZ to help), its id misread by one digit."""
    doc = cccd(random.Random(21), "cccd_2021")
    true_id = doc.fields["id_number"]
    misread = true_id[:-1] + str((int(true_id[-1]) + 1) % 10)
    front = [line.replace(true_id, misread) for line in doc.page_lines[0]]
    pages = [make_page(front, 1)]
    pages[0].qr = decode_qr(np.asarray(doc.pages[0].convert("L")))
    [result] = build_result("cccd.pdf", pages, Settings()).documents
    assert result.doc_type == "cccd"
    fv = result.fields["id_number"]
    assert fv.value == true_id and fv.source == "qr" and fv.needs_review
    assert any("id_number" in w for w in result.warnings)
    assert result.fields["date_of_birth"].value == doc.fields["date_of_birth"]
    assert result.fields["date_of_birth"].source.endswith("qr")


def test_worker_decodes_the_qr_of_a_scanned_card(tmp_path: Path) -> None:
    """The OCR worker reads the code from the page it OCRs (real Tesseract, one card page)."""
    doc = cccd(random.Random(4), "cancuoc_2024")
    path = tmp_path / "card.png"
    doc.pages[0].save(path, dpi=(300, 300))
    page = process_page(path, 0, Settings().ocr, tmp_path / "work")
    [text] = page.qr
    assert parse_cccd_qr(text)["id_number"] == doc.fields["id_number"]  # type: ignore[index]
