"""PDF pages rendered by calling pdftoppm directly give exactly the pixels pdf2image gave.

``ocr.source.render_pdf_page`` replaced ``pdf2image.convert_from_path`` (one process per page
instead of three); what a page OCRs to, and the searchable PDF built from its pixels, must not
change, so every committed PDF scan's pages are compared byte for byte with pdf2image's
rendering of the same command line, through the old conversion path (Pillow image, then
``_to_array``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pikepdf
import pytest
from pdf2image import convert_from_path

from config.settings import OcrSettings
from ocr.errors import CorruptPdfError
from ocr.source import PdfSource, _to_array, render_pdf_page
from tests.api.conftest import text_pdf

SCANS = Path(__file__).resolve().parents[1] / "data" / "scans"


def _pdf2image_pixels(source: PdfSource, index: int) -> np.ndarray:
    info = source.page_info(index)
    images = convert_from_path(
        source.path,
        dpi=round(source.render_dpi(info)),
        first_page=index + 1,
        last_page=index + 1,
        grayscale=info.grey,
        single_file=True,
    )
    return _to_array(images[0])


def _assert_same(source: PdfSource, index: int) -> None:
    ours = source.load_page(index).pixels
    theirs = _pdf2image_pixels(source, index)
    assert ours.dtype == theirs.dtype == np.uint8
    assert ours.shape == theirs.shape
    assert ours.tobytes() == theirs.tobytes()


@pytest.mark.parametrize("name", sorted(p.name for p in SCANS.glob("*.pdf")))
def test_committed_scans_render_as_pdf2image_did(name: str) -> None:
    source = PdfSource(SCANS / name, OcrSettings())
    try:
        for index in range(source.page_count):
            _assert_same(source, index)
    finally:
        source.close()


def test_colour_page_stays_colour_and_grey_scan_grey() -> None:
    """The seal scan keeps its three channels (the seal step needs them); a grey scan has one."""
    colour = PdfSource(SCANS / "degraded_birth_certificate_seal_colour.pdf", OcrSettings())
    grey = PdfSource(SCANS / "clean_birth_certificate.pdf", OcrSettings())
    try:
        assert colour.load_page(0).pixels.ndim == 3
        assert grey.load_page(0).pixels.ndim == 2
    finally:
        colour.close()
        grey.close()


def test_born_digital_and_rotated_pages(tmp_path: Path) -> None:
    """A page without a scanned image (vector text, rendered at 300 dpi) and one with /Rotate 90."""
    path = text_pdf(tmp_path / "text.pdf", "CONG HOA XA HOI CHU NGHIA VIET NAM")
    with pikepdf.open(path) as pdf, pikepdf.open(SCANS / "clean_birth_certificate.pdf") as scan:
        pdf.pages.append(scan.pages[0])
        pdf.pages[1].obj["/Rotate"] = 90
        pdf.save(tmp_path / "mixed.pdf")
    source = PdfSource(tmp_path / "mixed.pdf", OcrSettings())
    try:
        assert source.page_info(0).image_dpi is None
        _assert_same(source, 0)
        _assert_same(source, 1)
        height, width = source.load_page(1).pixels.shape[:2]
        assert width > height  # the rotation is poppler's, as before
    finally:
        source.close()


def test_a_page_poppler_cannot_render_is_a_corrupt_pdf(tmp_path: Path) -> None:
    path = text_pdf(tmp_path / "one.pdf", "X")
    with pytest.raises(CorruptPdfError):
        render_pdf_page(path, 5, 100, grey=True, timeout=30)  # no page 6: pdftoppm writes nothing
