"""``sohoa ocr FILE [-o OUT.pdf] [--sidecar TXT] [--json]``: read one scan; stores nothing.

With ``-o`` it writes the searchable PDF/A-2b of the whole file, like OCRmyPDF's default; with
``--sidecar`` the text. Progress (file, pages, ETA) shows only on a terminal, a summary line
closes the run, ``-q`` keeps stderr for errors only. Heavy modules load inside the command so
``sohoa ocr --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from config.errors import ExitCode, SohoaError
from pipeline.cli.display import doc_type_name, field_label, field_value

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from pipeline.documents.models import DocumentResult, FileResult
    from pipeline.ocr_run import OcrRun


@contextmanager
def page_progress(console: Console, name: str, show: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich bar on stderr with the file name, pages done and time left; a terminal only."""
    if not show or not console.is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("Nhận dạng (OCR) [bold]{task.description}[/]"), BarColumn(), MofNCompleteColumn(),
        TextColumn("trang"), TimeElapsedColumn(), TextColumn("còn (ETA)"), TimeRemainingColumn(),
        console=console, transient=True,
    )
    task: list[TaskID] = []

    def update(done: int, total: int) -> None:
        if not task:
            progress.start()
            task.append(progress.add_task(name, total=total))
        progress.update(task[0], completed=done, total=total)

    try:
        yield update
    finally:
        progress.stop()


def _document_table(index: int, doc: DocumentResult) -> Table:
    from rich.table import Table

    from pipeline.documents.review import LOW_CONFIDENCE

    pages = ", ".join(map(str, doc.pages))
    title = (f"{index}. {doc_type_name(doc.doc_type)} — trang (pages) {pages} — "
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
        table.add_row(field_label(key), field_value(key, fv.value), f"{fv.confidence:.2f}", flag)
    return table


def print_summary(result: FileResult, console: Console) -> None:
    """The documents and fields of one file as staff read them."""
    console.print(f"[bold]{result.file}[/]: {result.pages} trang (pages), "
                  f"{len(result.documents)} tài liệu (documents)")
    for w in result.warnings:
        console.print(f"  [yellow]! {w}[/]")
    for i, doc in enumerate(result.documents, start=1):
        table = _document_table(i, doc)
        if doc.fields:
            console.print(table)
        else:
            console.print(f"[italic]{table.title}[/]")
            console.print("  (chỉ số hóa văn bản, không trích xuất trường — text only, no fields)")
        for w in doc.warnings:
            console.print(f"  [yellow]! {w}[/]")
        if doc.needs_review:
            console.print("  [bold red]→ cần cán bộ kiểm tra (needs review by staff)[/]")


def closing_line(run: OcrRun, outputs: list[Path]) -> str:
    """``scan.pdf: 3 trang (pages), 12.4 s, 14.5 trang/phút (pages/min) → out.pdf``."""
    line = (f"{run.result.file}: {len(run.pages)} trang (pages), {run.seconds:.1f} s, "
            f"{run.pages_per_minute:.1f} trang/phút (pages/min)")
    if outputs:
        line += " → " + ", ".join(str(p) for p in outputs)
    return line


def _page_lines(run: OcrRun) -> list[str]:
    return [
        f"  trang (page) {p.page_number}: {p.dpi:.0f} dpi, tin cậy (confidence) {p.confidence:.2f}, "
        f"{p.seconds:.1f} s" + ("".join(f"; {w}" for w in p.warnings))
        for p in run.pages
    ]


def run_ocr(
    path: Path,
    *,
    jobs: int | None,
    output: Path | None,
    sidecar: Path | None,
    progress_console: Console,
    show_progress: bool,
    verbose: bool,
) -> OcrRun:
    """Validate, OCR and write the outputs; raises ``SohoaError`` subclasses for bad input."""
    from config.settings import load_settings
    from pipeline.ocr_run import check_destinations, count_pages, ocr_file, write_outputs

    if not path.is_file():
        raise SohoaError(f"{path.name}: không tìm thấy tệp (file not found)", exit_code=ExitCode.INPUT_FILE)
    check_destinations(path, [p for p in (output, sidecar) if p is not None])
    settings = load_settings()
    if jobs is not None:
        settings.ocr.jobs = jobs
    pages = count_pages(path, settings)
    if verbose:
        print(f"Nhận dạng (OCR) {path.name}: {pages} trang (pages)", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as workdir, page_progress(
        progress_console, path.name, show_progress
    ) as progress:
        run = ocr_file(path, settings, Path(workdir), progress, pages=pages)
        write_outputs(run, output, sidecar)
    return run


def register(app: typer.Typer) -> None:
    @app.command(
        "ocr",
        help=(
            "Nhận dạng một tệp quét: làm sạch trang, OCR tiếng Việt, tách và phân loại tài liệu, "
            "trích xuất trường; không lưu gì vào kho. Với -o, ghi PDF/A-2b tìm kiếm được của cả tệp. "
            "(Preprocess, OCR, split, classify and extract fields; -o writes a searchable PDF/A.) "
            "Nhận PDF, TIFF, JPEG, PNG. Mã thoát 130 khi bị Ctrl-C, 143 khi bị dừng (SIGTERM)."
        ),
    )
    def ocr(
        file: Annotated[
            Path, typer.Argument(metavar="FILE", help="Tệp quét (scan file): PDF, TIFF, JPEG, PNG")
        ],
        output: Annotated[
            Path | None,
            typer.Option("-o", "--output", metavar="OUT.pdf",
                         help="Ghi PDF/A-2b có lớp chữ tìm kiếm được (write a searchable PDF/A-2b)"),
        ] = None,
        sidecar: Annotated[
            Path | None,
            typer.Option("--sidecar", metavar="TXT", help="Ghi văn bản nhận dạng ra tệp (OCR text file)"),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="In đúng một đối tượng JSON (print exactly one JSON object)")
        ] = False,
        jobs: Annotated[
            int | None,
            typer.Option("--jobs", "-j", min=0, help="Số tiến trình OCR, 0 = mỗi lõi một (workers)"),
        ] = None,
        quiet: Annotated[
            bool, typer.Option("-q", "--quiet", help="Chỉ in lỗi lên stderr (errors only)")
        ] = False,
        verbose: Annotated[
            bool, typer.Option("-v", "--verbose", help="In chi tiết từng trang (per-page details)")
        ] = False,
    ) -> None:
        from rich.console import Console

        err = Console(stderr=True)
        run = run_ocr(
            file, jobs=jobs, output=output, sidecar=sidecar, progress_console=err,
            show_progress=not quiet, verbose=verbose and not quiet,
        )
        if as_json:
            sys.stdout.write(json.dumps(run.result.to_json_dict(), ensure_ascii=False, indent=2) + "\n")
        elif (output is None and sidecar is None) or verbose:
            print_summary(run.result, Console())
        if verbose and not quiet:
            for line in _page_lines(run):
                print(line, file=sys.stderr)
        if not quiet:
            print(closing_line(run, [p for p in (output, sidecar) if p is not None]), file=sys.stderr)
