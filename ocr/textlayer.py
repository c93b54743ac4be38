"""A born-digital PDF page's own text, as lines of words in the OCR image's pixels.

A signed e-document (a citizen's e-certificate, a Word-exported government letter) carries
its text; reading it (poppler's ``pdftotext -bbox-layout``) gives the exact characters where
OCR of a rendering would guess. Lines come out in the same shape as the OCR engine's, so
splitting and field extraction need not know where they came from.
"""

from __future__ import annotations

import html
import re
import subprocess
import unicodedata
from pathlib import Path

from ocr.models import Box, Line, Word

MIN_CHARS = 20  # fewer than this is a stray label on a scanned page, not a text layer
TEXT_LAYER_CONFIDENCE = 0.99

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
_BLOCK = re.compile(r"<block [^>]*>(.*?)</block>", re.S)
_LINE = re.compile(r"<line [^>]*>(.*?)</line>", re.S)
_NUM = r'"([\d.-]+)"'
_WORD = re.compile(rf"<word xMin={_NUM} yMin={_NUM} xMax={_NUM} yMax={_NUM}>([^<]*)</word>")


def text_layer_lines(pdf: Path, index: int, dpi: float, size: tuple[int, int]) -> list[Line]:
    """The text of page ``index`` (0-based) scaled to an image of ``size`` (w, h); [] if none."""
    try:
        out = subprocess.run(
            ["pdftotext", "-bbox-layout", "-f", str(index + 1), "-l", str(index + 1), str(pdf), "-"],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return []
    page = _PAGE.search(out)
    if page is None:
        return []
    sx, sy = size[0] / float(page.group(1)), size[1] / float(page.group(2))
    lines: list[Line] = []
    for block_no, block in enumerate(_BLOCK.findall(out), start=1):
        for raw in _LINE.findall(block):
            words = []
            for x0, y0, x1, y1, text in _WORD.findall(raw):
                word = unicodedata.normalize("NFC", html.unescape(text)).strip()
                if not word:
                    continue
                left, top = round(float(x0) * sx), round(float(y0) * sy)
                width, height = round(float(x1) * sx) - left, round(float(y1) * sy) - top
                box = Box(left, top, max(1, width), max(1, height))
                words.append(Word(word, TEXT_LAYER_CONFIDENCE, box))
            if not words:
                continue
            left = min(w.box.left for w in words)
            top = min(w.box.top for w in words)
            right = max(w.box.left + w.box.width for w in words)
            bottom = max(w.box.top + w.box.height for w in words)
            lines.append(
                Line(" ".join(w.text for w in words), TEXT_LAYER_CONFIDENCE,
                     Box(left, top, right - left, bottom - top), tuple(words), block=block_no)
            )  # fmt: skip
    if sum(len(line.text) for line in lines) < MIN_CHARS:
        return []
    return lines
