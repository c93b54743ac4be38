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

from dataclasses import dataclass

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


def vertical_strokes(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Pixels of vertical strokes long enough to be rules or box edges."""
    v_len = max(10, round(V_LINE_IN * dpi))
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))


def line_mask(ink: np.ndarray, dpi: float, vertical: np.ndarray | None = None) -> np.ndarray:
    """Pixels of straight horizontal and vertical strokes long enough to be rules or box edges."""
    h_len = max(15, round(H_LINE_IN * dpi))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1)))
    return cv2.bitwise_or(horizontal, vertical_strokes(ink, dpi) if vertical is None else vertical)


def leader_mask(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Pixels of dots that stand in a horizontal row long enough to be a fill-in line.

    The pixel work runs only in the bands of rows where the dots' bounding boxes could chain
    into such a row (``_run_bands``); every step in a band gives exactly what it gives on the
    whole page, so the mask is the same, at a fraction of the cost on pages with few or no
    fill-in lines (this step had been a sixth of a page's CPU time).
    """
    dot = max(2, round(DOT_MAX_IN * dpi))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    out = np.zeros_like(ink)
    if count <= 1:
        return out
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    # A dot, or a run of dots that touch (a leader enlarged from a low-resolution render): thin.
    small = (h <= dot) & ((w <= dot) | (w >= 3 * h))
    small[0] = False
    gap = max(3, round(DOT_GAP_IN * dpi))
    run = max(gap * 2, round(LEADER_MIN_IN * dpi))
    reach = max(3, round(DOT_GAP_IN * dpi))
    close = cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1))
    opening = cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1))
    column = cv2.getStructuringElement(cv2.MORPH_RECT, (1, 2 * reach + 1))
    hit = np.zeros(count, dtype=bool)
    kept = np.zeros(count, dtype=bool)
    cores = _row_spans(_run_bands(stats[small], dot, gap, run), dot, ink.shape[0], 2 * reach)
    for y0, y1 in cores:
        # The core rows hold every dot that can lie on a run; the margin gives the glyphs
        # within ``reach`` above and below them.
        e0, e1 = max(0, y0 - reach), min(ink.shape[0], y1 + reach)
        lab = labels[e0:e1]
        dots = _paint(small, lab)
        # Horizontal closing and opening see one row at a time: exact on any band of rows.
        runs = cv2.morphologyEx(cv2.morphologyEx(dots, cv2.MORPH_CLOSE, close), cv2.MORPH_OPEN, opening)
        on_run = cv2.bitwise_and(runs, dots)
        if not on_run.any():
            continue
        # A dot belongs to a leader when the long run covers it.
        hit[np.unique(lab[on_run > 0])] = True
        # A dot just under or over a letter is its diacritic (the dot of "ộ" sits on the leader's
        # line): dots with a glyph within 0.06 in straight above or below are kept.
        near = cv2.dilate(cv2.bitwise_and(ink[e0:e1], cv2.bitwise_not(dots)), column)
        core = slice(y0 - e0, y1 - e0)
        kept[np.unique(lab[core][cv2.bitwise_and(near[core], dots[core]) > 0])] = True
    hit[0] = False
    hit &= ~kept
    if hit.any():
        for y0, y1 in cores:
            out[y0:y1] = _paint(hit, labels[y0:y1])
    return out


def _run_bands(boxes: np.ndarray, dot: int, gap: int, run: int) -> np.ndarray:
    """Bands of ``dot`` rows (band ``b`` is rows ``b * dot`` to ``b * dot + dot - 1``) where
    some dots' bounding boxes chain into a horizontal run of ``run`` pixels.

    A necessary condition for the closing and opening in ``leader_mask`` to keep a pixel of a
    row: the dots crossing that row all touch its band, boxes cover their pixels, and the slack
    (gaps up to ``gap``, ``2 * gap`` at the ends) covers the morphology's borders.
    """
    if len(boxes) == 0:
        return np.zeros(0, dtype=np.int64)
    left = boxes[:, cv2.CC_STAT_LEFT].astype(np.int64)
    right = left + boxes[:, cv2.CC_STAT_WIDTH]
    top = boxes[:, cv2.CC_STAT_TOP].astype(np.int64)
    bottom = top + boxes[:, cv2.CC_STAT_HEIGHT] - 1
    # Each box in every band it touches (at most two: no dot is taller than a band).
    first, last = top // dot, bottom // dot
    two = last != first
    band = np.concatenate([first, last[two]])
    lo = np.concatenate([left, left[two]])
    hi = np.concatenate([right, right[two]])
    # Bands laid end to end on one axis, far enough apart never to chain across.
    stride = int(hi.max()) + 4 * gap + run
    lo, hi = lo + band * stride, hi + band * stride
    order = np.argsort(lo, kind="stable")
    lo, hi = lo[order], hi[order]
    reach = np.maximum.accumulate(hi)
    starts = np.flatnonzero(np.concatenate([[True], lo[1:] - reach[:-1] > gap]))
    begin = lo[starts]
    end = np.maximum.reduceat(hi, starts)
    return np.unique(begin[end - begin + 2 * gap >= run] // stride)


def _row_spans(bands: np.ndarray, dot: int, height: int, merge: int) -> list[tuple[int, int]]:
    """Row ranges holding every dot that touches one of ``bands`` (a dot is at most ``dot``
    rows tall), ranges closer than ``merge`` rows joined."""
    spans: list[tuple[int, int]] = []
    for b in bands.tolist():
        y0, y1 = max(0, b * dot - dot), min(height, b * dot + 2 * dot)
        if spans and y0 <= spans[-1][1] + merge:
            spans[-1] = (spans[-1][0], max(spans[-1][1], y1))
        else:
            spans.append((y0, y1))
    return spans


def _paint(chosen: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """255 where the pixel's component is chosen, else 0."""
    return np.take(np.where(chosen, 255, 0).astype(np.uint8), labels)


@dataclass(frozen=True)
class Unruled:
    """The OCR copy without rules, and the vertical strokes of the page before (where
    ``ocr.boxes`` looks for character boxes: found once, used twice)."""

    grey: np.ndarray
    vertical: np.ndarray


def lift_rules(grey: np.ndarray, dpi: float) -> Unruled:
    """``grey`` with rules, box edges and dotted leaders painted paper-white."""
    ink = binary(grey)
    vertical = vertical_strokes(ink, dpi)
    mask = cv2.bitwise_or(line_mask(ink, dpi, vertical), leader_mask(ink, dpi))
    if not mask.any():
        return Unruled(grey, vertical)
    # The anti-aliased rim of a stroke goes too; the 3×3 growth is thinner than any glyph stroke.
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    # The mask is 0 or 255: paper-white where set, else the pixel.
    return Unruled(np.maximum(grey, mask), vertical)


def remove_rules(grey: np.ndarray, dpi: float) -> np.ndarray:
    """``grey`` with rules, box edges and dotted leaders painted paper-white."""
    return lift_rules(grey, dpi).grey
