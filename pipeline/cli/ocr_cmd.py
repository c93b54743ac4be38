"""``sohoa ocr FILE [--json]``: read one scan, print its documents and fields; stores nothing."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from config.errors import ExitCode, SohoaError
from config.settings import load_settings
from pipeline.documents.models import DocumentResult, FileResult
from pipeline.documents.review import LOW_CONFIDENCE
from pipeline.documents.types import document_type


@contextmanager
def page_progress(show: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich bar on stderr, shown once the file turns out to have several pages."""
    if not show:
        yield None
        return
    progress = Progress(
        TextColumn("Nhận dạng (OCR)"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    )
    task: list[TaskID] = []

    def update(done: int, total: int) -> None:
        if total <= 1:
            return
        if not task:
            progress.start()
            task.append(progress.add_task("pages", total=total))
        progress.update(task[0], completed=done, total=total)

    try:
        yield update
    finally:
        progress.stop()


def _document_table(index: int, doc: DocumentResult) -> Table:
    pages = ", ".join(map(str, doc.pages))
    title = (f"{index}. {document_type(doc.doc_type).display()} — trang (pages) {pages} — "
             f"độ tin cậy (confidence) {doc.confidence:.2f}")
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("Trường (field)")
    table.add_column("Giá trị (value)")
    table.add_column("Tin cậy", justify="right")
    table.add_column("Kiểm tra (review)")
    for key, fv in doc.fields.items():
        flag = "[bold red]cần kiểm tra (check)[/]" if fv.needs_review else "[green]ok[/]"
        notes = [w for w in fv.warnings if w != LOW_CONFIDENCE]
        if notes:
            flag += " — " + "; ".join(notes)
        table.add_row(key, fv.value, f"{fv.confidence:.2f}", flag)
    return table


def print_summary(result: FileResult, console: Console) -> None:
    console.print(f"[bold]{result.file}[/]: {result.pages} trang (pages), "
                  f"{len(result.documents)} tài liệu (documents)")
    for w in result.warnings:
        console.print(f"  [yellow]! {w}[/]")
    for i, doc in enumerate(result.documents, start=1):
        if doc.fields:
            console.print(_document_table(i, doc))
        else:
            table = _document_table(i, doc)
            console.print(f"[italic]{table.title}[/]")
            console.print("  (chỉ số hóa văn bản, không trích xuất trường — text only, no fields)")
        for w in doc.warnings:
            console.print(f"  [yellow]! {w}[/]")
        if doc.needs_review:
            console.print("  [bold red]→ cần cán bộ kiểm tra (needs review by staff)[/]")


def run_ocr(path: Path, *, jobs: int | None, show_progress: bool) -> FileResult:
    from pipeline.executor import make_executor
    from pipeline.process import process_file

    if not path.is_file():
        raise SohoaError(
            f"{path.name}: không tìm thấy tệp (file not found)", exit_code=ExitCode.INPUT_FILE
        )
    settings = load_settings()
    if jobs is not None:
        settings.ocr.jobs = jobs
    executor = make_executor(settings.ocr.jobs)
    try:
        with tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as workdir, page_progress(
            show_progress
        ) as progress:
            return process_file(path, settings, executor, Path(workdir), progress)
    finally:
        executor.close()


def register(app: typer.Typer) -> None:
    @app.command(
        "ocr",
        help=(
            "Nhận dạng một tệp quét: làm sạch trang, OCR tiếng Việt, tách và phân loại tài liệu, "
            "trích xuất trường; không lưu gì. (Preprocess, OCR, split into documents, classify and "
            "extract fields; stores nothing.) Accepts PDF, TIFF, JPEG, PNG."
        ),
    )
    def ocr(
        file: Annotated[
            Path, typer.Argument(metavar="FILE", help="Tệp quét (scan file): PDF, TIFF, JPEG, PNG")
        ],
        as_json: Annotated[
            bool, typer.Option("--json", help="In đúng một đối tượng JSON (print exactly one JSON object)")
        ] = False,
        jobs: Annotated[
            int | None,
            typer.Option("--jobs", "-j", min=0, help="Số tiến trình OCR, 0 = mỗi lõi một (workers)"),
        ] = None,
    ) -> None:
        result = run_ocr(file, jobs=jobs, show_progress=sys.stderr.isatty())
        if as_json:
            sys.stdout.write(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=2) + "\n")
        else:
            print_summary(result, Console())
