"""Field extraction on real Tesseract output of family-2 scans (tune split only).

Each file under ``data/real_ocr/`` is the OCR the pipeline produced (``benchmarks/ocr_cache``
format: lines, words, boxes, confidences, after the date re-read) for one scan of the field
benchmark's family-2 set (seed ``bench-fields:f2``), with the scan's truth fields. The held-back
split is not used here. Each test is one general cause of a wrong value seen on those files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ocr.models import Box, Line, PageOcr, Word
from pipeline.documents.analyse import analyse_pages
from pipeline.documents.extract import BESIDE_LABEL, UNLABELLED_DOB, spec_patterns
from pipeline.documents.labels import find_label_hits
from pipeline.documents.models import DocumentResult
from pipeline.documents.types import document_type
from pipeline.documents.values import PROCEDURE_FIXED, parse_value

DATA = Path(__file__).parent / "data" / "real_ocr"


def _page(data: dict[str, Any]) -> PageOcr:
    data = dict(data)
    lines = [
        Line(ln["text"], ln["confidence"], Box(**ln["box"]),
             tuple(Word(w["text"], w["confidence"], Box(**w["box"]), w.get("handwritten", False))
                   for w in ln["words"]),
             ln.get("block", 0))
        for ln in data.pop("lines")
    ]
    data.pop("pdf_path", None)
    return PageOcr(**data, lines=lines)


def real(stem: str) -> tuple[DocumentResult, dict[str, str]]:
    """The document analysed from the real OCR of ``stem``, and its truth fields."""
    data = json.loads((DATA / f"{stem}.json").read_text(encoding="utf-8"))
    assert data["split"] == "tune"
    (doc,) = analyse_pages([_page(p) for p in data["pages"]])
    assert doc.doc_type == data["doc_type"]
    return doc, data["fields"]


def test_a_province_that_reads_like_a_label_is_no_label() -> None:
    # "tỉnh Nam Định" folds to "nam dinh", 0.86 like the label "Năm sinh"; the marks disagree.
    doc, truth = real("f2_0044")
    assert doc.fields["land_address"].value == truth["land_address"] == (
        "Xóm 7, xã Hải Thanh, huyện Hải Hậu, tỉnh Nam Định")
    spec = document_type("land_use_certificate").spec
    line = "b) Địa chỉ: Xóm 7, xã Hải Thanh, huyện Hải Hậu, tỉnh Nam Định;"
    hits = find_label_hits(line, spec_patterns(spec))
    assert [h.key for h in hits] == ["land_address"]
    # A label OCR'd with its marks lost or one letter off still matches.
    assert [h.key for h in find_label_hits("Nam sinh: 1977", spec_patterns(spec))] == ["_birth_year"]


@pytest.mark.parametrize("stem", ["f2_0017", "f2_0033"])
def test_cccd_address_continued_beside_the_expiry_label(stem: str) -> None:
    # "Số 103, …, phường Phú Hội," then "\ Có giá trị đến: Không utành phố Huế, tỉnh Thừa Thiên Huế"
    doc, truth = real(stem)
    fv = doc.fields["place_of_residence"]
    assert fv.value == truth["place_of_residence"]
    assert fv.needs_review and BESIDE_LABEL in fv.warnings


def test_a_full_stop_between_address_parts_is_a_comma() -> None:
    doc, truth = real("f2_0021")  # "Số 10. đường Trần Phú, …"
    assert doc.fields["address"].value == truth["address"]
    short = "P. Tân Định, Q. 1, TP. Hồ Chí Minh"  # stops after abbreviations stay
    assert parse_value("address", short).value == short


def test_date_of_birth_whose_label_is_unreadable_is_taken_by_the_id_year() -> None:
    # "Sow xi8 27/06/1990 _ + Giớgmp, NỮ": the label lost, the re-read date there; id 040190…
    doc, truth = real("f2_0032")
    dob = doc.fields["date_of_birth"]
    assert dob.value == truth["date_of_birth"] == "1990-06-27"
    assert dob.needs_review and UNLABELLED_DOB in dob.warnings
    assert doc.fields["id_number"].needs_review  # the date was chosen by the id: no corroboration


def test_procedure_names_take_the_catalogue_spelling() -> None:
    doc, truth = real("f2_0032")  # "Xác nhận thông t1n vẽ cư :rủ"
    fv = doc.fields["procedure_name"]
    assert fv.value == truth["procedure_name"] == "Xác nhận thông tin về cư trú"
    assert fv.needs_review and PROCEDURE_FIXED in fv.warnings
    doc, truth = real("f2_0024")  # "Tách hô" (written by hand: flagged for that)
    assert doc.fields["procedure_name"].value == truth["procedure_name"] == "Tách hộ"
    assert parse_value("procedure", "Đăng ký- khai sinh").value == "Đăng ký khai sinh"
    assert parse_value("procedure", "Đăng ký- khai sinh").warnings == []
    assert parse_value("procedure", "Đăng ký khai sinh cho con").value == "Đăng ký khai sinh cho con"


def test_phone_without_its_zero_or_with_the_next_items_number() -> None:
    doc, truth = real("f2_0024")  # "5. Số điện thoại liên hệ: 946061407 6. Email:"
    assert doc.fields["phone"].value == truth["phone"] == "0946061407"
    assert doc.fields["phone"].needs_review
    # "Ø93 38084 7 6. Fmail:": the "6." of the next item (its label misread) is not a digit.
    parsed = parse_value("phone", "Ø93 38084 7 6. Fmail:")
    assert parsed.value == "093380847" and not parsed.structured
    assert parse_value("phone", "+84 946061407").value == "0946061407"


def test_debris_after_a_dotted_leader_ends_the_value() -> None:
    doc, truth = real("f2_0050")  # "Nơi sinh: Bệnh viện đa khoa thành phố Đà Nẵng... ` neo"
    assert doc.fields["place_of_birth"].value == truth["place_of_birth"]


def test_name_cut_inside_a_syllable_and_lower_case_street_word() -> None:
    doc, truth = real("f2_0022")  # "pH AM HỮU TOÀN"; "đường Nguyễn văn Cừ"
    assert doc.fields["full_name"].value == truth["full_name"] == "PHẠM HỮU TOÀN"
    assert doc.fields["full_name"].needs_review  # rebuilt from pieces
    assert doc.fields["place_of_residence"].value == truth["place_of_residence"]


def test_item_number_glued_to_the_id_label_is_no_doubt_about_the_id() -> None:
    # "4.Số định danhcánhâaCMND 089184632872": the id at 0.95, "4.Số" at 0.85.
    doc, truth = real("f2_0048")
    fv = doc.fields["id_number"]
    assert fv.value == truth["id_number"] and not fv.needs_review
