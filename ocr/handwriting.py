"""Which OCR'd words look handwritten: a value written by hand is read far less reliably, so the
documents stage sends it to review whatever Tesseract's confidence says.

A typeface puts every glyph on one baseline and gives every digit one height; a pen does not.
Per word (or per run of one- and two-character words, as digits written one per box are read),
the letter-sized connected components of the word's ink are measured:

* baseline jitter: mean distance of the glyph bottoms from their median, descenders left out,
  over the median glyph height;
* digit height spread (digit-only groups): median distance of the heights from their median,
  over the median height.

A group with fewer than three glyphs cannot be judged and is left unmarked. Joined-up cursive
(one component per word) is not detected: this is a detector for printed-by-hand values.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np

from ocr.models import Line, Word

JITTER = 0.045  # baseline jitter above this (share of glyph height) is handwriting
DIGIT_SPREAD = 0.03  # digit height spread (beyond a pixel of rounding) above this is handwriting
MIN_GLYPHS = 3


def _ink(grey: np.ndarray) -> np.ndarray:
    block = max(15, (min(grey.shape[:2]) // 40) | 1)
    return cv2.adaptiveThreshold(grey, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


_BELOW = frozenset("gjpqyQ()[]{}|/")  # glyphs that hang below the baseline by design
_MAYBE_BELOW = frozenset(",;\u0323")  # a comma, or a dot below that blur joined to its letter


def _glyphs(ink: np.ndarray, word: Word) -> list[tuple[int, int]]:
    """(bottom, height) in page pixels of the glyph bodies of ``word`` that sit on its baseline.

    Components under half the tallest are diacritics, dots or commas; as many of the lowest
    components as the word's text has descenders (g, p, y, brackets...) are left out.
    """
    box = word.box
    pad = max(2, box.height // 6)
    top, left = max(0, box.top - pad), max(0, box.left)
    crop = ink[top : box.top + box.height + pad, left : box.left + box.width]
    if crop.size == 0:
        return []
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(crop, connectivity=8)
    rows = crop.shape[0]
    comps = [(int(stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT]) + top,
              int(stats[i, cv2.CC_STAT_HEIGHT]))
             for i in range(1, count)
             if stats[i, cv2.CC_STAT_AREA] >= 6 and stats[i, cv2.CC_STAT_TOP] > 0
             and stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT] < rows]  # not a neighbour line's
    if not comps:
        return []
    tallest = max(h for _, h in comps)
    bodies = sorted((b, h) for b, h in comps if h >= 0.5 * tallest)
    letters = unicodedata.normalize("NFD", word.text)
    below = sum(1 for ch in letters if ch in _BELOW)
    bodies = bodies[: len(bodies) - below] if below else bodies
    maybe = sum(1 for ch in letters if ch in _MAYBE_BELOW)
    while maybe and len(bodies) >= 2:
        base, height = float(np.median([b for b, _ in bodies])), float(np.median([h for _, h in bodies]))
        if bodies[-1][0] - base <= 0.1 * height:
            break
        bodies.pop()
        maybe -= 1
    return bodies


def group_score(glyphs: Sequence[tuple[int, int]], digits: bool) -> float | None:
    """How far from typeset a group of glyphs is (≥ 1.0: handwritten); None when too few."""
    if len(glyphs) < MIN_GLYPHS:
        return None
    heights = np.array([h for _, h in glyphs], dtype=float)
    bottoms = np.array([b for b, _ in glyphs], dtype=float)
    height = float(np.median(heights))
    if height < 6:
        return None
    base = float(np.median(bottoms))
    # A component ending far above the baseline is stacked diacritics or a quote, not a glyph body.
    keep = bottoms >= base - 0.25 * height
    heights, bottoms = heights[keep], bottoms[keep]
    if len(bottoms) < MIN_GLYPHS:
        return None
    devs = bottoms - float(np.median(bottoms))
    score = float(np.mean(np.abs(devs))) / height / JITTER
    if digits and len(heights) > MIN_GLYPHS:
        # One pixel either way is the scan's rounding, not a pen.
        spread = max(0.0, float(np.median(np.abs(heights - height))) - 1.0) / height / DIGIT_SPREAD
        score = max(score, spread)
    return score


def _groups(words: Sequence[Word]) -> list[list[int]]:
    """Indices of words judged together: a run of short words (boxed digits) is one group."""
    out: list[list[int]] = []
    run: list[int] = []
    for i, w in enumerate(words):
        if not any(ch.isalnum() for ch in w.text):
            continue  # dashes, quotes, specks: no glyph body to measure
        if len(w.text.strip()) <= 2:
            run.append(i)
            continue
        if run:
            out.append(run)
            run = []
        out.append([i])
    if run:
        out.append(run)
    return out


def mark_handwritten(grey: np.ndarray, lines: Sequence[Line]) -> list[Line]:
    """``lines`` with ``Word.handwritten`` set on the words whose glyphs look handwritten."""
    if not lines:
        return list(lines)
    ink = _ink(grey)
    out: list[Line] = []
    for line in lines:
        words = list(line.words)
        changed = False
        for group in _groups(words):
            glyphs = [g for i in group for g in _glyphs(ink, words[i])]
            digits = all(c.isdigit() for i in group for c in words[i].text if c.isalnum())
            score = group_score(glyphs, digits)
            if score is not None and score >= 1.0:
                for i in group:
                    words[i] = replace(words[i], handwritten=True)
                changed = True
        out.append(replace(line, words=tuple(words)) if changed else line)
    return out
