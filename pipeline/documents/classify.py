"""Which document type a page belongs to, and whether it opens a new document.

Evidence, strongest first: a printed title near the top of the page (compared on the folded
start of each line, so "TỜ KHAI ĐĂNG KÝ KHAI SINH" is an application form and not a birth
certificate), the machine-readable zone of a CCCD, then how many of a type's labels occur.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from pipeline.documents.folding import fold
from pipeline.documents.lines import TextLine
from pipeline.documents.mrz import find_mrz_lines
from pipeline.documents.spec import DocTypeSpec
from pipeline.documents.types import EXTRACTED
from pipeline.documents.types.other import SPEC as _OTHER_SPEC

TITLE_LINES = 14  # titles sit in the top part of a page, under the national motto
TITLE_MIN = 0.86
OTHER_BELOW = 0.3
# Printed only on the back of an ID card (all generations).
BACK_KEYWORDS = ("Đặc điểm nhân dạng", "Date, month, year", "Ngón trỏ trái", "Date of issue",
                 "CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH", "Nơi đăng ký khai sinh / Place of birth")


@dataclass(frozen=True)
class PageClass:
    doc_type: str
    confidence: float
    has_title: bool
    cccd_side: str | None  # "front", "back", "both" for ID card pages
    scores: dict[str, float]
    opens_document: bool = False  # a title, or the national motto that heads first pages


MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_LINES = 6
CARD_TYPES = frozenset(t.name for t in EXTRACTED if t.split == "card_sides")


def has_motto(lines: Sequence[TextLine]) -> bool:
    """Every administrative document heads its first page with the national motto."""
    target = fold(MOTTO)
    return any(fuzz.partial_ratio(target, fold(ln.text)) >= 85 for ln in lines[:MOTTO_LINES])


def _mostly_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


@lru_cache(maxsize=256)
def _heads(texts: tuple[str, ...]) -> tuple[tuple[str, str, bool], ...]:
    """Folded top lines and whether each starts in capitals (computed once per page)."""
    return tuple((fold(t), t, _mostly_upper(t[:40])) for t in texts)


def title_score(lines: Sequence[TextLine], spec: DocTypeSpec) -> float:
    """Best match of a printed title against the start of an upper-case line near the top."""
    best = 0.0
    heads = _heads(tuple(ln.text for ln in lines[:TITLE_LINES]))
    for title in spec.titles:
        target = fold(title)
        upper_title = _mostly_upper(title)
        for folded, _original, upper in heads:
            if not folded:
                continue
            if upper_title and not upper:
                continue
            score = fuzz.ratio(folded[: len(target)], target) / 100.0
            best = max(best, score)
    return best


def label_fraction(folded_text: str, spec: DocTypeSpec) -> float:
    """Share of the type's fields whose label occurs (fuzzily) somewhere on the page."""
    fields = spec.extracted
    if not fields or not folded_text:
        return 0.0
    found = 0
    for fs in fields:
        for label in fs.labels:
            vi = fold(label.split("/")[0])
            if vi and fuzz.partial_ratio(vi, folded_text) >= 90:
                found += 1
                break
    return found / len(fields)


def keyword_fraction(folded_text: str, spec: DocTypeSpec) -> float:
    if not spec.keywords:
        return 0.0
    hits = sum(1 for k in spec.keywords if fuzz.partial_ratio(fold(k), folded_text) >= 90)
    return hits / len(spec.keywords)


def cccd_side(lines: Sequence[TextLine], has_title: bool) -> str:
    text = fold(" ".join(ln.text for ln in lines))
    back = find_mrz_lines([ln.text for ln in lines]) is not None or any(
        fuzz.partial_ratio(fold(k), text) >= 90 for k in BACK_KEYWORDS
    )
    if has_title and back:
        return "both"
    return "back" if back else "front"


def classify_page(lines: Sequence[TextLine]) -> PageClass:
    if not lines:
        return PageClass("other", 0.0, False, None, {})
    motto = has_motto(lines)
    folded_text = fold("\n".join(ln.text for ln in lines))
    scores: dict[str, float] = {}
    titles: dict[str, float] = {}
    for spec in (t.spec for t in EXTRACTED):
        t = title_score(lines, spec)
        titles[spec.doc_type] = t
        title_part = t if t >= TITLE_MIN else 0.0
        score = 0.55 * title_part + 0.35 * label_fraction(folded_text, spec) + 0.1 * keyword_fraction(
            folded_text, spec
        )
        scores[spec.doc_type] = round(score, 3)
    if find_mrz_lines([ln.text for ln in lines]) is not None:
        for name in CARD_TYPES:  # only ID cards carry a machine-readable zone
            scores[name] = max(scores[name], 0.9)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best, best_score = ranked[0]
    second_score = ranked[1][1] if len(ranked) > 1 else 0.0
    has_title = titles[best] >= TITLE_MIN
    if best_score < OTHER_BELOW and not has_title:
        other_title = title_score(lines, _OTHER_SPEC) >= TITLE_MIN
        return PageClass("other", round(1.0 - best_score, 3), other_title, None, scores,
                         opens_document=motto or other_title)
    margin = best_score - second_score
    confidence = min(1.0, 0.5 + best_score * 0.5 + margin * 0.5)
    side = cccd_side(lines, has_title) if best in CARD_TYPES else None
    return PageClass(best, round(confidence, 3), has_title, side, scores,
                     opens_document=has_title or motto)

