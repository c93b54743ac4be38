"""Finding printed labels in OCR lines despite noise, and cutting out the values after them.

A label matches a run of line tokens when the folded strings (no diacritics, no punctuation,
no spaces) are close (rapidfuzz ratio) and the first and last label words are recognisable at
the ends of the run, so "Ngày, tháng, năm cấp" is not taken for "Ngày, tháng, năm sinh".
Bilingual labels ("Ngày sinh / Date of birth") match in full, or by either half.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from pipeline.documents.folding import Folded, fold, fold_with_map


@dataclass(frozen=True)
class LabelPattern:
    """One printed form of a label, folded into words."""

    key: str
    printed: str
    words: tuple[str, ...]
    short: bool  # e.g. "Số": only trusted when a separator (":" or "/") follows
    marked: str = ""  # letters and digits with their diacritics, lower case ("nămsinh")

    @property
    def compact(self) -> str:
        return "".join(self.words)


@dataclass(frozen=True)
class LabelHit:
    key: str
    printed: str
    start: int  # original character span of the label in the line
    end: int
    score: float  # 0..1 similarity
    size: int = 0  # folded length of the label that matched

    @property
    def weight(self) -> float:
        return self.score**4 * self.size  # a perfect match of a shorter label beats a near one


@lru_cache(maxsize=2048)
def label_patterns(key: str, printed: str) -> tuple[LabelPattern, ...]:
    """The full bilingual label plus each half on its own."""
    variants = [printed]
    if "/" in printed:
        variants.extend(part.strip() for part in printed.split("/") if part.strip())
    out: list[LabelPattern] = []
    for variant in variants:
        words = tuple(fold(variant).split())
        if words:
            out.append(LabelPattern(key, printed, words, short=len("".join(words)) <= 4,
                                    marked=_marked(variant)))
    return tuple(out)


def _marked(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFC", text.lower()) if c.isalnum())


MARKED_MIN = 0.65  # an inexact match whose diacritics disagree as well is another phrase


def _marks_agree(printed: str, pattern: LabelPattern, score: float) -> bool:
    """Whether text that matched a label only approximately, letters folded, still looks like
    it with its marks. OCR that kept the diacritics and reads "Nam Định" (a province) where the
    label is "Năm sinh" disagrees twice: on letters (d/s) and on marks (a/ă, ị/i)."""
    if score >= 0.99 or not pattern.marked or printed.isascii():
        return True  # an exact fold, or text whose marks OCR lost: no second evidence
    return fuzz.ratio(_marked(printed), pattern.marked) / 100.0 >= MARKED_MIN


def _tokens(folded: Folded) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\S+", folded.text)]


def _threshold(n_chars: int) -> float:
    if n_chars <= 4:
        return 1.0
    if n_chars <= 8:
        return 0.85
    return 0.8


MEDIUM = 8  # labels this short must be followed by a separator or end the line


def _edge_ok(word: str, candidate: str, at_end: bool) -> bool:
    """The first/last label word must be recognisable at that end of the candidate run."""
    piece = candidate[-len(word):] if at_end else candidate[: len(word)]
    if len(word) <= 2:
        return piece == word
    if len(word) <= 4:
        return fuzz.ratio(piece, word) >= 75
    return fuzz.ratio(piece, word) >= 60


_SEPARATOR_AFTER = re.compile(r"\s*(?:[:;/.!\-_]|$)")  # a label alone on its line must start it


def find_label_hits(
    line: str, patterns: Iterable[LabelPattern], numeric: frozenset[str] = frozenset()
) -> list[LabelHit]:
    """All non-overlapping label occurrences in one line, left to right.

    A short label of a ``numeric`` key (an id) needs no colon when a digit follows it: inline
    fields print "Ông/Bà NAME, CCCD số 012345678901".
    """
    folded = fold_with_map(line)
    tokens = _tokens(folded)
    if not tokens:
        return []
    compact = "".join(t[0] for t in tokens)
    offsets = [0]
    for t in tokens:
        offsets.append(offsets[-1] + len(t[0]))
    candidates: list[LabelHit] = []
    for pattern in patterns:
        target = pattern.compact
        n = len(pattern.words)
        threshold = _threshold(len(target))
        sizes = sorted({n, n + 1} | ({n - 1} if n > 1 else set()))
        slack = max(2, len(target) // 4)
        head = target[:2]
        for i in range(len(tokens)):
            if pattern.short and tokens[i][0] != pattern.words[0]:
                continue
            first = tokens[i][0]
            if first[:1] != head[:1] and first[1:2] != head[1:2]:
                continue  # neither of the first two letters agrees: not this label
            best: tuple[float, int] | None = None
            for k in sizes:
                if k <= 0 or i + k > len(tokens):
                    continue
                candidate = compact[offsets[i] : offsets[i + k]]
                if abs(len(candidate) - len(target)) > slack:
                    continue
                score = fuzz.ratio(candidate, target) / 100.0
                if score < threshold or (best is not None and score <= best[0]):
                    continue
                if not (_edge_ok(pattern.words[0], candidate, False)
                        and _edge_ok(pattern.words[-1], candidate, True)):
                    continue
                best = (score, k)
            if best is None:
                continue
            score, k = best
            start, end = folded.span(tokens[i][1], tokens[i + k - 1][2])
            if not _marks_agree(line[start:end], pattern, score):
                continue
            while end < len(line) and unicodedata.combining(line[end]):
                end += 1  # a stray tone mark OCR'd after the label's last letter
            separated = bool(_SEPARATOR_AFTER.match(line, end)) and (i == 0 or bool(line[end:].strip()))
            if (pattern.key in numeric and not pattern.short and score >= 0.99
                    and line[end:].lstrip()[:1].isdigit()):
                separated = True
            # A short label needs its colon, unless it opens the line and is read exactly
            # ("Họ và tên HỒ ĐÌNH KHÁNH" with the colon lost).
            if len(target) <= MEDIUM and not separated and not (
                i == 0 and score >= 0.99 and not pattern.short
            ):
                continue
            if pattern.short and line[end:].strip() == "":
                continue
            candidates.append(LabelHit(pattern.key, pattern.printed, start, end, score,
                                       len(target)))
    return _non_overlapping(candidates)


def _non_overlapping(hits: Sequence[LabelHit]) -> list[LabelHit]:
    chosen: list[LabelHit] = []
    for hit in sorted(hits, key=lambda h: (-h.weight, h.start)):
        if all(hit.end <= c.start or hit.start >= c.end for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)


_LEADING_SEPARATORS = re.compile(r"^[\s:;.…_\-–—/|,]*")
# A footnote mark printed after a label: "Kính gửi(1):", "Nội dung đề nghị(2):", "nghị⁽²⁾".
_FOOTNOTE = re.compile(r"^\s*(?:\(\d\)|[⁽]?[¹²³⁴⁵⁶⁷⁸⁹][⁾]?)\s*[:;.]?")
# The number of the next item, printed just before its label: "… 0912345678 6. Email:".
NEXT_ITEM = re.compile(r"(?:^|(?<=\s)|(?<=[.…_]))(?:\d{1,2}|[a-zđ]|[IVX]{1,4})[.)]\s*$")


def value_after(line: str, hit: LabelHit, next_start: int | None) -> tuple[str, int]:
    """The raw text between a label and the next label (or the line end), and its offset.

    The value ends where the next item begins: a numbered item's number ("6." before "Email")
    belongs to the next label, not to this value.
    """
    end = len(line) if next_start is None else next_start
    raw = line[hit.end : end]
    if next_start is not None:
        raw = NEXT_ITEM.sub("", raw)
    foot = _FOOTNOTE.match(raw)
    skip = foot.end() if foot else 0
    # A bilingual label's English half may trail as "/ Date of birth" when OCR mangled it.
    m = _LEADING_SEPARATORS.match(raw, skip)
    skip = m.end() if m else skip
    return raw[skip:], hit.end + skip


def best_score(text: str, printed: str) -> float:
    """How well ``text`` contains the label ``printed`` anywhere (0..1), for keyword scoring."""
    target = fold(printed)
    hay = fold(text)
    if not target or not hay:
        return 0.0
    if target in hay:
        return 1.0
    return fuzz.partial_ratio(target, hay) / 100.0
