"""Files as scanners write them, and the ``<file>.truth.json`` beside each.

* PDF: image-only, one image per page (JPEG or Flate), page size = pixels / dpi × 72 so the
  resolution is recoverable; no text layer.
* TIFF: multi-page, deflate; JPEG and PNG: one page. Images may deliberately carry no DPI.
"""

from __future__ import annotations

import io
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from PIL import Image

FORMATS = ("pdf", "tiff", "jpeg", "png")
EXTENSIONS = {"pdf": ".pdf", "tiff": ".tif", "jpeg": ".jpg", "png": ".png"}


@dataclass
class OutPage:
    image: Image.Image  # final pixels ('L' or 'RGB')
    dpi: int


@dataclass
class OutFile:
    """Everything needed to write one scan file and its truth."""

    stem: str
    fmt: str
    pages: list[OutPage]
    truth: dict[str, Any]
    embed_dpi: bool = True
    quality: int = 85  # JPEG quality (JPEG files and JPEG images inside PDFs)
    pdf_lossless: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.stem + EXTENSIONS[self.fmt]


def _jpeg_bytes(img: Image.Image, quality: int, dpi: int | None) -> bytes:
    buf = io.BytesIO()
    kwargs: dict[str, Any] = {"quality": quality, "optimize": True}
    if dpi:
        kwargs["dpi"] = (dpi, dpi)
    img.save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def write_pdf(path: Path, pages: list[OutPage], quality: int, lossless: bool) -> None:
    pdf = pikepdf.new()
    for page in pages:
        img = page.image
        w_pt = img.width * 72.0 / page.dpi
        h_pt = img.height * 72.0 / page.dpi
        colour = pikepdf.Name.DeviceRGB if img.mode == "RGB" else pikepdf.Name.DeviceGray
        if lossless:
            data, filt = zlib.compress(img.tobytes(), 6), pikepdf.Name.FlateDecode
        else:
            data, filt = _jpeg_bytes(img, quality, None), pikepdf.Name.DCTDecode
        xobj = pikepdf.Stream(pdf, data)
        xobj.Type = pikepdf.Name.XObject
        xobj.Subtype = pikepdf.Name.Image
        xobj.Width = img.width
        xobj.Height = img.height
        xobj.ColorSpace = colour
        xobj.BitsPerComponent = 8
        xobj.Filter = filt
        pg = pdf.add_blank_page(page_size=(w_pt, h_pt))
        pg.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj))
        pg.Contents = pdf.make_stream(f"q {w_pt:.4f} 0 0 {h_pt:.4f} 0 0 cm /Im0 Do Q".encode())
    pdf.save(path, deterministic_id=True, compress_streams=True)


def write_scan(out: OutFile, directory: Path) -> Path:
    """Write the file, then its truth: a reader that sees the truth can rely on the file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / out.name
    tmp = path.with_name(path.name + ".part")
    dpi = out.pages[0].dpi
    if out.fmt == "pdf":
        write_pdf(tmp, out.pages, out.quality, out.pdf_lossless)
    elif out.fmt == "tiff":
        first, rest = out.pages[0].image, [p.image for p in out.pages[1:]]
        kwargs: dict[str, Any] = {"compression": "tiff_deflate"}
        if out.embed_dpi:
            kwargs["dpi"] = (dpi, dpi)
        first.save(tmp, "TIFF", save_all=True, append_images=rest, **kwargs)
    elif out.fmt == "jpeg":
        if len(out.pages) != 1:
            raise ValueError("a JPEG holds one page")
        tmp.write_bytes(_jpeg_bytes(out.pages[0].image, out.quality, dpi if out.embed_dpi else None))
    elif out.fmt == "png":
        if len(out.pages) != 1:
            raise ValueError("a PNG holds one page")
        png_kwargs: dict[str, Any] = {"optimize": False, "compress_level": 9}
        if out.embed_dpi:
            png_kwargs["dpi"] = (dpi, dpi)
        out.pages[0].image.save(tmp, "PNG", **png_kwargs)
    else:
        raise ValueError(f"unknown format {out.fmt}")
    tmp.replace(path)
    truth = {"file": out.name, **out.truth}
    truth_path = directory / (out.name + ".truth.json")
    tmp_truth = truth_path.with_name(truth_path.name + ".part")
    tmp_truth.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp_truth.replace(truth_path)
    return path


def read_truth(path: Path) -> dict[str, Any]:
    """The truth of a scan file (``path`` may be the scan or the truth file itself)."""
    p = Path(path)
    if not p.name.endswith(".truth.json"):
        p = p.with_name(p.name + ".truth.json")
    data: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    return data
