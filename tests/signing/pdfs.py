"""Small input PDFs for the signing tests, made here so nothing depends on checked-in files."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw


def scan_pdf(path: Path, pages: int = 1, label: str = "SCAN") -> Path:
    """An image-only PDF like a scanner makes (A4 at 50 dpi to stay small)."""
    images = []
    for i in range(pages):
        img = Image.new("L", (413, 585), 255)
        draw = ImageDraw.Draw(img)
        draw.rectangle((30, 30, 383, 555), outline=0, width=2)
        draw.text((50, 60), f"{label} page {i + 1}", fill=0)
        for y in range(100, 520, 16):
            draw.line((50, y, 360, y), fill=120)
        images.append(img)
    images[0].save(path, "PDF", resolution=50.0, save_all=True, append_images=images[1:])
    return path


def text_pdf(path: Path, pages: int = 1) -> Path:
    """A vector PDF (A4) with a line of text per page, written by qpdf."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for i in range(pages):
        content = f"BT /F1 14 Tf 72 760 Td (Quyet dinh so {i + 1}) Tj ET".encode()
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(content),
        )
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def break_xref_generation(src: Path, dst: Path) -> Path:
    """Rewrite the xref entry of object 0 with generation 65536, as some scanners do.

    pyHanko's strict reader refuses such a file; lenient readers (qpdf, poppler) accept it.
    The file is saved without object/xref streams so there is a classic xref table to edit.
    """
    with pikepdf.open(src) as pdf:
        pdf.save(dst, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False)
    data = dst.read_bytes()
    fixed, n = re.subn(rb"0000000000 65535 f", b"0000000000 65536 f", data, count=1)
    assert n == 1
    dst.write_bytes(fixed)
    return dst
