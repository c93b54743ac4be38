"""``sohoa ocr``'s workflow: OCR one file, then write its PDF/A and text sidecar all or nothing.

Unlike intake it stores nothing, so it skips the per-document PDFs and merges every page, in
input order, into one PDF/A-2b. A one-page file is OCR'd in this process: starting a worker
pool would cost more than the page. Outputs are staged beside their destinations and renamed
only when every one is complete, so an interrupted or failed run leaves no partial file.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from config.errors import ExitCode, SohoaError
from config.settings import Settings
from ocr.models import PageOcr
from ocr.pdfa import write_pdfa
from ocr.source import open_scan
from pipeline.documents.models import FileResult
from pipeline.executor import Executor, SerialExecutor, make_executor
from pipeline.ocr_pages import ocr_pages
from pipeline.process import build_result

PAGE_SEPARATOR = "\f"  # between pages of the sidecar, as OCRmyPDF and pdftotext write it


@dataclass
class OcrRun:
    """What one ``sohoa ocr`` produced, and how long the OCR itself took."""

    result: FileResult
    pages: list[PageOcr]
    seconds: float

    @property
    def pages_per_minute(self) -> float:
        return len(self.pages) * 60.0 / self.seconds if self.seconds > 0 else 0.0


def count_pages(path: Path, settings: Settings) -> int:
    """Validate the file (its ``InputFileError`` if bad) and count its pages."""
    source = open_scan(path, settings.ocr)
    try:
        return int(source.page_count)
    finally:
        source.close()


def executor_for(pages: int, settings: Settings) -> Executor:
    return SerialExecutor() if pages <= 1 else make_executor(settings.ocr.jobs)


def ocr_file(
    path: Path,
    settings: Settings,
    workdir: Path,
    progress: Callable[[int, int], None] | None = None,
    pages: int | None = None,
) -> OcrRun:
    """OCR every page of ``path`` into ``workdir`` and read its documents and fields."""
    started = time.perf_counter()
    count = pages if pages is not None else count_pages(path, settings)
    executor = executor_for(count, settings)
    try:
        done = ocr_pages(path, settings.ocr, executor, workdir / "pages", progress)
    finally:
        executor.close()
    result = build_result(path.name, done, settings)
    return OcrRun(result=result, pages=done, seconds=time.perf_counter() - started)


def sidecar_text(pages: Sequence[PageOcr]) -> str:
    """The OCR text of every page, pages separated by a form feed."""
    return PAGE_SEPARATOR.join(page.text.rstrip("\n") + "\n" for page in pages)


def check_destinations(source: Path, outputs: Sequence[Path]) -> None:
    """Refuse before any OCR work: a missing folder, or an output that would overwrite the scan."""
    if len({out.resolve() for out in outputs}) != len(outputs):
        raise SohoaError(
            "hai tệp kết quả trùng nhau (two outputs are the same file)", exit_code=ExitCode.BAD_ARGS
        )
    for out in outputs:
        if out.resolve() == source.resolve():
            raise SohoaError(
                f"{out.name}: tệp kết quả trùng tệp quét (output would overwrite the input)",
                exit_code=ExitCode.BAD_ARGS,
            )
        if not out.parent.is_dir():
            raise SohoaError(
                f"{out.parent}: thư mục kết quả không tồn tại (output folder does not exist)",
                exit_code=ExitCode.BAD_ARGS,
            )


@contextmanager
def staged(outputs: Sequence[Path]) -> Iterator[list[Path]]:
    """Temporary paths beside each output, renamed into place only if the block completes."""
    temps = [out.with_name(f".{out.name}.{os.getpid()}.part") for out in outputs]
    try:
        yield temps
        for temp, out in zip(temps, outputs, strict=True):
            temp.replace(out)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)


def write_outputs(run: OcrRun, pdf_out: Path | None, sidecar_out: Path | None) -> None:
    """Write the PDF/A and/or the text sidecar of ``run``, all or nothing."""
    targets = [p for p in (pdf_out, sidecar_out) if p is not None]
    if not targets:
        return
    with staged(targets) as temps:
        slots = dict(zip(targets, temps, strict=True))
        if pdf_out is not None:
            page_pdfs = [p.pdf_path for p in run.pages if p.pdf_path is not None]
            if len(page_pdfs) != len(run.pages):
                raise SohoaError(
                    f"{run.result.file}: thiếu lớp chữ của một số trang (some pages have no PDF)",
                    exit_code=ExitCode.OCR,
                )
            with slots[pdf_out].open("w+b") as stream:
                write_pdfa(page_pdfs, stream, title=run.result.file)
        if sidecar_out is not None:
            slots[sidecar_out].write_text(sidecar_text(run.pages), encoding="utf-8")
