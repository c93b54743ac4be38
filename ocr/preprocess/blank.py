"""Blank-page detection: a page without text-like ink is kept in the record but not OCR'd."""

from __future__ import annotations

import cv2
import numpy as np

from ocr.preprocess.common import downscale


def is_blank(grey: np.ndarray, dpi: float) -> bool:
    """True when no connected ink blob looks like a character (speckle and edges ignored)."""
    small, factor = downscale(grey, dpi, 100.0)
    h, w = small.shape
    # Scanner edges and punched holes live at the border: ignore a 4 % margin.
    my, mx = int(h * 0.04), int(w * 0.04)
    inner = small[my : h - my, mx : w - mx]
    binary = (inner < 160).astype(np.uint8)
    if binary.mean() < 0.00002:
        return True
    _count, _labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    scale = 100.0 / (dpi * factor) if dpi else 1.0
    heights = stats[1:, cv2.CC_STAT_HEIGHT] * scale
    widths = stats[1:, cv2.CC_STAT_WIDTH] * scale
    # Characters of 6–40 pt at 100 dpi: 4..60 px tall, not hair-thin lines.
    glyphs = (heights >= 4) & (heights <= 60) & (widths >= 1) & (widths <= 80)
    return int(np.count_nonzero(glyphs)) < 5
