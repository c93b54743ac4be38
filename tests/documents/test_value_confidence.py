"""A value's confidence comes from its own words: what OCR doubts beside it (a unit, the label's
number, the next item's number) does not send a right value to review (issue 11)."""

from __future__ import annotations

import dataclasses

import pytest

from ocr.models import PageOcr
from pipeline.documents.analyse import analyse_pages
from pipeline.documents.models import DocumentResult
from tests.documents.helpers import CT01_HEAD, make_page, with_words

LAND = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "GIẤY CHỨNG NHẬN",
    "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT",
    "Số phát hành: DA 270749",
    "1. Người sử dụng đất: Ông/Bà NGUYỄN VĂN AN, CCCD số 001085012345",
    "Địa chỉ thường trú: Thôn Đông, xã Phú Mỹ, huyện Phú Vang, tỉnh Thừa Thiên Huế",
    "2. Thông tin thửa đất:",
    "Thửa đất số: 12; Tờ bản đồ số: 3",
    "Diện tích: 228,6 m2",
    "Số vào sổ cấp GCN: CS 01234",
]

FORM = [
    *CT01_HEAD,
    "2. Ngày, tháng, năm sinh: 05/03/1985 3. Giới tính: Nam",
    "4. Số định đanhcánhâaCMND. 001085012345",
    "5. Số điện thoại liên hệ: 0912345678 6. Email:",
    "7. Nơi thường trú: Thôn Đông, xã Phú Mỹ, huyện Phú Vang, tỉnh Thừa Thiên Huế",
    "14. Nội dung đề nghị: Đăng ký thường trú",
]


def _doubt(page: PageOcr, doubted: dict[str, float]) -> PageOcr:
    """``page`` with Tesseract doubting the given words."""
    return with_words(page, lambda w: dataclasses.replace(w, confidence=doubted.get(w.text, w.confidence)))


def analyse(lines: list[str], doubted: dict[str, float]) -> DocumentResult:
    (doc,) = analyse_pages([_doubt(make_page(lines, confidence=0.97, boxes=True), doubted)])
    return doc


def test_a_doubted_unit_does_not_flag_the_area() -> None:
    doc = analyse(LAND, {"m2": 0.6})
    assert doc.doc_type == "land_use_certificate"
    assert doc.fields["area_m2"].value == "228.6"
    assert not doc.fields["area_m2"].needs_review
    # The number itself doubted still is.
    assert analyse(LAND, {"228,6": 0.6}).fields["area_m2"].needs_review


def test_the_next_items_number_does_not_flag_a_date() -> None:
    """The next item's label unreadable ("Giớiwmm"): its number "3." stays in the raw value."""
    lines = [ln.replace("Giới tính:", "Giớiwmm") for ln in FORM]
    doc = analyse(lines, {"3.": 0.4})
    assert doc.fields["date_of_birth"].value == "1985-03-05"
    assert not doc.fields["date_of_birth"].needs_review


def test_an_unlabelled_ids_confidence_leaves_out_the_items_number() -> None:
    """ "4." read at 0.5 before a label OCR ran together: the id's own digits read clearly."""
    doc = analyse(FORM, {"4.": 0.5})
    assert doc.fields["id_number"].value == "001085012345"
    assert not doc.fields["id_number"].needs_review  # corroborated by 05/03/1985, digits clear
    assert analyse(FORM, {"001085012345": 0.6}).fields["id_number"].needs_review


def test_the_labels_last_word_glued_to_a_mark_of_the_value_is_not_the_values() -> None:
    """ "7. Nơi thường trủ' SỐ 194, …": the label's "trú" read with a quote after it, at 0.25."""
    address = "Số 194, đường Hai Bà Trưng, phường Phú Hội, thành phố Huế, tỉnh Thừa Thiên Huế"
    lines = [f"7. Nơi thường trú' {address}" if ln.startswith("7.") else ln for ln in FORM]
    doc = analyse(lines, {"trú'": 0.25})
    assert doc.fields["place_of_residence"].value == address
    assert not doc.fields["place_of_residence"].needs_review


def test_a_word_of_unknown_confidence_takes_its_lines_words_not_its_marks() -> None:
    """Tesseract gives 0 to words it read well; they take the mean of the line's other words,
    and a dotted leader read at 0.16 beside the name is no word of the line."""
    from pipeline.documents.lines import TextLine

    text = "Họ, chữ đệm, tên: HOÀNG TIẾN ĐẠT _”..........."
    confs = {"Họ,": 0.96, "chữ": 0.96, "đệm,": 0.96, "tên:": 0.89, "HOÀNG": 0.89, "TIẾN": 0.0, "ĐẠT": 0.0}
    spans, at = [], 0
    for word in text.split():
        at = text.index(word, at)
        spans.append((at, at + len(word), confs.get(word, 0.16)))
        at += len(word)
    line = TextLine(1, text, 0.7, tuple(spans))
    start = text.index("TIẾN")
    assert line.confidence_of(start, start + len("TIẾN")) == pytest.approx((0.96 * 3 + 0.89 * 2) / 5)
