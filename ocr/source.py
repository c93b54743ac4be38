"""Opening a scan and loading one page at a time as pixels.

``open_scan`` validates the whole file up front (cheaply: headers and PDF objects, no pixel
decoding) so bad input is refused before any work; ``load_page`` then decodes a single page, so
a 300-page PDF never sits in memory. Workers call ``open_scan(..., validate=False)`` and load
only their page.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pikepdf
from PIL import Image, ImageOps, UnidentifiedImageError

from config.settings import OcrSettings
from ocr import pdf_limits
from ocr.dpi import estimate_dpi, usable_dpi
from ocr.errors import (
    BadImageError,
    BadTiffFrameError,
    CorruptPdfError,
    EncryptedPdfError,
    ImageBombError,
    NoPagesError,
    RenderTimeoutError,
    TooManyPagesError,
)
from ocr.sniff import Kind, sniff

VECTOR_DPI = 300.0  # pages without a scanned image (born-digital or mixed) are rendered at this
MAX_RENDER_DPI = 600.0  # a 1200-dpi scan gives Tesseract nothing more than 600 does


@dataclass
class PageImage:
    """One decoded page: ``pixels`` is HxW (grey) or HxWx3 (RGB) uint8."""

    pixels: np.ndarray
    dpi: float
    dpi_estimated: bool
    warnings: list[str] = field(default_factory=list)

    @property
    def is_colour(self) -> bool:
        return self.pixels.ndim == 3


class ScanSource(Protocol):
    kind: Kind
    path: Path
    page_count: int

    def load_page(self, index: int) -> PageImage: ...

    def validate(self) -> None: ...

    def close(self) -> None: ...


def open_scan(path: Path, settings: OcrSettings, *, validate: bool = True) -> ScanSource:
    """Open ``path`` by its content type; with ``validate`` every page is checked first."""
    path = Path(path)
    kind = sniff(path, settings.max_file_mb)
    source: ScanSource = PdfSource(path, settings) if kind == "pdf" else ImageSource(path, kind, settings)
    if validate:
        try:
            source.validate()
        except BaseException:
            source.close()
            raise
    return source


def low_dpi_warning(dpi: float, min_dpi: int) -> list[str]:
    if dpi >= min_dpi:
        return []
    return [
        f"Độ phân giải thấp: {dpi:.0f} dpi (< {min_dpi} dpi), nên quét lại (low resolution, rescan advised)"
    ]


# --------------------------------------------------------------------------------------- PDF


@dataclass(frozen=True)
class PdfPageInfo:
    width_in: float  # as displayed (after /Rotate)
    height_in: float
    image_dpi: float | None  # effective resolution of the largest embedded image
    grey: bool  # every embedded image is grey or bilevel


class PdfSource:
    def __init__(self, path: Path, settings: OcrSettings) -> None:
        self.kind: Kind = "pdf"
        self.path = path
        self.settings = settings
        _check_tail(path)
        try:
            self._pdf = pikepdf.open(path)
        except pikepdf.PasswordError as exc:
            raise EncryptedPdfError(path) from exc
        except (pikepdf.PdfError, RuntimeError, ValueError) as exc:
            raise CorruptPdfError(path) from exc
        try:
            self.page_count = len(self._pdf.pages)
            self.signed = _is_signed(self._pdf)
        except (pikepdf.PdfError, RuntimeError) as exc:
            raise CorruptPdfError(path) from exc

    def close(self) -> None:
        self._pdf.close()

    def validate(self) -> None:
        if self.page_count == 0:
            raise NoPagesError(self.path)
        if self.page_count > self.settings.max_pages:
            raise TooManyPagesError(self.path, f"{self.page_count} > {self.settings.max_pages}")
        pdf_limits.check_file(self._pdf, self.path, self.settings)
        for index in range(self.page_count):
            self.render_dpi(self.page_info(index))

    def page_info(self, index: int) -> PdfPageInfo:
        try:
            page = self._pdf.pages[index]
            box = [float(v) for v in page.mediabox]
            width_in, height_in = abs(box[2] - box[0]) / 72.0, abs(box[3] - box[1]) / 72.0
            if int(page.obj.get("/Rotate", 0)) % 180 == 90:
                width_in, height_in = height_in, width_in
            best: tuple[int, int] | None = None
            grey = True
            for image in _page_images(page):
                w, h = int(image.get("/Width", 0)), int(image.get("/Height", 0))
                if w * h / 1e6 > self.settings.max_megapixels:
                    raise ImageBombError(
                        self.path, f"trang {index + 1}: {w}x{h} > {self.settings.max_megapixels:.0f} MP"
                    )
                if best is None or w * h > best[0] * best[1]:
                    best = (w, h)
                grey = grey and _is_grey_image(image)
        except (pikepdf.PdfError, RuntimeError, KeyError, TypeError, ValueError) as exc:
            raise CorruptPdfError(self.path, f"trang {index + 1}") from exc
        image_dpi = None
        if best is not None and width_in > 0 and height_in > 0:
            # The image may be stored rotated relative to the displayed page: match long sides.
            long_px, short_px = max(best), min(best)
            image_dpi = max(long_px / max(width_in, height_in), short_px / min(width_in, height_in))
        return PdfPageInfo(width_in, height_in, image_dpi, grey and best is not None)

    def render_dpi(self, info: PdfPageInfo) -> float:
        dpi = info.image_dpi if info.image_dpi and info.image_dpi >= 50 else VECTOR_DPI
        dpi = min(dpi, MAX_RENDER_DPI)
        megapixels = info.width_in * info.height_in * dpi * dpi / 1e6
        if megapixels > self.settings.max_megapixels:
            raise ImageBombError(self.path, f"{megapixels:.0f} MP > {self.settings.max_megapixels:.0f} MP")
        return dpi

    def load_page(self, index: int) -> PageImage:
        info = self.page_info(index)
        dpi = self.render_dpi(info)
        pdf_limits.check_page(self._pdf, index, self.path, self.settings)
        pixels = render_pdf_page(
            self.path, index, round(dpi), grey=info.grey, timeout=self.settings.render_timeout
        )
        effective = info.image_dpi if info.image_dpi else dpi
        return PageImage(pixels, dpi, False, low_dpi_warning(effective, self.settings.min_dpi))


PNM_HEADER = re.compile(rb"(P[56])\s+(\d+)\s+(\d+)\s+(\d+)\s")


def render_pdf_page(path: Path, index: int, dpi: int, *, grey: bool, timeout: float) -> np.ndarray:
    """Page ``index`` (0-based) rendered by poppler's ``pdftoppm``, as ``_to_array`` pixels.

    One ``pdftoppm`` run and its PGM/PPM read straight into an array: pdf2image, with the same
    command line, first runs ``pdfinfo`` (the page count, known here already) and ``pdftoppm
    -v`` (its version) and then goes through Pillow, two processes and two copies of the page
    more for every page (~25 ms of a worker's time each). The pixels are the same bytes.
    """
    command = [
        "pdftoppm",
        "-r",
        str(dpi),
        str(path),
        "-f",
        str(index + 1),
        "-l",
        str(index + 1),
        "-singlefile",
    ]
    if grey:
        command.append("-gray")
    where = f"trang {index + 1}"
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RenderTimeoutError(path, where) from exc
    except OSError as exc:
        raise CorruptPdfError(path, where) from exc
    data = done.stdout
    header = PNM_HEADER.match(data)
    if header is None:
        raise CorruptPdfError(path, where)
    magic, width, height, maxval = (
        header.group(1),
        int(header.group(2)),
        int(header.group(3)),
        int(header.group(4)),
    )
    channels = 1 if magic == b"P5" else 3
    if maxval != 255 or len(data) != header.end() + width * height * channels:
        raise CorruptPdfError(path, where)
    pixels = np.frombuffer(data, dtype=np.uint8, offset=header.end())
    if channels == 1:
        return pixels.reshape(height, width)
    return _grey_if_colourless(pixels.reshape(height, width, 3))


def _check_tail(path: Path) -> None:
    """A PDF cut short in transfer lacks its final ``%%EOF``; qpdf would silently 'repair' it."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise CorruptPdfError(path, "thiếu phần cuối tệp (truncated)")


def _page_images(page: pikepdf.Page) -> Iterator[pikepdf.Object]:
    """Image XObjects of a page, including those one level inside form XObjects."""
    resources = page.obj.get("/Resources")
    yield from _images_in(resources, depth=0)


def _images_in(resources: pikepdf.Object | None, depth: int) -> Iterator[pikepdf.Object]:
    if resources is None or depth > 2:
        return
    xobjects = resources.get("/XObject")
    if xobjects is None:
        return
    for key in xobjects.keys():  # noqa: SIM118 - pikepdf dictionaries need keys()
        obj = xobjects[key]
        subtype = obj.get("/Subtype")
        if subtype == "/Image":
            yield obj
        elif subtype == "/Form":
            yield from _images_in(obj.get("/Resources"), depth + 1)


def _is_grey_image(image: pikepdf.Object) -> bool:
    if image.get("/ImageMask", False) or int(image.get("/BitsPerComponent", 8)) == 1:
        return True
    return str(image.get("/ColorSpace", "")) in ("/DeviceGray", "/CalGray")


def is_signed_pdf(path: Path) -> bool:
    """Whether the PDF at ``path`` carries a digital signature (read only, nothing rewritten).

    A signed PDF is taken in as it is: only read and rendered, never re-saved, so its
    signatures stay verifiable on the stored original.
    """
    try:
        with pikepdf.open(path) as pdf:
            return _is_signed(pdf)
    except (pikepdf.PdfError, RuntimeError, ValueError):
        return False


def _is_signed(pdf: pikepdf.Pdf) -> bool:
    """True when the PDF holds a digital signature (filled /Sig field, SigFlags or DocMDP)."""
    root = pdf.Root
    if "/Perms" in root:
        return True
    acroform = root.get("/AcroForm")
    if acroform is None:
        return False
    if int(acroform.get("/SigFlags", 0)) & 1:
        return True
    stack = list(acroform.get("/Fields", []))
    seen = 0
    while stack and seen < 10000:
        seen += 1
        fld = stack.pop()
        if not isinstance(fld, pikepdf.Dictionary):
            continue
        if fld.get("/FT") == "/Sig" and fld.get("/V") is not None:
            return True
        stack.extend(fld.get("/Kids", []))
    return False


# ------------------------------------------------------------------------------------ images


CORRUPTION_HINTS = ("larger than file", "corrupt", "truncated", "premature end")


class _CorruptionWarning(Exception):
    """Pillow only warned, but about damage (a tag pointing past the end of the file)."""


@contextlib.contextmanager
def _no_pillow_bomb_check() -> Iterator[None]:
    """Pillow's own cap is fixed at 89 MP; ours (``max_megapixels``) is checked instead.

    Pillow's warnings are caught here too: damage it only warns about becomes an error (a frame
    silently dropped is a page lost), the rest stays off the clerk's terminal.
    """
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        for item in caught:
            text = str(item.message).lower()
            if any(hint in text for hint in CORRUPTION_HINTS):
                raise _CorruptionWarning(str(item.message))
    finally:
        Image.MAX_IMAGE_PIXELS = saved


class ImageSource:
    def __init__(self, path: Path, kind: Kind, settings: OcrSettings) -> None:
        self.kind = kind
        self.path = path
        self.settings = settings
        with self._open() as img:
            try:
                with _no_pillow_bomb_check():
                    self.page_count = int(getattr(img, "n_frames", 1)) if kind == "tiff" else 1
            except (OSError, ValueError, EOFError, SyntaxError, _CorruptionWarning) as exc:
                raise BadTiffFrameError(self.path) from exc

    def _open(self) -> Image.Image:
        try:
            with _no_pillow_bomb_check():
                return Image.open(self.path)
        except UnidentifiedImageError as exc:
            raise BadImageError(self.path) from exc
        except (OSError, ValueError, SyntaxError, _CorruptionWarning) as exc:
            if self.kind == "tiff":
                raise BadTiffFrameError(self.path, "trang 1") from exc
            raise BadImageError(self.path) from exc

    def close(self) -> None:
        """Nothing held open: each call reopens the file."""

    def _check_size(self, img: Image.Image, index: int) -> None:
        w, h = img.size
        if w * h / 1e6 > self.settings.max_megapixels:
            where = f"trang {index + 1}: " if self.page_count > 1 else ""
            raise ImageBombError(self.path, f"{where}{w}x{h} > {self.settings.max_megapixels:.0f} MP")
        if w < 16 or h < 16:
            raise BadImageError(self.path, f"{w}x{h}")

    def validate(self) -> None:
        if self.page_count == 0:
            raise NoPagesError(self.path)
        if self.page_count > self.settings.max_pages:
            raise TooManyPagesError(self.path, f"{self.page_count} > {self.settings.max_pages}")
        file_size = self.path.stat().st_size
        with self._open() as img:
            for index in range(self.page_count):
                self._seek(img, index)
                self._check_size(img, index)
                if self.kind == "tiff" and not _strips_inside(img, file_size):
                    raise BadTiffFrameError(self.path, f"trang {index + 1}: dữ liệu bị cắt (truncated)")

    def _seek(self, img: Image.Image, index: int) -> None:
        if index == 0 and self.page_count == 1:
            return
        try:
            with _no_pillow_bomb_check():
                img.seek(index)
        except (OSError, ValueError, EOFError, SyntaxError, _CorruptionWarning) as exc:
            raise BadTiffFrameError(self.path, f"trang {index + 1}") from exc

    def load_page(self, index: int) -> PageImage:
        if not 0 <= index < self.page_count:
            raise IndexError(index)
        with self._open() as img:
            self._seek(img, index)
            self._check_size(img, index)
            try:
                with _no_pillow_bomb_check():
                    img.load()
                    frame = ImageOps.exif_transpose(img) if self.kind == "jpeg" else img
                    pixels = _to_array(frame)
            except (OSError, ValueError, SyntaxError, _CorruptionWarning) as exc:
                if self.kind == "tiff":
                    raise BadTiffFrameError(self.path, f"trang {index + 1}") from exc
                raise BadImageError(self.path) from exc
            raw = img.info.get("dpi")
        dpi_value = _dpi_from_info(raw)
        if usable_dpi(dpi_value):
            assert dpi_value is not None
            dpi, estimated = dpi_value, False
        else:
            grey = pixels if pixels.ndim == 2 else pixels.mean(axis=2).astype(np.uint8)
            dpi, estimated = estimate_dpi(pixels.shape[1], pixels.shape[0], grey), True
        warnings = low_dpi_warning(dpi, self.settings.min_dpi)
        if estimated:
            warnings.append(f"Ảnh không ghi độ phân giải, ước tính {dpi:.0f} dpi (no DPI in file, estimated)")
        return PageImage(pixels, dpi, estimated, warnings)


def _strips_inside(img: Image.Image, file_size: int) -> bool:
    """False when a TIFF frame's strips or tiles point past the end of the file."""
    tags = getattr(img, "tag_v2", None)
    if tags is None:
        return True
    for offsets_tag, counts_tag in ((273, 279), (324, 325)):
        offsets, counts = tags.get(offsets_tag), tags.get(counts_tag)
        if offsets is None or counts is None:
            continue
        offsets = offsets if isinstance(offsets, tuple) else (offsets,)
        counts = counts if isinstance(counts, tuple) else (counts,)
        if any(int(o) + int(c) > file_size for o, c in zip(offsets, counts, strict=False)):
            return False
    return True


def _dpi_from_info(raw: object) -> float | None:
    if isinstance(raw, tuple) and raw:
        try:
            values = [float(v) for v in raw if float(v) > 0]
        except (TypeError, ValueError):
            return None
        return round(max(values), 1) if values else None
    return None


def _to_array(img: Image.Image) -> np.ndarray:
    """Pixels as uint8 grey (HxW) or RGB (HxWx3); colour that is really grey becomes grey."""
    mode = img.mode
    if mode in ("1", "L", "LA"):
        return np.asarray(img.convert("L"))
    if mode.startswith("I") or mode == "F":
        arr = np.asarray(img, dtype=np.float32)
        lo, hi = float(arr.min()), float(arr.max())
        scale = 255.0 / (hi - lo) if hi > lo else 1.0
        return ((arr - lo) * scale).astype(np.uint8)
    return _grey_if_colourless(np.asarray(img.convert("RGB")))


def _grey_if_colourless(rgb: np.ndarray) -> np.ndarray:
    """An RGB page as it is, or its green channel when no pixels are clearly coloured."""
    # A seal may cover well under 1 % of the page: any clearly coloured pixels keep the colour
    # (the seal step needs it); JPEG chroma noise on a grey scan stays far below this spread.
    sample = rgb[::4, ::4].astype(np.int16)
    spread = sample.max(axis=2) - sample.min(axis=2)
    if np.count_nonzero(spread >= 60) < max(20, spread.size // 20000):
        return np.ascontiguousarray(rgb[:, :, 1])
    return rgb
