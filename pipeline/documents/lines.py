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
    word_x: tuple[tuple[int, int], ...] = ()  # (left, right) pixels of each word of ``words``
    hand: tuple[bool, ...] = ()  # per word of ``words``: its glyphs look handwritten

    def handwritten_in(self, start: int, end: int) -> bool:
        """Whether a word overlapping ``[start, end)`` was written by hand (ocr.handwriting)."""
        return any(h for (s, e, _), h in zip(self.words, self.hand, strict=False) if s < end and e > start)

    def x_at(self, offset: int) -> int:
        """Left pixel of the word at character ``offset`` (-1 without word boxes)."""
        for (s, e, _), (left, _right) in zip(self.words, self.word_x, strict=False):
            if s <= offset < e or offset < s:
                return left
        return -1

    def text_between(self, x0: int, x1: int) -> tuple[int, int] | None:
        """Character span of the words whose left edge lies in ``[x0, x1)``: one column's part."""
        inside = [(s, e) for (s, e, _), (left, _r) in zip(self.words, self.word_x, strict=False)
                  if x0 <= left < x1]
        if not inside:
            return None
        return inside[0][0], inside[-1][1]

    def confidence_of(self, start: int, end: int) -> float:
        """Mean confidence of the words overlapping ``[start, end)`` (the line's if none).

        Tesseract reports 0 for some words it read perfectly well (typically the first words
        of a block); a 0 says "unknown", so it takes the mean of the line's other words.
        """
        confs = self._confs(start, end)
        return sum(confs) / len(confs)

    def min_confidence_of(self, start: int, end: int) -> float:
        """The weakest word: one misread word is enough to make a value wrong."""
        return min(self._confs(start, end))

    def _confs(self, start: int, end: int) -> list[float]:
        # Specks OCR'd as "-", "_" or "|" are cleaned out of the value; their doubt is not its doubt,
        # nor that of a word whose confidence is unknown (a dotted leader at 0.16 beside it).
        known = [c for (s, e, c) in self.words
                 if c > 0.01 and any(ch.isalnum() for ch in self.text[s:e])]
        fallback = sum(known) / len(known) if known else (self.confidence or 0.5)
        confs = [
            c if c > 0.01 else fallback
            for (s, e, c) in self.words
            if s < end and e > start and any(ch.isalnum() for ch in self.text[s:e])
        ]
        if not confs:
            return [fallback if self.words else self.confidence]
        return confs


def _word_spans(
    text: str, words: Sequence[tuple[str, float, int, int, bool]]
) -> tuple[tuple[tuple[int, int, float], ...], tuple[tuple[int, int], ...], tuple[bool, ...]]:
    spans: list[tuple[int, int, float]] = []
    xs: list[tuple[int, int]] = []
    hand: list[bool] = []
    pos = 0
    for word, conf, left, right, handwritten in words:
        word = unicodedata.normalize("NFC", word)
        at = text.find(word, pos)
        if at < 0:
            continue
        spans.append((at, at + len(word), conf))
        xs.append((left, right))
        hand.append(handwritten)
        pos = at + len(word)
    return tuple(spans), tuple(xs), tuple(hand)


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
            spans, xs, hand = _word_spans(
                text,
                [(w.text, w.confidence, w.box.left, w.box.left + w.box.width, w.handwritten)
                 for w in line.words],
            )
            box = line.box
            out.append(TextLine(page.page_number, text, line.confidence, spans, line.block,
                                box.left, box.left + box.width, box.top, box.height, xs, hand))
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


def wraps_into_next(lines: Sequence[TextLine]) -> list[bool]:
    """For each line, whether the next line could be its continuation by word wrap.

    A line wrapped because the next word did not fit: its right edge plus a space plus the next
    line's first word reaches the page's right margin (the rightmost line edge). From plain text
    the same test is done in characters against the longest line.
    """
    out: list[bool] = []
    margins: dict[int, tuple[bool, float, float]] = {}
    for line in lines:
        boxed = line.right >= 0
        right = float(line.right if boxed else len(line.text))
        left = float(line.left if boxed else 0)
        prev = margins.get(line.page)
        if prev is None:
            margins[line.page] = (boxed, right, left)
        else:
            margins[line.page] = (prev[0] and boxed, max(prev[1], right), min(prev[2], left))
    for i, line in enumerate(lines):
        if i + 1 >= len(lines) or lines[i + 1].page != line.page:
            out.append(False)
            continue
        nxt = lines[i + 1]
        first_word = nxt.text.split(" ", 1)[0]
        boxed, margin, left = margins[line.page]
        if boxed:
            char_w = (nxt.right - nxt.left) / max(1, len(nxt.text))
            reach = line.right + char_w * (1 + len(first_word))
            out.append(reach >= margin - 0.04 * (margin - left))
        else:
            out.append(len(line.text) + 1 + len(first_word) >= 0.9 * margin)
    return out
