"""Cropping the scanner bed: the paper out of a dark bed, and ID cards (one, or front and back)
out of an otherwise empty A4 bed.

A full page is never cropped to its text block: its searchable PDF must keep the paper's size.
Only regions shaped like an ID-1 card (85.6 x 54 mm) count as cards, so a short letter at the
top of an A4 page stays an A4 page.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocr.preprocess.common import downscale

CARD_IN = (3.370, 2.125)
CARD_TOLERANCE = 0.18  # photocopies scale a little; the tinted area may lose its rounded corners
MARGIN_INCH = 0.08


@dataclass(frozen=True)
class CropBox:
    left: int
    top: int
    right: int
    bottom: int

    def apply(self, pixels: np.ndarray) -> np.ndarray:
        return pixels[self.top : self.bottom, self.left : self.right]


def paper_box(grey: np.ndarray, dpi: float) -> CropBox | None:
    """The bright paper inside a dark scanner bed (lid open), or None when the border is light."""
    small, factor = downscale(grey, dpi, 50.0)
    h, w = small.shape
    band = max(2, int(min(h, w) * 0.02))
    border = np.concatenate(
        [small[:band].ravel(), small[-band:].ravel(), small[:, :band].ravel(), small[:, -band:].ravel()]
    )
    if float(np.median(border)) > 110:
        return None
    _t, bright = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(bright, connectivity=4)
    if count <= 1:
        return None
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, bw, bh = (int(v) for v in stats[best, :4])
    if bw * bh < 0.05 * h * w:
        return None
    inset = int(2 / factor)  # step inside so the dark rim is not kept
    return CropBox(int(x / factor) + inset, int(y / factor) + inset,
                   int((x + bw) / factor) - inset, int((y + bh) / factor) - inset)


def _is_card(width_in: float, height_in: float) -> bool:
    long_side, short_side = max(width_in, height_in), min(width_in, height_in)
    return (
        abs(long_side / CARD_IN[0] - 1) <= CARD_TOLERANCE
        and abs(short_side / CARD_IN[1] - 1) <= CARD_TOLERANCE
    )


def card_box(grey: np.ndarray, dpi: float) -> CropBox | None:
    """Union of the ID-card-sized regions on a page that is otherwise empty, or None."""
    small, factor = downscale(grey, dpi, 50.0)
    h, w = small.shape
    page_w_in, page_h_in = w / (dpi * factor), h / (dpi * factor)
    if _is_card(page_w_in, page_h_in) or page_w_in * page_h_in < 20:
        return None  # already a card (or card-sized crop)
    marked = (small < 235).astype(np.uint8)
    edge = max(1, int(min(h, w) * 0.015))
    marked[:edge], marked[-edge:], marked[:, :edge], marked[:, -edge:] = 0, 0, 0, 0
    close = max(3, int(0.15 * dpi * factor) | 1)
    blobs = cv2.morphologyEx(marked, cv2.MORPH_CLOSE, np.ones((close, close), np.uint8))
    contours, _ = cv2.findContours(blobs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    px_per_in = dpi * factor
    cards: list[tuple[int, int, int, int]] = []
    other_ink = 0
    for contour in contours:
        x, y, bw, bh = cv2.boundingRect(contour)
        (_c, (rw, rh), _a) = cv2.minAreaRect(contour)
        if _is_card(rw / px_per_in, rh / px_per_in) and cv2.contourArea(contour) > 0.7 * rw * rh:
            cards.append((x, y, x + bw, y + bh))
        else:
            other_ink += bw * bh
    if not cards or len(cards) > 2:
        return None
    card_area = sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in cards)
    if other_ink > 0.5 * card_area:
        return None  # the cards sit among other content: keep the page whole
    margin = int(MARGIN_INCH * dpi)
    full_h, full_w = grey.shape[:2]
    return CropBox(
        max(0, int(min(c[0] for c in cards) / factor) - margin),
        max(0, int(min(c[1] for c in cards) / factor) - margin),
        min(full_w, int(max(c[2] for c in cards) / factor) + margin),
        min(full_h, int(max(c[3] for c in cards) / factor) + margin),
    )
