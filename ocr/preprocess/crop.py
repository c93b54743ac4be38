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


def _inside(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    slack = 3
    return (
        inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack
    )


def card_box(grey: np.ndarray, dpi: float) -> CropBox | None:
    """Union of the ID-card outlines on a page that is otherwise empty, or None.

    Cards are found by their edges (a photocopied card's tint is flattened away by light
    normalisation, its outline is not), so this runs on the page before that step.
    """
    small, factor = downscale(grey, dpi, 50.0)
    h, w = small.shape
    ppi = dpi * factor
    if _is_card(w / ppi, h / ppi) or (w / ppi) * (h / ppi) < 20:
        return None  # already a card (or card-sized crop)
    edges = cv2.Canny(cv2.GaussianBlur(small, (3, 3), 0), 20, 60)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cards: list[tuple[int, int, int, int]] = []
    for contour in contours:
        (_c, (rw, rh), _a) = cv2.minAreaRect(contour)
        if _is_card(rw / ppi, rh / ppi):
            x, y, bw, bh = cv2.boundingRect(contour)
            cards.append((x, y, x + bw, y + bh))
    # An outline that is not closed yields nested contours of the same card: keep the outermost.
    cards = [c for c in cards if not any(o != c and _inside(c, o) for o in cards)]
    if not cards or len(cards) > 2:
        return None
    # Anything printed outside the cards means this is a page that merely contains a box.
    ink = cv2.adaptiveThreshold(
        small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, max(3, int(0.4 * ppi) | 1), 25
    )
    edge = max(2, int(min(h, w) * 0.03))
    ink[:edge], ink[-edge:], ink[:, :edge], ink[:, -edge:] = 0, 0, 0, 0
    pad = max(1, int(0.1 * ppi))
    for x0, y0, x1, y1 in cards:
        ink[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad] = 0
    if int(ink.sum()) > 0.002 * h * w:
        return None
    margin = int(MARGIN_INCH * dpi)
    full_h, full_w = grey.shape[:2]
    return CropBox(
        max(0, int(min(c[0] for c in cards) / factor) - margin),
        max(0, int(min(c[1] for c in cards) / factor) - margin),
        min(full_w, int(max(c[2] for c in cards) / factor) + margin),
        min(full_h, int(max(c[3] for c in cards) / factor) + margin),
    )
