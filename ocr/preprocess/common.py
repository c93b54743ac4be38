"""Small helpers shared by the cleaning steps."""

from __future__ import annotations

import cv2
import numpy as np

WORK_DPI = 100.0  # analysis (not OCR) runs on a copy at this resolution: fast and sufficient


def to_grey(pixels: np.ndarray) -> np.ndarray:
    if pixels.ndim == 2:
        return pixels
    return cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)


def downscale(grey: np.ndarray, dpi: float, target_dpi: float = WORK_DPI) -> tuple[np.ndarray, float]:
    """A copy at ``target_dpi`` (never upscaled) and the factor applied."""
    factor = min(1.0, target_dpi / max(dpi, 1.0))
    if factor >= 0.999:
        return grey, 1.0
    size = (max(1, round(grey.shape[1] * factor)), max(1, round(grey.shape[0] * factor)))
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA), factor


def ink_mask(grey: np.ndarray) -> np.ndarray:
    """Binary ink (1) / paper (0) by Otsu, guarded against a page that is all paper."""
    threshold, binary = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if threshold > 245 or threshold < 10:
        return np.zeros_like(grey, dtype=np.uint8)
    return binary


def rotate(pixels: np.ndarray, degrees_ccw: float, fill: int = 255, expand: bool = True) -> np.ndarray:
    """Rotate counter-clockwise by any angle; ``expand`` grows the canvas so no corner is cut,
    otherwise the size is kept (deskew: the paper keeps its physical size)."""
    h, w = pixels.shape[:2]
    quarter = round(degrees_ccw / 90.0) * 90
    if abs(degrees_ccw - quarter) < 1e-6:
        k = (quarter // 90) % 4
        return np.ascontiguousarray(np.rot90(pixels, k)) if k else pixels
    centre = (w / 2.0, h / 2.0)
    matrix = cv2.getRotationMatrix2D(centre, degrees_ccw, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = (int(h * sin + w * cos + 0.5), int(h * cos + w * sin + 0.5)) if expand else (w, h)
    matrix[0, 2] += new_w / 2.0 - centre[0]
    matrix[1, 2] += new_h / 2.0 - centre[1]
    border = (fill, fill, fill) if pixels.ndim == 3 else fill
    return cv2.warpAffine(
        pixels, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
        borderValue=border,
    )
