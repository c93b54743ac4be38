"""``build_result`` and the per-document searchable PDFs of ``process_file`` (without OCR)."""

from __future__ import annotations

import random
from pathlib import Path

import pikepdf

from config.settings import Settings
from pipeline.process import attach_pdfs, build_result
from tests.datagen import layouts
from tests.documents.helpers import make_page


def one_page_pdf(path: Path, label: int) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595 + label, 842))  # width tells the pages apart
    pdf.save(path)
    return path


def test_result_pages_blank_record_and_one_pdf_per_document(tmp_path: Path) -> None:
    app = layouts.application_form(random.Random("p1"))
    other = layouts.other(random.Random("p2"))
    pages = [make_page(app.page_lines[0], 1), make_page([], 2, blank=True), make_page(other.page_lines[0], 3)]
    pages[0].dpi = 150.0  # below min_dpi: the file gets a rescan warning
    for p in pages:
        p.pdf_path = one_page_pdf(tmp_path / f"page{p.page_number}.pdf", p.page_number)
    result = build_result("hoso.pdf", pages, Settings())
    attach_pdfs(result, pages, tmp_path / "out", "hoso")

    assert result.file == "hoso.pdf" and result.pages == 3
    assert [(d.doc_type, d.pages) for d in result.documents] == [("application_form", [1]), ("other", [3])]
    assert [p.blank for p in result.page_details] == [False, True, False]
    assert any("blank" in w for w in result.warnings) and any("dpi" in w for w in result.warnings)
    widths = []
    for doc in result.documents:
        assert doc.pdf_path is not None and doc.pdf_path.is_file()
        with pikepdf.open(doc.pdf_path) as pdf:
            widths.append([round(float(pg.mediabox[2])) for pg in pdf.pages])
    assert widths == [[596], [598]]
    dumped = result.to_json_dict()
    assert "pdf_path" not in dumped["documents"][0]
    assert dumped["documents"][0]["fields"]["phone"]["value"] == app.fields["phone"]


def test_missing_page_pdf_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    app = layouts.application_form(random.Random("p3"))
    pages = [make_page(app.page_lines[0], 1)]
    result = build_result("a.png", pages, Settings())
    attach_pdfs(result, pages, tmp_path, "a")
    assert result.documents[0].pdf_path is None
    assert any("searchable PDF" in w for w in result.documents[0].warnings)
