"""The cleaning sequence for one page, with each step switchable so the benchmark can measure
what it buys (``CleanOptions``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ocr.preprocess.blank import is_blank
from ocr.preprocess.common import rotate, to_grey
from ocr.preprocess.crop import card_box, paper_box
from ocr.preprocess.denoise import denoise
from ocr.preprocess.deskew import detect_skew
from ocr.preprocess.grey_seal import lift_grey_seals
from ocr.preprocess.illumination import normalise_light
from ocr.preprocess.orientation import lines_are_vertical, upside_down
from ocr.preprocess.seal import drop_red_ink


@dataclass(frozen=True)
class CleanOptions:
    seal: bool = True
    grey_seal: bool = True
    light: bool = True
    crop: bool = True
    orientation: bool = True
    osd_fallback: bool = True
    deskew: bool = True
    denoise: bool = False  # measured: no clear gain (see bench_ocr --ablation)
    blank: bool = True
    upscale: bool = False  # resample pages under 280 dpi to 300 for OCR (measured: no gain)
    rules: bool = True  # lift ruled lines, character boxes and dotted leaders from the OCR copy
    handwriting: bool = True  # mark words whose glyphs look handwritten (ocr.handwriting)
    dates: bool = True  # read date-shaped words again, digits only (ocr.dates)


OCR_DPI = 300.0  # Tesseract's LSTM models read best at about this resolution
UPSCALE_BELOW = 280.0


def ocr_resolution(
    grey: np.ndarray, dpi: float, options: CleanOptions | None = None
) -> tuple[np.ndarray, float]:
    """The image Tesseract reads, and its resolution: pages under 280 dpi are resampled to 300."""
    opts = options or CleanOptions()
    if not opts.upscale or dpi >= UPSCALE_BELOW:
        return grey, dpi
    factor = OCR_DPI / dpi
    return cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC), OCR_DPI


@dataclass
class CleanedPage:
    """The page as OCR sees it: upright, straight, cropped, grey."""

    grey: np.ndarray
    rotation: int = 0  # clockwise degrees applied
    skew: float = 0.0  # degrees corrected
    blank: bool = False
    cropped: bool = False
    osd_used: bool = False
    warnings: list[str] = field(default_factory=list)


def clean_page(pixels: np.ndarray, dpi: float, options: CleanOptions | None = None) -> CleanedPage:
    opts = options or CleanOptions()
    warnings: list[str] = []
    if pixels.ndim == 3 and opts.seal:
        grey, _red_share = drop_red_ink(pixels, dpi)
    else:
        grey = to_grey(pixels)
    del pixels
    cropped = False
    if opts.crop:
        box = paper_box(grey, dpi)
        if box is not None:
            grey, cropped = box.apply(grey), True
        box = card_box(grey, dpi)
        if box is not None:
            grey, cropped = box.apply(grey), True
    if opts.light:
        grey = normalise_light(grey, dpi)
    if opts.grey_seal:
        grey, _seals = lift_grey_seals(grey, dpi)
    if opts.denoise:
        grey = denoise(grey, dpi)
    if opts.blank and is_blank(grey, dpi):
        return CleanedPage(grey, blank=True, cropped=cropped, warnings=warnings)
    rotation, osd_used = 0, False
    if opts.orientation and lines_are_vertical(grey, dpi):
        grey, rotation = rotate(grey, -90), 90
    skew = 0.0
    if opts.deskew:
        skew = detect_skew(grey, dpi)
        if abs(skew) >= 0.1:
            grey = rotate(grey, skew, expand=False)
    if opts.orientation:
        flipped, osd_used = upside_down(grey, dpi, use_osd=opts.osd_fallback)
        if flipped:
            grey, rotation = rotate(grey, 180), (rotation + 180) % 360
    return CleanedPage(
        np.ascontiguousarray(grey), rotation=rotation, skew=skew, cropped=cropped, osd_used=osd_used,
        warnings=warnings,
    )
