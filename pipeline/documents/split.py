"""Splitting a scanned file's pages into documents.

A document is a run of consecutive pages of one type. A page with a printed title opens a new
document; an untitled page continues the open one unless its labels clearly say it is another
type. The two sides of a CCCD stay together (front then back, or back then front), a second
front opens a new card. Blank pages end the open document and belong to none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.documents.classify import CARD_TYPES, PageClass, classify_page
from pipeline.documents.lines import TextLine

STRONG = 0.75  # an untitled page with a classification this sure may open a document of its own


@dataclass
class DocumentPages:
    doc_type: str
    pages: list[int] = field(default_factory=list)  # 1-based
    classes: list[PageClass] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        relevant = [c.confidence for c in self.classes if c.doc_type == self.doc_type] or [0.5]
        return round(max(relevant), 3)


def _cccd_sides(doc: DocumentPages) -> set[str]:
    sides: set[str] = set()
    for c in doc.classes:
        if c.cccd_side == "both":
            sides |= {"front", "back"}
        elif c.cccd_side:
            sides.add(c.cccd_side)
    return sides


def _continues(doc: DocumentPages | None, cls: PageClass) -> bool:
    if doc is None:
        return False
    if doc.doc_type in CARD_TYPES:
        if cls.doc_type != doc.doc_type:
            # An unrecognised page after a front is most likely a back without its MRZ.
            return not cls.opens_document and cls.doc_type == "other" and "back" not in _cccd_sides(doc)
        side = cls.cccd_side or "front"
        new = {"front", "back"} if side == "both" else {side}
        return not (new & _cccd_sides(doc))
    if cls.has_title or cls.opens_document:
        return False
    if cls.doc_type == doc.doc_type or cls.doc_type == "other":
        return True
    # An untitled page that looks like another type opens a document only when sure.
    return cls.confidence < STRONG


def split_pages(pages: Sequence[tuple[int, bool, list[TextLine]]]) -> list[DocumentPages]:
    """``pages``: (page number, blank, lines) in input order."""
    docs: list[DocumentPages] = []
    current: DocumentPages | None = None
    for number, blank, lines in pages:
        if blank:
            current = None
            continue
        cls = classify_page(lines)
        if _continues(current, cls):
            assert current is not None
            if current.doc_type == "other" and cls.doc_type != "other" and not cls.has_title:
                current.doc_type = cls.doc_type  # a weak first page, typed by what follows
            current.pages.append(number)
            current.classes.append(cls)
        else:
            current = DocumentPages(cls.doc_type, [number], [cls])
            docs.append(current)
    return docs
