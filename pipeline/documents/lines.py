"""OCR lines with per-character confidence lookup, independent of where they came from."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ocr.models import PageOcr


@dataclass(frozen=True)
class TextLine:
    page: int  # 1-based input page
    text: str  # NFC
    confidence: float
    words: tuple[tuple[int, int, float], ...]  # (start, end, confidence) spans within text
    block: int = 0
    left: int = -1  # pixel box on the page; -1 when the line came from plain text
    right: int = -1
    top: int = -1
    height: int = 0

    def confidence_of(self, start: int, end: int) -> float:
        """Mean confidence of the words overlapping ``[start, end)`` (the line's if none)."""
        confs = [c for (s, e, c) in self.words if s < end and e > start]
        if not confs:
            return self.confidence
        return sum(confs) / len(confs)


def _word_spans(text: str, words: Sequence[tuple[str, float]]) -> tuple[tuple[int, int, float], ...]:
    spans: list[tuple[int, int, float]] = []
    pos = 0
    for word, conf in words:
        word = unicodedata.normalize("NFC", word)
        at = text.find(word, pos)
        if at < 0:
            continue
        spans.append((at, at + len(word), conf))
        pos = at + len(word)
    return tuple(spans)


def page_lines(page: PageOcr) -> list[TextLine]:
    """The page's lines in reading order; from ``page.text`` when no line detail exists."""
    if page.blank:
        return []
    if page.lines:
        out: list[TextLine] = []
        for line in page.lines:
            text = unicodedata.normalize("NFC", line.text)
            if not text.strip():
                continue
            spans = _word_spans(text, [(w.text, w.confidence) for w in line.words])
            box = line.box
            out.append(TextLine(page.page_number, text, line.confidence, spans, line.block,
                                box.left, box.left + box.width, box.top, box.height))
        return out
    conf = page.confidence or 0.9
    return [
        TextLine(page.page_number, unicodedata.normalize("NFC", t), conf, ())
        for t in page.text.splitlines()
        if t.strip()
    ]


def document_lines(pages: Iterable[PageOcr]) -> list[TextLine]:
    out: list[TextLine] = []
    for page in pages:
        out.extend(page_lines(page))
    return out


def full_lines(lines: Sequence[TextLine]) -> list[bool]:
    """Which lines run to the right margin, i.e. may wrap onto the next line.

    With pixel boxes: the right edge is within ~8% of the text width of the page's rightmost
    edge. From plain text: the line is nearly as long as the longest line.
    """
    out: list[bool] = []
    by_page: dict[int, list[TextLine]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    limits: dict[int, tuple[bool, float, float]] = {}
    for page, plines in by_page.items():
        with_box = [ln for ln in plines if ln.right >= 0]
        if with_box and len(with_box) == len(plines):
            right = max(ln.right for ln in with_box)
            left = min(ln.left for ln in with_box)
            limits[page] = (True, right, max(1.0, right - left))
        else:
            longest = max(len(ln.text) for ln in plines)
            limits[page] = (False, float(longest), float(longest))
    for line in lines:
        boxed, edge, width = limits[line.page]
        if boxed:
            out.append(line.right >= edge - 0.08 * width)
        else:
            out.append(len(line.text) >= 0.7 * edge)
    return out
