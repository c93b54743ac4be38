"""Resolution guessing for images that carry no (or a meaningless) DPI.

Phones and some scanner drivers write 72 dpi or nothing. The page's physical size is then
guessed from its proportions against the papers a commune scans: A4/A5 (same ratio, told apart
by text size) and the ID card (ISO/IEC 7810 ID-1).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

# long side, short side in inches
A4 = (11.69, 8.27)
A5 = (8.27, 5.83)
ID_CARD = (3.370, 2.125)
LETTER = (11.0, 8.5)

TYPICAL_DPI = 300.0
# Median glyph height of body text (13–14 pt as Decree 30 prescribes; ~0.5 em) in inches.
GLYPH_INCH = 0.09


def usable_dpi(value: float | None) -> bool:
    """False for missing, default (72/96) or absurd resolutions."""
    return value is not None and 100.0 <= value <= 2400.0


def estimate_dpi(width: int, height: int, grey: np.ndarray | None = None) -> float:
    """Best guess of the resolution of a ``width`` x ``height`` page scan.

    Among papers whose proportions fit within 6 %, the one whose implied resolution puts the
    median glyph height (when ``grey`` is given) or the resolution itself closest to typical wins.
    """
    long_px, short_px = max(width, height), min(width, height)
    ratio = long_px / max(short_px, 1)
    fitting = [p for p in (A4, A5, ID_CARD, LETTER) if abs(ratio / (p[0] / p[1]) - 1) < 0.06]
    if not fitting:
        # Unknown proportions (a crop, a strip): assume the short side is an A4 width.
        return _clamp(short_px / A4[1])
    candidates = [_clamp(long_px / p[0]) for p in fitting]
    glyph = _glyph_height_px(grey) if grey is not None and len(candidates) > 1 else None
    if glyph:
        return min(candidates, key=lambda d: abs(math.log(glyph / d / GLYPH_INCH)))
    return min(candidates, key=lambda d: abs(math.log(d / TYPICAL_DPI)))


def _clamp(dpi: float) -> float:
    return float(min(max(dpi, 50.0), 1200.0))


def _glyph_height_px(grey: np.ndarray) -> float | None:
    """Median height of character-like ink blobs, or None when there are too few."""
    binary = (grey < 128).astype(np.uint8)
    _n, _labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (heights >= 3) & (widths >= 2) & (heights < grey.shape[0] / 10)
    if np.count_nonzero(keep) < 20:
        return None
    return float(np.median(heights[keep]))
