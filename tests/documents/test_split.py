"""Splitting a multi-document scan: titles open documents, card sides pair, blanks separate."""

from __future__ import annotations

import functools
import random

from pipeline.documents.analyse import analyse_pages
from pipeline.documents.classify import classify_page
from pipeline.documents.lines import page_lines
from tests.datagen import cards, layouts
from tests.datagen.layouts import RenderedDocument
from tests.documents.helpers import make_page


@functools.cache
def card(seed: int, variant: str | None = None) -> RenderedDocument:
    return cards.cccd(random.Random(f"card:{seed}"), variant)


@functools.cache
def land(seed: int) -> RenderedDocument:
    return layouts.land_use_certificate(random.Random(f"land:{seed}"))


def pages_of(*docs: RenderedDocument | None) -> list:  # type: ignore[type-arg]
    """Pages in order; ``None`` is a blank page."""
    out = []
    for doc in docs:
        if doc is None:
            out.append(make_page([], number=len(out) + 1, blank=True))
            continue
        for lines in doc.page_lines:
            out.append(make_page(lines, number=len(out) + 1))
    return out


def layout(pages: list) -> list[tuple[str, list[int]]]:  # type: ignore[type-arg]
    return [(d.doc_type, d.pages) for d in analyse_pages(pages)]


def test_several_documents_in_one_file() -> None:
    app = layouts.application_form(random.Random("a"))
    birth = layouts.birth_certificate(random.Random("b"))
    pages = pages_of(app, card(1), birth, land(1))
    assert layout(pages) == [
        ("application_form", [1]), ("cccd", [2, 3]), ("birth_certificate", [4]),
        ("land_use_certificate", [5, 6]),
    ]


def test_two_cards_in_a_row_are_two_documents() -> None:
    pages = pages_of(card(1, "cccd_2021"), card(2, "cancuoc_2024"), card(3, "cccd_2016"))
    assert layout(pages) == [("cccd", [1, 2]), ("cccd", [3, 4]), ("cccd", [5, 6])]


def test_card_back_scanned_before_front_still_pairs() -> None:
    c = card(4, "cccd_2021")
    back, front = make_page(c.page_lines[1], 1), make_page(c.page_lines[0], 2)
    docs = analyse_pages([back, front])
    assert [(d.doc_type, d.pages) for d in docs] == [("cccd", [1, 2])]
    assert docs[0].field_values()["id_number"] == c.fields["id_number"]


def test_blank_pages_separate_and_are_kept_in_the_record() -> None:
    app = layouts.application_form(random.Random("c"))
    other = layouts.other(random.Random("d"))
    pages = pages_of(app, None, other)
    assert layout(pages) == [("application_form", [1]), ("other", [3])]
    assert [p.page_number for p in pages if p.blank] == [2]


def test_untitled_second_page_continues_its_document() -> None:
    doc = land(2)
    second = classify_page(page_lines(make_page(doc.page_lines[1])))
    assert not second.has_title
    assert layout(pages_of(doc)) == [("land_use_certificate", [1, 2])]


def test_unrecognised_text_is_other_without_fields() -> None:
    page = make_page(["Biên bản họp thôn", "Hôm nay các hộ gia đình đã họp bàn về đường làng."])
    docs = analyse_pages([page])
    assert docs[0].doc_type == "other" and docs[0].fields == {}
    assert docs[0].text.startswith("Biên bản họp thôn")


def test_classification_of_titles_is_by_line_start() -> None:
    # "TỜ KHAI ĐĂNG KÝ KHAI SINH" is an application form, not a birth certificate.
    page = make_page(["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TỜ KHAI ĐĂNG KÝ KHAI SINH",
                      "Họ và tên người yêu cầu: NGUYỄN VĂN AN", "Nơi cư trú: Số 1, phường Dịch Vọng"])
    cls = classify_page(page_lines(page))
    assert cls.doc_type == "application_form" and cls.has_title


def test_a_page_headed_by_the_national_motto_opens_a_document() -> None:
    birth = layouts.birth_certificate(random.Random("e"))
    notice = layouts.other(random.Random("f"))
    notice2 = layouts.other(random.Random("g"))
    assert layout(pages_of(birth, notice, notice2)) == [
        ("birth_certificate", [1]), ("other", [2]), ("other", [3]),
    ]
