"""A page's OCR crosses hosts as JSON: everything the documents stage reads must survive it."""

from __future__ import annotations

import json

from ocr.models import Box, Line, PageOcr, Word
from pipeline.tasks.pagecodec import page_from_json, page_to_json

CCCD_QR = "079203001234|280123456|Nguyễn Văn An|01012003|Nam|Tân Phú, Đồng Nai|15062021"


def test_qr_handwriting_and_layout_survive_the_codec() -> None:
    words = (
        Word("Nguyễn", 0.91, Box(10, 20, 80, 30)),
        Word("An", 0.42, Box(95, 20, 40, 30), handwritten=True),
    )
    page = PageOcr(
        page_number=2, width=2480, height=3508, dpi=300.0, dpi_estimated=False, rotation=90, skew=0.4,
        text="Nguyễn An", lines=[Line("Nguyễn An", 0.66, Box(10, 20, 125, 30), words, block=3)],
        confidence=0.66, warnings=["giá trị viết tay"], seconds=1.5, qr=[CCCD_QR],
    )
    wire = json.loads(json.dumps(page_to_json(page)))  # as the database's JSON column returns it
    back = page_from_json(wire)
    assert back == page
    assert back.qr == [CCCD_QR] and back.lines[0].words[1].handwritten


def test_rows_written_before_qr_was_carried_still_read() -> None:
    page = PageOcr(page_number=1, width=10, height=10, dpi=300.0, dpi_estimated=True)
    old = page_to_json(page)
    del old["qr"]
    assert page_from_json(old).qr == []
