"""What the OCR stage hands to the documents stage.

These are the contract between ``ocr`` (pixels to text) and ``pipeline.documents`` (text to
typed fields): plain dataclasses, picklable so they can cross a process or queue boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # 0..1, Tesseract's word confidence / 100
    box: Box
    handwritten: bool = False  # its glyphs look written by hand (ocr.handwriting)


@dataclass(frozen=True)
class Line:
    """One text line in reading order; ``text`` is the words joined by single spaces, NFC."""

    text: str
    confidence: float  # mean of the words' confidences, 0..1
    box: Box
    words: tuple[Word, ...]
    block: int = 0  # Tesseract block number: lines of one block belong together


@dataclass
class PageOcr:
    """One input page after cleaning and OCR."""

    page_number: int  # 1-based, in the input file
    width: int  # pixels of the cleaned image that was OCR'd
    height: int
    dpi: float  # effective resolution of the scan
    dpi_estimated: bool  # True when the file carried no usable DPI and it was guessed
    rotation: int = 0  # degrees clockwise applied to make the page upright (0/90/180/270)
    skew: float = 0.0  # degrees corrected by deskew
    blank: bool = False  # kept in the record, not OCR'd
    text: str = ""  # reading order, NFC, one line per line
    lines: list[Line] = field(default_factory=list)
    confidence: float = 0.0  # mean word confidence 0..1 (0 for blank pages)
    warnings: list[str] = field(default_factory=list)  # Vietnamese, shown to the clerk
    pdf_path: Path | None = None  # one-page searchable PDF: page image + invisible text
    seconds: float = 0.0  # wall time spent on this page
    qr: list[str] = field(default_factory=list)  # texts of the QR codes decoded on the page
