"""OCR'd pages → documents with typed, validated fields (no files, no storage)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from ocr.models import PageOcr
from pipeline.documents.extract import extract_fields, unlabelled_birth_dates
from pipeline.documents.lines import page_lines
from pipeline.documents.models import DocumentResult, PageInfo
from pipeline.documents.qr import merge_qr
from pipeline.documents.review import review_fields
from pipeline.documents.split import DocumentPages, split_pages
from pipeline.documents.types import document_type

UNRECOGNISED = ("không nhận ra loại giấy tờ, cần phân loại (document type not recognised: "
                "a clerk classifies it)")


def page_info(page: PageOcr) -> PageInfo:
    return PageInfo(
        page=page.page_number, blank=page.blank, dpi=round(page.dpi, 1), dpi_estimated=page.dpi_estimated,
        rotation=page.rotation, skew=round(page.skew, 2), confidence=round(page.confidence, 3),
        warnings=list(page.warnings),
    )


def _document(group: DocumentPages, pages: dict[int, PageOcr], review_confidence: float) -> DocumentResult:
    members = [pages[n] for n in group.pages]
    lines = [ln for p in members for ln in page_lines(p)]
    dtype = document_type(group.doc_type)
    fields = extract_fields(lines, dtype.spec) if dtype.spec.fields else {}
    if dtype.post_extract is not None:
        dtype.post_extract(fields, lines)
    fields.update(unlabelled_birth_dates(lines, fields, [(p.id_key, p.dob_key) for p in dtype.persons]))
    fields, warnings = review_fields(group.doc_type, fields, review_confidence)
    warnings = merge_qr(group.doc_type, fields, warnings, [t for p in members for t in p.qr])
    if dtype.review_always:
        warnings.append(UNRECOGNISED)
    for p in members:
        warnings.extend(f"trang {p.page_number}: {w}" for w in p.warnings)
    text = "\n".join(p.text.rstrip("\n") for p in members if p.text.strip())
    ocr_conf = sum(p.confidence for p in members) / len(members) if members else 0.0
    class_conf = group.confidence
    return DocumentResult(
        doc_type=group.doc_type,
        pages=list(group.pages),
        text=unicodedata.normalize("NFC", text),
        confidence=round(ocr_conf * (0.5 + 0.5 * class_conf), 3),
        fields=fields,
        warnings=warnings,
        needs_review=dtype.review_always or any(f.needs_review for f in fields.values()) or any(
            w.startswith("không tìm thấy") for w in warnings
        ),
        classification_confidence=class_conf,
    )


def analyse_pages(pages: Sequence[PageOcr], review_confidence: float = 0.8) -> list[DocumentResult]:
    """Split, classify and extract; ``pages`` in input order, blank ones included."""
    by_number = {p.page_number: p for p in pages}
    groups = split_pages([(p.page_number, p.blank, page_lines(p)) for p in pages])
    return [_document(g, by_number, review_confidence) for g in groups]
