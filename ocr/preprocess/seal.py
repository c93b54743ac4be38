"""Red seal ink removal: in the red channel red ink is as light as paper, black text stays dark.

Only pixels that are clearly red (hue near 0°, saturated) take their red-channel value, so blue
signatures and black text keep their normal grey level.
"""

from __future__ import annotations

import cv2
import numpy as np


def red_mask(rgb: np.ndarray) -> np.ndarray:
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    hue, sat, val = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    red = ((hue <= 12) | (hue >= 165)) & (sat >= 70) & (val >= 70)
    return red.astype(np.uint8)


def keep_red_text(mask: np.ndarray, dpi: float) -> np.ndarray:
    """``mask`` without red regions shaped like printed text lines (a land certificate prints
    its serial number in red): only round, seal-sized red regions are lifted.

    The words of a line are joined across their spaces first (a wide, low kernel): judged one by
    one, a short word ("DB" of "DB 864821") is as high as it is wide and was lifted as a seal."""
    merge = max(3, int(0.06 * dpi) | 1)
    join = max(merge, int(0.2 * dpi) | 1)  # wider than a word space, narrower than a column gap
    blobs = cv2.dilate(mask, np.ones((merge, join), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    text_like = np.zeros(count, dtype=bool)
    for i in range(1, count):
        w, h = int(stats[i, cv2.CC_STAT_WIDTH]), int(stats[i, cv2.CC_STAT_HEIGHT])
        text_like[i] = h <= 0.5 * dpi and w >= 2.5 * h
    if not text_like.any():
        return mask
    out = mask.copy()
    out[text_like[labels]] = 0
    return out


def drop_red_ink(rgb: np.ndarray, dpi: float = 300.0) -> tuple[np.ndarray, float]:
    """Grey image with red seal ink lifted out, and the fraction of the page that was red."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    mask = red_mask(rgb)
    fraction = float(mask.mean())
    if fraction < 1e-4:
        return grey, fraction
    mask = keep_red_text(mask, dpi)
    # Grow the mask a little so the anti-aliased rim of the seal strokes goes too.
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    out = grey.copy()
    red_channel = rgb[:, :, 0]
    out[mask > 0] = np.maximum(grey[mask > 0], red_channel[mask > 0])
    return out, fraction
