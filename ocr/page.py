"""One page end to end inside a worker: read, clean, OCR, searchable PDF.

The worker opens the file itself from its path, so only the path and page index cross the
process boundary and only a small ``PageOcr`` comes back: no pixel array is pickled.
"""

from __future__ import annotations

import time
from pathlib import Path

from config.settings import OcrSettings
from ocr.boxes import boxed_words, reread_boxes
from ocr.dates import reread_dates
from ocr.engine import engine_for
from ocr.handwriting import mark_handwritten
from ocr.models import Box, PageOcr
from ocr.mrz import is_mrz_like, reread_mrz
from ocr.preprocess.clean import CleanOptions, clean_page, ocr_resolution
from ocr.preprocess.rules import lift_rules
from ocr.qr import decode_qr
from ocr.searchable import searchable_page
from ocr.source import PdfSource, open_scan
from ocr.textlayer import text_layer_lines

TIMEOUT_WARNING = (
    "Trang {n}: quá thời gian nhận dạng ({seconds:.0f} s), chưa có chữ (OCR timed out, no text)"
)
BLANK_NOTE = "Trang {n}: trang trắng, không nhận dạng (blank page, not OCR'd)"
# Bumped whenever what a page OCRs to changes for the same pixels and settings (caches key on it).
OCR_REVISION = "17-rules-boxes-dates-all-numbers-third-reading-handwriting-redlines-lookalike-date-digits"
LOW_CONFIDENCE = 0.60
LOW_CONFIDENCE_WARNING = (
    "Trang {n}: chữ nhận dạng kém tin cậy ({confidence:.0%}), nên kiểm tra hoặc quét lại "
    "(low OCR confidence, check or rescan)"
)


def process_page(
    path: Path,
    index: int,
    settings: OcrSettings,
    workdir: Path,
    options: CleanOptions | None = None,
) -> PageOcr:
    """Read page ``index`` (0-based) of ``path`` and return its OCR; files go to ``workdir``."""
    started = time.perf_counter()
    number = index + 1
    source = open_scan(Path(path), settings, validate=False)
    try:
        page = source.load_page(index)
        # a page drawn as text and vectors (no scanned image): its own text layer is exact
        born_digital = isinstance(source, PdfSource) and source.page_info(index).image_dpi is None
    finally:
        source.close()
    qr_texts = decode_qr(page.pixels)  # before cleaning: the scan's own pixels, any angle
    cleaned = clean_page(page.pixels, page.dpi, options)
    del page.pixels
    warnings = list(page.warnings) + cleaned.warnings
    stem = f"page-{number:05d}"
    workdir.mkdir(parents=True, exist_ok=True)
    ocr_grey, ocr_dpi = ocr_resolution(cleaned.grey, page.dpi, options)
    opts = options or CleanOptions()
    ruled, vertical = ocr_grey, None
    if opts.rules and not cleaned.blank:
        unruled = lift_rules(ocr_grey, ocr_dpi)  # box edges and dotted leaders are not text
        ocr_grey, vertical = unruled.grey, unruled.vertical
        del unruled
    result = PageOcr(
        page_number=number,
        width=int(ocr_grey.shape[1]),
        height=int(ocr_grey.shape[0]),
        dpi=page.dpi,
        dpi_estimated=page.dpi_estimated,
        rotation=cleaned.rotation,
        skew=cleaned.skew,
        blank=cleaned.blank,
        warnings=warnings,
        qr=qr_texts,
    )
    text_pdf = None
    if cleaned.blank:
        warnings.append(BLANK_NOTE.format(n=number))
    else:
        engine = engine_for(settings)
        ocr = engine.recognise(ocr_grey, ocr_dpi, workdir, f"{stem}.text")
        own_text = False
        if born_digital and cleaned.rotation == 0 and abs(cleaned.skew) < 0.2:
            # a signed e-document, a Word-exported letter: its own text beats OCR of its rendering
            own = text_layer_lines(Path(path), index, ocr_dpi, (ocr_grey.shape[1], ocr_grey.shape[0]))
            if own:
                ocr.lines, own_text = own, True
        if any(is_mrz_like(line.text) for line in ocr.lines):
            ocr.lines = reread_mrz(ocr_grey, ocr_dpi, ocr.lines, workdir)
        boxed: frozenset[Box] = frozenset()
        if opts.rules and not own_text:
            first = ocr.lines
            ocr.lines = reread_boxes(ruled, ocr_grey, ocr_dpi, ocr.lines, workdir, vertical)
            boxed = boxed_words(first, ocr.lines)
        del ruled, vertical
        if opts.dates and not own_text:
            ocr.lines = reread_dates(ocr_grey, ocr_dpi, ocr.lines, engine, workdir / f"{stem}.dates", boxed)
        if opts.handwriting and not own_text:
            ocr.lines = mark_handwritten(ocr_grey, ocr.lines)
        if ocr.timed_out:
            warnings.append(TIMEOUT_WARNING.format(n=number, seconds=settings.page_timeout))
        result.lines = ocr.lines
        result.text = ocr.text
        result.confidence = ocr.confidence
        if ocr.lines and ocr.confidence < LOW_CONFIDENCE:
            warnings.append(LOW_CONFIDENCE_WARNING.format(n=number, confidence=ocr.confidence))
        text_pdf = ocr.pdf_path
    del ocr_grey
    # The PDF keeps the scan's own pixels; the text layer is scaled to the same physical page.
    result.pdf_path = searchable_page(cleaned.grey, page.dpi, workdir / f"{stem}.pdf", text_pdf)
    if text_pdf is not None:
        text_pdf.unlink(missing_ok=True)
    result.seconds = time.perf_counter() - started
    return result
