"""Seal removal on grey scans, where colour cannot tell the seal from the text.

A commune seal is a ring about 3–4.5 cm across, printed lighter than toner. Rings are found by
the Hough transform on a 50-dpi copy; inside each, the pixels split into three grey levels
(text, seal, paper) by a two-threshold Otsu, and the middle level is lifted to paper. Nothing
is touched when the levels are not clearly separate (a faint-toner page whose text is as light
as the seal).
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr.preprocess.common import downscale

RADIUS_IN = (0.45, 1.0)
MIN_LEVEL_GAP = 45  # grey levels between the text's and the seal's means


def _two_thresholds(values: np.ndarray) -> tuple[int, int, float]:
    """Otsu with two thresholds (three classes) over uint8 ``values``; returns (t1, t2, score)."""
    hist = np.bincount(values.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256, dtype=np.float64)
    w = np.cumsum(hist)
    m = np.cumsum(hist * levels)
    total_w, total_m = w[-1], m[-1]
    best = (0, 0, -1.0)
    for t1 in range(8, 240, 2):
        w0, m0 = w[t1], m[t1]
        if w0 == 0:
            continue
        t2 = np.arange(t1 + 4, 250, 2)
        w1 = w[t2] - w0
        m1 = m[t2] - m0
        w2 = total_w - w[t2]
        m2 = total_m - m[t2]
        ok = (w1 > 0) & (w2 > 0)
        if not np.any(ok):
            continue
        between = m0 * m0 / w0 + np.where(ok, m1 * m1 / np.maximum(w1, 1) + m2 * m2 / np.maximum(w2, 1), 0)
        k = int(np.argmax(between))
        if between[k] > best[2]:
            best = (t1, int(t2[k]), float(between[k]))
    return best


def find_rings(grey: np.ndarray, dpi: float) -> list[tuple[int, int, int]]:
    """Circles of seal size as (x, y, r) in full-resolution pixels."""
    small, factor = downscale(grey, dpi, 50.0)
    ppi = dpi * factor
    blurred = cv2.GaussianBlur(small, (3, 3), 0)
    circles = cv2.HoughCircles(
        blurred, cv2.HOUGH_GRADIENT, dp=1, minDist=ppi,
        param1=80, param2=22, minRadius=int(RADIUS_IN[0] * ppi), maxRadius=int(RADIUS_IN[1] * ppi),
    )
    if circles is None:
        return []
    return [(int(x / factor), int(y / factor), int(r / factor)) for x, y, r in circles[0][:4]]


def lift_grey_seals(grey: np.ndarray, dpi: float) -> tuple[np.ndarray, int]:
    """``grey`` with seal rings lifted to paper, and how many seals were lifted."""
    lifted = 0
    out = grey
    h, w = grey.shape
    for x, y, r in find_rings(grey, dpi):
        r_out = int(r * 1.08)
        x0, y0, x1, y1 = max(0, x - r_out), max(0, y - r_out), min(w, x + r_out), min(h, y + r_out)
        region = out[y0:y1, x0:x1]
        yy, xx = np.ogrid[y0:y1, x0:x1]
        disc = (xx - x) ** 2 + (yy - y) ** 2 <= r_out * r_out
        marked = region[disc & (region < 235)]
        if marked.size < 500:
            continue
        t1, t2, _ = _two_thresholds(marked)
        dark, mid = marked[marked <= t1], marked[(marked > t1) & (marked <= t2)]
        if dark.size < 50 or mid.size < 200 or float(mid.mean()) - float(dark.mean()) < MIN_LEVEL_GAP:
            continue
        # The ring itself must be mid-grey: sample its circumference.
        angles = np.linspace(0, 2 * np.pi, 180, endpoint=False)
        ring_hits = 0
        for dr in (-0.04, -0.02, 0.0, 0.02, 0.04):
            rx = (x + r * (1 + dr) * np.cos(angles)).astype(int).clip(0, w - 1)
            ry = (y + r * (1 + dr) * np.sin(angles)).astype(int).clip(0, h - 1)
            on = (out[ry, rx] > t1) & (out[ry, rx] <= t2 + 10)
            ring_hits = max(ring_hits, int(on.sum()))
        if ring_hits < 0.3 * len(angles):
            continue
        if out is grey:
            out = grey.copy()
            region = out[y0:y1, x0:x1]
        lift = disc & (region > t1)
        region[lift] = 255
        lifted += 1
    return out, lifted
