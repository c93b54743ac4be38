"""One scanned file → documents with fields and one searchable PDF each. Stores nothing.

The OCR stage (``pipeline.ocr_pages``) validates the file and raises its input errors; this
module adds splitting, classification, extraction and validation, then merges each document's
one-page searchable PDFs into ``workdir``. Intake and ``sohoa ocr`` both call
:func:`process_file`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from config.settings import Settings
from ocr.models import PageOcr
from ocr.searchable import merge_pdfs
from pipeline.documents.analyse import analyse_pages, page_info
from pipeline.documents.models import FileResult
from pipeline.executor import Executor
from pipeline.ocr_pages import ocr_pages

LOW_DPI_FILE_WARNING = "có trang độ phân giải thấp, nên quét lại (some pages are below {dpi} dpi: rescan)"


def build_result(
    name: str, pages: Sequence[PageOcr], settings: Settings
) -> FileResult:
    """The documents of already OCR'd pages (no PDFs): shared by :func:`process_file` and tests."""
    documents = analyse_pages(pages, settings.ocr.review_confidence)
    details = [page_info(p) for p in pages]
    warnings: list[str] = []
    if any(0 < p.dpi < settings.ocr.min_dpi for p in pages):
        warnings.append(LOW_DPI_FILE_WARNING.format(dpi=settings.ocr.min_dpi))
    blank = [p.page_number for p in pages if p.blank]
    if blank:
        warnings.append("trang trắng (blank pages): " + ", ".join(map(str, blank)))
    return FileResult(
        file=name,
        pages=len(pages),
        documents=documents,
        page_details=details,
        warnings=warnings,
        needs_review=any(d.needs_review for d in documents),
    )


def _safe_stem(path: Path) -> str:
    return re.sub(r"[^\w.-]+", "_", path.stem)[:80] or "scan"


def attach_pdfs(
    result: FileResult, pages: Sequence[PageOcr], workdir: Path, stem: str
) -> None:
    """Merge each document's page PDFs into ``workdir/<stem>.docNN.<type>.pdf``."""
    by_number = {p.page_number: p for p in pages}
    for index, doc in enumerate(result.documents, start=1):
        paths = [by_number[n].pdf_path for n in doc.pages]
        if not paths or any(p is None or not Path(p).is_file() for p in paths):
            doc.warnings.append("không tạo được PDF tìm kiếm được (searchable PDF missing)")
            continue
        out = workdir / f"{stem}.doc{index:02d}.{doc.doc_type}.pdf"
        doc.pdf_path = merge_pdfs([Path(p) for p in paths if p is not None], out)


def process_file(
    path: Path,
    settings: Settings,
    executor: Executor,
    workdir: Path,
    progress: Callable[[int, int], None] | None = None,
) -> FileResult:
    """OCR ``path``, split it into documents, extract their fields, build their searchable PDFs.

    Raises the OCR stage's ``SohoaError`` subclasses for bad input; writes only into ``workdir``.
    """
    path = Path(path)
    workdir = Path(workdir)
    pages = ocr_pages(path, settings.ocr, executor, workdir / "pages", progress)
    result = build_result(path.name, pages, settings)
    attach_pdfs(result, pages, workdir, _safe_stem(path))
    return result
