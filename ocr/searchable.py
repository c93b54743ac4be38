"""Searchable PDF pages: the cleaned page image under Tesseract's invisible text layer.

Tesseract's text-only PDF already has the right page size (pixels / dpi) and a glyph-less font
whose ToUnicode map carries Vietnamese; the JPEG is drawn beneath the text as a page underlay,
so the text stays selectable and ``pdftotext`` extracts it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np
import pikepdf

JPEG_QUALITY = 80


def _jpeg(pixels: np.ndarray, quality: int) -> bytes:
    ok, data = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(data.tobytes())


def _image_xobject(pdf: pikepdf.Pdf, pixels: np.ndarray, quality: int) -> pikepdf.Stream:
    colour = pixels.ndim == 3
    data = _jpeg(cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR) if colour else pixels, quality)
    return pikepdf.Stream(
        pdf,
        data,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=pixels.shape[1],
        Height=pixels.shape[0],
        ColorSpace=pikepdf.Name.DeviceRGB if colour else pikepdf.Name.DeviceGray,
        BitsPerComponent=8,
        Filter=pikepdf.Name.DCTDecode,
    )


def searchable_page(
    pixels: np.ndarray,
    dpi: float,
    out: Path,
    text_pdf: Path | None = None,
    quality: int = JPEG_QUALITY,
) -> Path:
    """Write a one-page PDF of ``pixels`` at its physical size, with ``text_pdf``'s text over it.

    Without ``text_pdf`` (blank page, OCR timed out) the page is the image alone.
    """
    width_pt = pixels.shape[1] * 72.0 / dpi
    height_pt = pixels.shape[0] * 72.0 / dpi
    pdf = pikepdf.open(text_pdf) if text_pdf is not None else pikepdf.new()
    try:
        if text_pdf is None:
            pdf.add_blank_page(page_size=(width_pt, height_pt))
        page = pdf.pages[0]
        box = [float(v) for v in page.mediabox]
        page_w, page_h = box[2] - box[0], box[3] - box[1]
        image = _image_xobject(pdf, pixels, quality)
        name = page.add_resource(image, pikepdf.Name.XObject, prefix="Scan")
        draw = f"q {page_w:.4f} 0 0 {page_h:.4f} {box[0]:.4f} {box[1]:.4f} cm {name} Do Q\n"
        page.contents_add(pikepdf.Stream(pdf, draw.encode("ascii")), prepend=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        pdf.save(tmp)
    finally:
        pdf.close()
    tmp.replace(out)
    return out


def merge_pdfs(paths: Iterable[Path], out: Path) -> Path:
    """Concatenate one-page PDFs into ``out`` (written atomically)."""
    merged = pikepdf.new()
    sources: list[pikepdf.Pdf] = []
    try:
        for path in paths:
            src = pikepdf.open(path)
            sources.append(src)
            merged.pages.extend(src.pages)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        merged.save(tmp)
    finally:
        for src in sources:
            src.close()
        merged.close()
    tmp.replace(out)
    return out
