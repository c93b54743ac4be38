"""OCR every page of one scan through an executor, results in page order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from config.errors import SohoaError
from config.settings import OcrSettings
from ocr.errors import PageOcrError
from ocr.models import PageOcr
from ocr.page import process_page
from ocr.preprocess.clean import CleanOptions
from ocr.source import open_scan
from pipeline.executor import Executor


def ocr_pages(
    path: Path,
    settings: OcrSettings,
    executor: Executor,
    workdir: Path,
    progress: Callable[[int, int], None] | None = None,
    options: CleanOptions | None = None,
) -> list[PageOcr]:
    """Validate ``path`` (raising its ``InputFileError``) then OCR all pages in parallel.

    A page that fails raises after every other page has finished, so workers are never left
    running; an input error in a page (an unreadable TIFF frame) keeps its own type and reason.
    """
    path = Path(path)
    source = open_scan(path, settings)
    count = source.page_count
    source.close()
    workdir.mkdir(parents=True, exist_ok=True)
    tasks = [(path, index, settings, workdir, options) for index in range(count)]
    pages: list[PageOcr | None] = [None] * count
    first_error: BaseException | None = None
    first_index = 0
    if progress:
        progress(0, count)
    for done, result in enumerate(executor.map_unordered(process_page, tasks), start=1):
        if result.error is not None:
            if first_error is None:
                first_error = result.error
                first_index = result.index
        else:
            pages[result.index] = result.value
        if progress:
            progress(done, count)
    if first_error is not None:
        if isinstance(first_error, SohoaError):
            raise first_error
        raise PageOcrError(
            f"{path.name}: lỗi khi nhận dạng trang {first_index + 1} (OCR failed on page "
            f"{first_index + 1}): {type(first_error).__name__}"
        ) from first_error
    return [page for page in pages if page is not None]
