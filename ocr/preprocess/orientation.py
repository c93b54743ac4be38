"""Page orientation (0/90/180/270).

Cheap tests first: text lines run along the axis whose (skew-searched) projection profile is
sharpest (0/180 vs 90/270), and upright Latin text carries more ink above its x-height band
(capitals, ascenders, Vietnamese tone marks) than below it (descenders). Tesseract's OSD, about
a second a page, is asked only when the up/down test is not clear.
"""

from __future__ import annotations

import os
import subprocess

import cv2
import numpy as np

from ocr.preprocess.common import downscale, ink_mask
from ocr.preprocess.deskew import fit_lines, ink_points
from ocr.tesseract import TESSERACT

CLEAR_UPRIGHT = 0.15  # relative above/below ink asymmetry above which up is taken as known
SMALL_PAGE_SQIN = 30.0  # cards: photo, emblem and few lines fool the ink test; OSD is cheap there


def merge_ratio(binary: np.ndarray, ppi: float) -> float:
    """> 1 when glyphs sit side by side (horizontal lines), < 1 when stacked (vertical lines).

    Smearing ink along the text direction by less than a line gap fuses characters into words
    and lines; smearing across it leaves lines apart. The side that fuses more is the text
    direction. Robust on sparse pages, where a few short lines give weak projection profiles.
    """
    k = max(3, int(0.08 * ppi))
    counts = []
    for kernel in (np.ones((1, k), np.uint8), np.ones((k, 1), np.uint8)):
        n, _labels = cv2.connectedComponents(cv2.dilate(binary, kernel), connectivity=8)
        counts.append(max(1, n - 1))
    across_h, across_v = counts
    return across_v / across_h


def lines_are_vertical(grey: np.ndarray, dpi: float) -> bool:
    """True when the text lines run top to bottom (page turned by 90° or 270°)."""
    small, factor = downscale(grey, dpi, 100.0)
    binary = ink_mask(small)
    if int(binary.sum()) < 200:
        return False
    ratio = merge_ratio(binary, dpi * factor)
    if ratio >= 1.4:
        return False
    if ratio <= 1 / 1.4:
        return True
    xs, ys = ink_points(grey, dpi)
    horizontal = fit_lines(xs, ys).sharpness
    vertical = fit_lines(ys, xs).sharpness
    return vertical > horizontal * 1.1


def upright_score(binary: np.ndarray) -> float:
    """> 0 when horizontal text is upright, < 0 when upside down; near 0 when unsure."""
    profile = binary.sum(axis=1).astype(np.float64)
    if profile.max() <= 0:
        return 0.0
    above = below = 0.0
    in_line = profile > 0.05 * profile.max()
    start = None
    for y, on in enumerate(np.append(in_line, False)):
        if on and start is None:
            start = y
        elif not on and start is not None:
            band = profile[start:y]
            if len(band) >= 4:
                core = np.nonzero(band >= 0.5 * band.max())[0]
                top, bottom = core[0], core[-1]
                above += float(band[:top].sum())
                below += float(band[bottom + 1 :].sum())
            start = None
    total = above + below
    return (above - below) / total if total > 0 else 0.0


def upside_down(grey: np.ndarray, dpi: float, use_osd: bool = True) -> tuple[bool, bool]:
    """For a page with horizontal, straightened lines: (is it upside down, was OSD used).

    On full pages the ink test decides when clear. On cards (photo, emblem, MRZ) it is often
    wrong, so OSD decides there, but only when it recognised Latin script: an OSD that thinks
    the card is Bengali is guessing, and the ink test is the better guess.
    """
    small, _ = downscale(grey, dpi, 100.0)
    binary = ink_mask(small)
    score = upright_score(binary)
    small_page = grey.shape[0] * grey.shape[1] / (dpi * dpi) < SMALL_PAGE_SQIN
    if (abs(score) >= CLEAR_UPRIGHT and not small_page) or not use_osd:
        return score < 0, False
    osd = osd_rotation(grey, dpi, 300.0 if small_page else 150.0)
    if osd is None:
        return (score <= -CLEAR_UPRIGHT), True
    return osd == 180, True


def osd_rotation(grey: np.ndarray, dpi: float, at_dpi: float = 150.0) -> int | None:
    """Tesseract's orientation detection on a copy at ``at_dpi``; None when it cannot tell.

    A full page is read at 150 dpi (half the time, same answer); a card's small print needs
    300 dpi, where at 150 OSD confidently answers wrong.
    """
    factor = at_dpi / dpi
    if factor < 0.95:
        small = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    elif factor > 1.05:
        small = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    else:
        small, factor = grey, 1.0
    small = cv2.copyMakeBorder(small, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
    osd = tesseract_osd(small, round(dpi * factor))
    if osd is None:
        return None
    try:
        confidence, rotate = float(osd.get("Orientation confidence", "0")), int(osd.get("Rotate", "0"))
    except ValueError:
        return None
    if confidence < 1.5 or osd.get("Script") not in ("Latin", "Vietnamese"):
        return None
    return rotate % 360


def tesseract_osd(grey: np.ndarray, dpi: int, timeout: float = 30.0) -> dict[str, str] | None:
    """Tesseract's OSD report (``Rotate``, ``Orientation confidence``, ``Script``...), None on failure.

    The pixels go in on stdin as uncompressed PGM: pytesseract wrote a PNG at zlib's default
    level first, which took a quarter of a second of the page's CPU for a card at 300 dpi. One
    OpenMP thread, like every other Tesseract run: pages run in parallel, one per core.
    """
    ok, pgm = cv2.imencode(".pgm", grey)
    if not ok:
        return None
    try:
        done = subprocess.run(
            [TESSERACT, "stdin", "stdout", "-l", "osd", "--dpi", str(dpi), "--psm", "0"],
            input=pgm.tobytes(), capture_output=True, timeout=timeout, check=False,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    except (subprocess.TimeoutExpired, OSError):
        return None
    if done.returncode != 0:
        return None
    report = {}
    for line in done.stdout.decode(errors="replace").splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            report[key.strip()] = value.strip()
    return report
