"""Scanner grain and dust removal, after the light has been flattened.

Paper grain left after normalisation sits in the light greys and dust is made of tiny isolated
specks; both can make Tesseract split a line or invent a character. Light greys become paper,
and dark blobs far smaller than a full stop are erased.
"""

from __future__ import annotations

import cv2
import numpy as np

PAPER_LEVEL = 215  # at and above: paper after light normalisation
SPECK_INCH = 0.012  # a full stop at 10 pt is ~0.02 in across


def whiten_paper(grey: np.ndarray) -> np.ndarray:
    lut = np.arange(256, dtype=np.float32) * 255.0 / PAPER_LEVEL
    return cv2.LUT(grey, np.clip(lut, 0, 255).astype(np.uint8))


def remove_specks(grey: np.ndarray, dpi: float) -> np.ndarray:
    binary = (grey < 160).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if count <= 1:
        return grey
    max_area = max(2, int((SPECK_INCH * dpi) ** 2))
    small = np.zeros(count, dtype=bool)
    small[1:] = stats[1:, cv2.CC_STAT_AREA] <= max_area
    if not small.any():
        return grey
    out = grey.copy()
    out[small[labels]] = 255
    return out


def denoise(grey: np.ndarray, dpi: float) -> np.ndarray:
    return remove_specks(whiten_paper(grey), dpi)
