"""``PageOcr`` to JSON and back: a page's OCR crosses hosts through the database, not pickles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ocr.models import Box, Line, PageOcr, Word


def _box(box: Box) -> list[int]:
    return [box.left, box.top, box.width, box.height]


def page_to_json(page: PageOcr) -> dict[str, Any]:
    """Everything but the PDF path (the PDF travels as bytes beside it)."""
    return {
        "page_number": page.page_number,
        "width": page.width,
        "height": page.height,
        "dpi": page.dpi,
        "dpi_estimated": page.dpi_estimated,
        "rotation": page.rotation,
        "skew": page.skew,
        "blank": page.blank,
        "text": page.text,
        "confidence": page.confidence,
        "warnings": list(page.warnings),
        "seconds": page.seconds,
        "qr": list(page.qr),  # decoded on the worker that rendered the page; the QR is the source of truth
        "lines": [
            {
                "text": line.text,
                "confidence": line.confidence,
                "box": _box(line.box),
                "block": line.block,
                "words": [[w.text, w.confidence, *_box(w.box), w.handwritten] for w in line.words],
            }
            for line in page.lines
        ],
    }


def page_from_json(data: dict[str, Any], pdf_path: Path | None = None) -> PageOcr:
    lines = [
        Line(
            text=raw["text"],
            confidence=float(raw["confidence"]),
            box=Box(*raw["box"]),
            block=int(raw.get("block", 0)),
            words=tuple(Word(w[0], float(w[1]), Box(*w[2:6]), bool(w[6]) if len(w) > 6 else False)
                        for w in raw["words"]),
        )
        for raw in data.get("lines", [])
    ]
    return PageOcr(
        page_number=int(data["page_number"]),
        width=int(data["width"]),
        height=int(data["height"]),
        dpi=float(data["dpi"]),
        dpi_estimated=bool(data["dpi_estimated"]),
        rotation=int(data.get("rotation", 0)),
        skew=float(data.get("skew", 0.0)),
        blank=bool(data.get("blank", False)),
        text=data.get("text", ""),
        lines=lines,
        confidence=float(data.get("confidence", 0.0)),
        warnings=list(data.get("warnings", [])),
        pdf_path=pdf_path,
        seconds=float(data.get("seconds", 0.0)),
        qr=[str(t) for t in data.get("qr", [])],
    )
