"""Second reading of MRZ lines: exact text where the Vietnamese model confuses I/T and O/0."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from config.settings import OcrSettings
from ocr.mrz import fix_positions, is_mrz_like
from ocr.page import process_page

MRZ = [
    "IDVNM1715262011037171526201<<7",
    "7111136F3111138VNM<<<<<<<<<<<8",
    "HO<<PHUONG<HUYEN<<<<<<<<<<<<<<",
]


def test_positions_fixed_by_td1_layout() -> None:
    assert fix_positions("TDVNM1715262011037171526201<<7") == MRZ[0]
    assert fix_positions("711113GF3111138VNM<<<<<<<<<<<B") == MRZ[1]
    assert fix_positions("H0<<PHU0NG<HUYEN<<<<<<<<<<<<<<") == MRZ[2]
    assert fix_positions("short") == "short"


def test_mrz_like_lines() -> None:
    assert all(is_mrz_like(line) for line in MRZ)
    assert not is_mrz_like("Họ và tên / Full name: HỒ PHƯƠNG HUYỀN")
    assert not is_mrz_like("123")


@pytest.mark.parametrize("turned", [0, 180])
def test_card_back_mrz_read_exactly(tmp_path: Path, turned: int) -> None:
    dpi = 300
    img = Image.new("L", (round(3.37 * dpi), round(2.125 * dpi)), 255)
    draw = ImageDraw.Draw(img)
    label = ImageFont.truetype("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf", 28)
    mono = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 30)
    draw.text((40, 40), "Ngày, tháng, năm / Date, month, year: 27/09/2021", fill=0, font=label)
    draw.text((40, 90), "CỤC TRƯỞNG CỤC CẢNH SÁT", fill=0, font=label)
    for k, line in enumerate(MRZ):
        draw.text((60, 380 + 52 * k), line, fill=0, font=mono)
    path = tmp_path / "back.png"
    img.rotate(turned, expand=True).save(path, dpi=(dpi, dpi))
    page = process_page(path, 0, OcrSettings(), tmp_path / "work")
    assert page.rotation == turned
    text_lines = page.text.splitlines()
    for line in MRZ:
        assert line in text_lines
