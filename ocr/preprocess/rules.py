"""Ruled lines, character boxes and dotted fill-in lines lifted out of the image OCR reads.

Forms print one box per character (Mẫu CT01's 12-digit id) and dotted leaders after labels.
Tesseract reads a box edge as "1", "|" or "I" and a row of dots as "....." or "rrrerrsee"
glued to the value written on it. Both are found by morphology at physical sizes:

* straight lines: an opening with a long thin kernel (horizontal 0.3 in, vertical 0.2 in) keeps
  only strokes at least that long; no glyph of body text is (a 14 pt capital stem is ~0.14 in);
* dotted leaders: dots (or thin dashes of touching dots) no taller than 0.025 in whose horizontal
  closing joins them into a run at least 0.35 in long; diacritic dots stand too far apart to join.

Only the OCR copy is changed: the archived page keeps its pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

H_LINE_IN = 0.30  # shortest horizontal rule removed
V_LINE_IN = 0.20  # shortest vertical rule removed (a box edge on CT01 is ~0.28 in)
DOT_MAX_IN = 0.025  # a leader dot is at most this wide and tall
DOT_GAP_IN = 0.06  # leader dots stand at most this far apart
LEADER_MIN_IN = 0.35  # a run of dots at least this long is a leader


def binary(grey: np.ndarray) -> np.ndarray:
    """Ink (255) / paper (0); adaptive so that uneven light or a grey field background holds."""
    block = max(15, (min(grey.shape[:2]) // 40) | 1)
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


def line_mask(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Pixels of straight horizontal and vertical strokes long enough to be rules or box edges."""
    h_len = max(15, round(H_LINE_IN * dpi))
    v_len = max(10, round(V_LINE_IN * dpi))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
    return cv2.bitwise_or(horizontal, vertical)


def leader_mask(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Pixels of dots that stand in a horizontal row long enough to be a fill-in line."""
    dot = max(2, round(DOT_MAX_IN * dpi))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return np.zeros_like(ink)
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    # A dot, or a run of dots that touch (a leader enlarged from a low-resolution render): thin.
    small = (h <= dot) & ((w <= dot) | (w >= 3 * h))
    small[0] = False
    dots = np.where(small[labels], 255, 0).astype(np.uint8)
    # A dot just under or over a letter is its diacritic (the dot of "ộ" sits on the leader's
    # line): dots with a glyph within 0.06 in straight above or below are kept.
    reach = max(3, round(DOT_GAP_IN * dpi))
    glyphs = cv2.bitwise_and(ink, cv2.bitwise_not(dots))
    near = cv2.dilate(glyphs, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 2 * reach + 1)))
    gap = max(3, round(DOT_GAP_IN * dpi))
    joined = cv2.morphologyEx(dots, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1)))
    run = max(gap * 2, round(LEADER_MIN_IN * dpi))
    runs = cv2.morphologyEx(joined, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1)))
    # A dot belongs to a leader when the long run covers it.
    hit = np.zeros(count, dtype=bool)
    ys, xs = np.nonzero(cv2.bitwise_and(runs, dots))
    hit[np.unique(labels[ys, xs])] = True
    hit[0] = False
    ys, xs = np.nonzero(cv2.bitwise_and(near, dots))
    hit[np.unique(labels[ys, xs])] = False
    return np.where(hit[labels], 255, 0).astype(np.uint8)


def remove_rules(grey: np.ndarray, dpi: float) -> np.ndarray:
    """``grey`` with rules, box edges and dotted leaders painted paper-white."""
    ink = binary(grey)
    mask = cv2.bitwise_or(line_mask(ink, dpi), leader_mask(ink, dpi))
    if not mask.any():
        return grey
    # The anti-aliased rim of a stroke goes too; the 3×3 growth is thinner than any glyph stroke.
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    out = grey.copy()
    out[mask > 0] = 255
    return out
