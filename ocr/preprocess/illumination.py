"""Flattening uneven light (lifted lid, shadows) and stretching faint toner.

The paper's brightness is estimated by a large median filter on a downscaled copy (text strokes
are thin, so they vanish from it); dividing by it leaves ink on an even white background.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr.preprocess.common import downscale


def normalise_light(grey: np.ndarray, dpi: float) -> np.ndarray:
    small, factor = downscale(grey, dpi, 50.0)
    # ~0.5 inch window: wider than any glyph, narrower than the light gradient.
    k = max(3, int(0.5 * dpi * factor) | 1)
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    background = cv2.medianBlur(closed, k if k <= 255 else 255)
    background = cv2.resize(background, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(grey, np.maximum(background, 1), scale=255)
    return stretch_contrast(flat)


def stretch_contrast(grey: np.ndarray) -> np.ndarray:
    """Map the darkest ink to black: faint toner gains contrast, white stays white."""
    sample = grey[::4, ::4]
    dark = float(np.percentile(sample, 0.5))
    if dark >= 200 or dark <= 5:
        return grey
    scale = 255.0 / (255.0 - dark)
    lut = np.clip((np.arange(256, dtype=np.float32) - dark) * scale, 0, 255).astype(np.uint8)
    return cv2.LUT(grey, lut)
