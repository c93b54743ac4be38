"""A second reading of values written one character per printed box (Mẫu CT01's 12-digit id).

With the box edges lifted (``ocr.preprocess.rules``) the digits stand a box width apart, and
Tesseract's line model, seeing a wide gap after each glyph, drops or repeats digits. The boxes
themselves are found from their vertical edges (a row of equally spaced strokes of one height);
each box's inside is cut out, the cuts are set side by side at ordinary letter spacing and read
once as one line of digits. The reading replaces the words that overlapped the row only when it
has exactly one digit per box that holds ink.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from ocr.models import Box, Line, Word
from ocr.preprocess.rules import binary, vertical_strokes

MIN_CELLS = 8  # a personal id has 12 boxes; shorter rows are tables, not character boxes
MAX_BOX_IN = 0.5  # widest box (a character box is ~0.25 in)


@dataclass(frozen=True)
class BoxRow:
    top: int
    bottom: int
    edges: tuple[int, ...]  # x of each vertical edge, left to right

    @property
    def box(self) -> Box:
        return Box(self.edges[0], self.top, self.edges[-1] - self.edges[0], self.bottom - self.top)


def find_box_rows(grey: np.ndarray, dpi: float, vertical: np.ndarray | None = None) -> list[BoxRow]:
    """Rows of at least ``MIN_CELLS`` equally wide boxes whose edges share top and bottom;
    ``vertical``: the page's vertical strokes when the rule removal found them already."""
    if vertical is None:
        vertical = vertical_strokes(binary(grey), dpi)
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(vertical, connectivity=8)
    strokes = sorted(
        (int(stats[i, cv2.CC_STAT_LEFT]), int(stats[i, cv2.CC_STAT_TOP]),
         int(stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT]))
        for i in range(1, count) if stats[i, cv2.CC_STAT_HEIGHT] <= 0.6 * dpi
    )
    tol = max(3, round(0.02 * dpi))
    rows: list[BoxRow] = []
    used: set[int] = set()
    for i, (_x, top, bottom) in enumerate(strokes):
        if i in used:
            continue
        same = [j for j, (_, t, b) in enumerate(strokes) if abs(t - top) <= tol and abs(b - bottom) <= tol]
        xs = sorted({strokes[j][0] for j in same})
        used.update(same)
        run: list[int] = []
        for x in xs:
            if run and x - run[-1] < 0.08 * dpi:
                continue  # the two sides of one thick edge
            if len(run) >= 2 and abs((x - run[-1]) - (run[1] - run[0])) > 0.25 * (run[1] - run[0]):
                if len(run) - 1 >= MIN_CELLS:
                    rows.append(BoxRow(top, bottom, tuple(run)))
                run = [run[-1]] if x - run[-1] <= MAX_BOX_IN * dpi else []
            run.append(x)
        if len(run) - 1 >= MIN_CELLS:
            rows.append(BoxRow(top, bottom, tuple(run)))
    return rows


def _strip(grey: np.ndarray, row: BoxRow, dpi: float) -> tuple[np.ndarray, int]:
    """The insides of the row's boxes side by side, and how many of them hold ink."""
    inset = max(3, round(0.03 * dpi))
    gap = np.full((row.bottom - row.top - 2 * inset, max(4, round(0.04 * dpi))), 255, np.uint8)
    parts: list[np.ndarray] = [gap]
    inked = 0
    for x0, x1 in zip(row.edges, row.edges[1:], strict=False):
        cell = grey[row.top + inset : row.bottom - inset, x0 + inset : x1 - inset]
        if cell.size == 0 or cell.shape[0] != gap.shape[0]:
            continue
        ink = cell < 128
        if ink.sum() < 0.01 * cell.size:
            continue  # an empty box
        cols = np.nonzero(ink.any(axis=0))[0]
        parts += [cell[:, cols[0] : cols[-1] + 1], gap]
        inked += 1
    strip = np.hstack(parts)
    return cv2.copyMakeBorder(strip, inset, inset, 10, 10, cv2.BORDER_CONSTANT, value=255), inked


def read_row(grey: np.ndarray, row: BoxRow, dpi: float, workdir: Path, timeout: float = 20.0
             ) -> tuple[str, float] | None:
    """(digits, confidence) of a box row, or None when it is empty or not one digit per box."""
    strip, inked = _strip(grey, row, dpi)
    if inked < MIN_CELLS:
        return None
    path = workdir / f"boxes-{os.getpid()}-{row.top}-{row.edges[0]}.png"
    cv2.imwrite(str(path), strip)
    try:
        result = subprocess.run(
            ["tesseract", str(path), "-", "-l", "eng", "--psm", "7", "--dpi", str(round(dpi)),
             "-c", "tessedit_char_whitelist=0123456789", "tsv"],
            capture_output=True, text=True, timeout=timeout, env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    except (subprocess.TimeoutExpired, OSError):
        return None
    finally:
        path.unlink(missing_ok=True)
    if result.returncode != 0:
        return None
    words = [r for r in csv.DictReader(io.StringIO(result.stdout), delimiter="\t", quoting=csv.QUOTE_NONE)
             if r.get("text", "").strip() and float(r.get("conf", -1)) >= 0]
    digits = "".join(r["text"].strip() for r in words)
    if len(digits) != inked or not digits.isdigit():
        return None
    return digits, min(float(r["conf"]) for r in words) / 100.0


def reread_boxes(
    ruled: np.ndarray, grey: np.ndarray, dpi: float, lines: list[Line], workdir: Path,
    vertical: np.ndarray | None = None,
) -> list[Line]:
    """``lines`` with the words over each readable box row replaced by the row's digits; the
    rows are found on ``ruled`` (the page with its box edges; ``vertical``, its vertical strokes,
    if known), read on ``grey`` (without)."""
    rows = find_box_rows(ruled, dpi, vertical)
    if not rows:
        return lines
    out = list(lines)
    for row in rows:
        read = None
        for n, line in enumerate(out):
            b = line.box
            if b.top > row.bottom or b.top + b.height < row.top:
                continue
            inside = [w for w in line.words
                      if w.box.left + w.box.width > row.edges[0] and w.box.left < row.edges[-1]]
            if not inside:
                continue
            read = read or read_row(grey, row, dpi, workdir)
            if read is None:
                break
            digits, conf = read
            before = [w for w in line.words if w.box.left + w.box.width <= row.edges[0]]
            after = [w for w in line.words if w.box.left >= row.edges[-1]]
            words = (*before, Word(digits, conf, row.box), *after)
            out[n] = replace(line, text=" ".join(w.text for w in words), words=words)
            break
    return out


def boxed_words(before: list[Line], after: list[Line]) -> frozenset[Box]:
    """Boxes of the words :func:`reread_boxes` put in (``before`` its input, ``after`` its
    output): values already read a second time, box by box."""
    old = {w.box for line in before for w in line.words}
    return frozenset(w.box for line in after for w in line.words if w.box not in old)
