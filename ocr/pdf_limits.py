"""Decompression-bomb limits of a PDF: the pixels a page will make poppler decode, before it runs.

An image's header costs bytes, its pixels cost memory: a 439 KB file can claim a 3.6-gigapixel
image four form XObjects deep, or one 64 MP image placed a hundred times. So the page's content
streams are walked as a renderer would (``Do`` by ``Do``, into forms, inline images, annotation
appearances, soft masks, tiling patterns and Type 3 glyphs), counting each image once per
placement; forms are memoised (a form painted a thousand times is parsed once), nesting is
bounded and cycles refused. Only object headers and content operators are read, never pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from config.settings import OcrSettings
from ocr.errors import CorruptPdfError, ImageBombError, PdfNestingError

MAX_FORM_DEPTH = 16  # real producers nest two or three forms; 16 is far past any of them
MAX_PLACEMENTS = 200_000  # ``Do`` operators and inline images per page, counted through forms

_DO = pikepdf.Operator("Do")


@dataclass
class _Walk:
    """State of one page's walk: memoised form totals, the forms on the current path."""

    path: Path
    page: int
    cap_pixels: float
    memo: dict[tuple[int, int], int] = field(default_factory=dict)
    visiting: set[tuple[int, int]] = field(default_factory=set)
    placements: int = 0

    def nesting(self, what: str) -> PdfNestingError:
        return PdfNestingError(self.path, f"trang {self.page + 1}: {what}")


def page_pixels(page: pikepdf.Page, path: Path, index: int, cap_pixels: float) -> int:
    """Pixels the page's images decode to, stopping early once past ``cap_pixels``."""
    walk = _Walk(path, index, cap_pixels)
    resources = page.obj.get("/Resources")
    total = _stream_pixels(walk, page.obj, resources, 0)
    for annot in page.obj.get("/Annots", None) or []:
        if total > cap_pixels:
            break
        if not isinstance(annot, pikepdf.Dictionary):
            continue
        appearance = annot.get("/AP")
        normal = appearance.get("/N") if isinstance(appearance, pikepdf.Dictionary) else None
        if isinstance(normal, pikepdf.Stream):
            total += _form_pixels(walk, normal, resources, 1)
        elif isinstance(normal, pikepdf.Dictionary):
            for key in normal.keys():  # noqa: SIM118 - pikepdf dictionaries need keys()
                state = normal[key]
                if isinstance(state, pikepdf.Stream):
                    total += _form_pixels(walk, state, resources, 1)
    return total


def check_page(pdf: pikepdf.Pdf, index: int, path: Path, settings: OcrSettings) -> int:
    """Refuse page ``index`` when its images exceed ``max_megapixels``; return its pixel count."""
    cap = settings.max_megapixels * 1e6
    try:
        pixels = page_pixels(pdf.pages[index], path, index, cap)
    except (PdfNestingError, ImageBombError):
        raise
    except RecursionError as exc:
        raise PdfNestingError(path, f"trang {index + 1}") from exc
    except (pikepdf.PdfError, RuntimeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CorruptPdfError(path, f"trang {index + 1}") from exc
    if pixels > cap:
        raise ImageBombError(
            path, f"trang {index + 1}: {pixels / 1e6:.0f} MP > {settings.max_megapixels:.0f} MP"
        )
    return pixels


def check_file(pdf: pikepdf.Pdf, path: Path, settings: OcrSettings) -> None:
    """Every page under the page cap and all pages together under ``max_file_megapixels``."""
    total = 0
    for index in range(len(pdf.pages)):
        total += check_page(pdf, index, path, settings)
        if total > settings.max_file_megapixels * 1e6:
            raise ImageBombError(
                path, f"cả tệp (whole file): {total / 1e6:.0f} MP > {settings.max_file_megapixels:.0f} MP"
            )


def _stream_pixels(walk: _Walk, owner: pikepdf.Object, resources: pikepdf.Object | None, depth: int) -> int:
    """Pixels painted by one content stream (a page's or a form's) with its resources."""
    total = 0
    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    for item in pikepdf.parse_content_stream(owner):
        if isinstance(item, pikepdf.ContentStreamInlineImage):
            walk.placements += 1
            total += int(item.iimage.width) * int(item.iimage.height)
        elif item.operator == _DO and item.operands and xobjects is not None:
            walk.placements += 1
            target = xobjects.get(str(item.operands[0]))
            if isinstance(target, pikepdf.Stream):
                total += _xobject_pixels(walk, target, resources, depth)
        if walk.placements > MAX_PLACEMENTS:
            raise walk.nesting(f"hơn {MAX_PLACEMENTS} lần vẽ ảnh (too many placements)")
        if total > walk.cap_pixels:
            return total  # already refused: no need to read the rest
    return total + _resource_extras(walk, resources, depth)


def _xobject_pixels(walk: _Walk, xobject: pikepdf.Stream, parent: pikepdf.Object | None, depth: int) -> int:
    subtype = xobject.get("/Subtype")
    if subtype == "/Image":
        return _image_pixels(xobject)
    if subtype == "/Form":
        return _form_pixels(walk, xobject, parent, depth + 1)
    return 0


def _image_pixels(image: pikepdf.Object) -> int:
    """The image's own pixels plus those of its soft mask or explicit mask image."""
    pixels = max(0, int(image.get("/Width", 0))) * max(0, int(image.get("/Height", 0)))
    for key in ("/SMask", "/Mask"):
        mask = image.get(key)
        if isinstance(mask, pikepdf.Stream) and mask.get("/Subtype") == "/Image":
            pixels += max(0, int(mask.get("/Width", 0))) * max(0, int(mask.get("/Height", 0)))
    return pixels


def _form_pixels(walk: _Walk, form: pikepdf.Stream, parent: pikepdf.Object | None, depth: int) -> int:
    if depth > MAX_FORM_DEPTH:
        raise walk.nesting(f"đối tượng lồng quá {MAX_FORM_DEPTH} mức (nested too deep)")
    key = form.objgen
    own = form.get("/Resources")
    resources = own if isinstance(own, pikepdf.Dictionary) else parent
    memoisable = key != (0, 0) and isinstance(own, pikepdf.Dictionary)
    if memoisable and key in walk.memo:
        return walk.memo[key]
    if key != (0, 0):
        if key in walk.visiting:
            raise walk.nesting("đối tượng tự tham chiếu vòng (cyclic form XObjects)")
        walk.visiting.add(key)
    try:
        pixels = _stream_pixels(walk, form, resources, depth)
    finally:
        walk.visiting.discard(key)
    if memoisable:
        walk.memo[key] = pixels
    return pixels


def _resource_extras(walk: _Walk, resources: pikepdf.Object | None, depth: int) -> int:
    """Tiling patterns and Type 3 glyph procedures: each counted once per resource entry.

    Their content is painted by fill or text operators rather than ``Do``; counting each once
    under-counts repeated use, but a bomb hidden there still shows its image at least once.
    """
    if not isinstance(resources, pikepdf.Dictionary):
        return 0
    total = 0
    patterns = resources.get("/Pattern")
    if isinstance(patterns, pikepdf.Dictionary):
        for key in patterns.keys():  # noqa: SIM118
            pattern = patterns[key]
            if isinstance(pattern, pikepdf.Stream) and int(pattern.get("/PatternType", 0)) == 1:
                total += _form_pixels(walk, pattern, resources, depth + 1)
    fonts = resources.get("/Font")
    if isinstance(fonts, pikepdf.Dictionary):
        for key in fonts.keys():  # noqa: SIM118
            font = fonts[key]
            if not isinstance(font, pikepdf.Dictionary) or font.get("/Subtype") != "/Type3":
                continue
            procs = font.get("/CharProcs")
            font_resources = font.get("/Resources")
            if isinstance(procs, pikepdf.Dictionary):
                for name in procs.keys():  # noqa: SIM118
                    proc = procs[name]
                    if isinstance(proc, pikepdf.Stream):
                        total += _form_pixels(walk, proc, font_resources or resources, depth + 1)
    return total
