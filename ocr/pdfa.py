"""Searchable pages → one PDF/A-2b file, the archival form OCRmyPDF writes by default.

pikepdf's PDF/A module (``pikepdf.pdfa``, an allowlist validator built on veraPDF's rules) adds
the XMP identification (``pdfaid:part=2``, ``conformance=B``) and an sRGB OutputIntent, writes
the file and re-validates the written bytes; a file it does not approve is never put in place.
Tesseract's text layer uses an embedded glyph-less CID font with a ToUnicode map, so the
Vietnamese text survives into the archive and ``pdftotext`` reads it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import pikepdf

from config.errors import ExitCode, SohoaError

FLAVOUR = "2b"
LANGUAGE = "vi-VN"


class PdfaWriteError(SohoaError):
    """The merged pages could not be made into a valid PDF/A file."""

    exit_code = ExitCode.OCR
    reason = "pdfa_failed"


def write_pdfa(page_pdfs: Sequence[Path], out: BinaryIO, *, title: str) -> None:
    """Concatenate one-page searchable PDFs into ``out`` as validated PDF/A-2b.

    ``out`` is a seekable stream at its start (the caller stages it next to the destination
    and renames it once every output of the run is complete).
    """
    import pikepdf.pdfa

    merged = pikepdf.new()
    sources: list[pikepdf.Pdf] = []
    try:
        for path in page_pdfs:
            src = pikepdf.open(path)
            sources.append(src)
            merged.pages.extend(src.pages)
        merged.Root.Lang = pikepdf.String(LANGUAGE)
        with merged.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
            meta["xmp:CreatorTool"] = "sohoa"
            meta["xmp:CreateDate"] = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            pikepdf.pdfa.save(merged, out, FLAVOUR)
        except pikepdf.pdfa.PdfaError as exc:
            first = exc.report.findings[0] if exc.report.findings else "?"
            raise PdfaWriteError(
                f"{title}: không tạo được PDF/A-2b (could not write PDF/A-2b): {first}"
            ) from exc
    finally:
        for src in sources:
            src.close()
        merged.close()
