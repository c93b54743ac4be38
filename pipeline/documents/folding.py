"""Folded text for tolerant matching: no diacritics, lower case, punctuation as spaces.

OCR of Vietnamese often loses or swaps diacritics ("Ngay sinh", "Ngảy sinh"), so labels and
keywords are compared on this folded form, with a map back to the original characters so the
value can be cut out of the printed text unchanged.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_SPECIAL = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ơ": "o", "ư": "u", "Ơ": "o", "Ư": "u"}


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """One character folded: a letter or digit, or a space for anything else."""
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    base = base.lower()
    if not base:
        return ""  # a lone combining mark
    return "".join(c if c.isalnum() else " " for c in base)


@dataclass(frozen=True)
class Folded:
    """Folded text plus, for each folded character, the index of its original character."""

    text: str
    index: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original character span of the folded span ``[start, end)``."""
        if start >= len(self.index):
            return len(self.original), len(self.original)
        o_start = self.index[start]
        o_end = self.index[end - 1] + 1 if end > start else o_start
        return o_start, o_end


def fold_with_map(text: str) -> Folded:
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    idx: list[int] = []
    for i, ch in enumerate(text):
        for c in fold_char(ch):
            if c == " " and (not out or out[-1] == " "):
                continue
            out.append(c)
            idx.append(i)
    if out and out[-1] == " ":
        out.pop()
        idx.pop()
    return Folded("".join(out), tuple(idx), text)


def fold(text: str) -> str:
    return fold_with_map(text).text
