"""Skew angle by projection-profile search: text lines give the sharpest row profile when the
projection direction matches their slope. Works on ink points of a 100-dpi copy, so each angle
tried is one ``bincount`` rather than one image rotation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ocr.preprocess.common import downscale, ink_mask

MAX_SKEW = 10.0


@dataclass(frozen=True)
class LineFit:
    angle: float  # degrees, positive: lines descend to the right
    sharpness: float  # profile energy at that angle, normalised (1.0 = no structure)
    gain: float  # sharpness at ``angle`` over sharpness at 0°


def ink_points(grey: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    small, _factor = downscale(grey, dpi, 100.0)
    ys, xs = np.nonzero(ink_mask(small))
    if len(xs) > 150_000:
        pick = np.random.default_rng(0).choice(len(xs), 150_000, replace=False)
        xs, ys = xs[pick], ys[pick]
    return xs, ys


def fit_lines(xs: np.ndarray, ys: np.ndarray, max_angle: float = MAX_SKEW) -> LineFit:
    """Best slope for lines running along x, by coarse-to-fine search."""
    if len(xs) < 200:
        return LineFit(0.0, 1.0, 1.0)
    xf = xs.astype(np.float64) - (xs.max() + xs.min()) / 2.0
    yf = ys.astype(np.float64)
    n = float(len(xf))

    def score(angle: float) -> float:
        rows = yf - xf * np.tan(np.radians(angle))
        hist = np.bincount((rows - rows.min()).astype(np.int64))
        return float(np.dot(hist, hist)) * len(hist) / (n * n)

    coarse = np.arange(-max_angle, max_angle + 1e-9, 0.5)
    best = float(max(coarse, key=score))
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    best = float(max(fine, key=score))
    at_zero = score(0.0)
    return LineFit(round(best, 2), score(best), score(best) / at_zero if at_zero > 0 else 1.0)


def detect_skew(grey: np.ndarray, dpi: float, max_angle: float = MAX_SKEW) -> float:
    """Angle in degrees (positive: lines descend to the right) of the page's text lines."""
    xs, ys = ink_points(grey, dpi)
    fit = fit_lines(xs, ys, max_angle)
    # No clear winner (no text lines, e.g. a photo): leave the page alone.
    if fit.gain < 1.02:
        return 0.0
    return fit.angle
