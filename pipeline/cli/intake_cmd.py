"""``sohoa ingest`` and ``sohoa watch``: scans into the store, by hand or from a hot folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from config.errors import ExitCode, SohoaError
from config.settings import load_settings
from pipeline.intake import DEFAULT_AGENCY, BatchReport, FileOutcome, Intake, Status, expand_paths

STATUS_LABELS = {
    Status.INGESTED: "đã lưu (ingested)",
    Status.DUPLICATE: "trùng, đã có (duplicate)",
    Status.FAILED: "lỗi (failed)",
}


def outcome_json(outcome: FileOutcome) -> dict[str, Any]:
    return {
        "file": str(outcome.path),
        "status": outcome.status.value,
        "sha256": outcome.sha256,
        "pages": outcome.pages,
        "documents": [
            {"document_id": str(i), "doc_type": t}
            for i, t in zip(outcome.document_ids, outcome.doc_types, strict=False)
        ],
        "reason": outcome.reason,
        "message": outcome.message,
        "quarantined": str(outcome.quarantined) if outcome.quarantined else None,
    }


def _summary_table(report: BatchReport) -> Table:
    table = Table(title=f"Hồ sơ (dossier): {report.dossier}" if report.dossier else None)
    table.add_column("Tệp (file)")
    table.add_column("Kết quả (result)")
    table.add_column("Tài liệu (documents)")
    table.add_column("Lý do (reason)")
    for o in report.outcomes:
        table.add_row(o.path.name, STATUS_LABELS[o.status], ", ".join(o.doc_types), o.message or "")
    return table


def _fail_if_partial(failed: int, total: int) -> None:
    if failed:
        raise SohoaError(
            f"{failed}/{total} tệp lỗi, đã cách ly (files failed and were quarantined)",
            exit_code=ExitCode.PARTIAL_BATCH,
        )


def register(app: typer.Typer) -> None:
    @app.command(
        "ingest",
        help="Tiếp nhận tệp quét hoặc thư mục: OCR, lưu bản gốc và bản PDF tìm kiếm được, ghi CSDL "
        "(ingest scans or folders into the store). Tệp đã có được báo trùng; tệp lỗi được cách ly.",
    )
    def ingest(
        paths: Annotated[list[Path], typer.Argument(help="tệp hoặc thư mục (files or folders)")],
        dossier: Annotated[
            str | None, typer.Option("--dossier", help="mã hồ sơ có sẵn (existing dossier code)")
        ] = None,
        procedure: Annotated[
            str | None, typer.Option("--procedure", help="mã thủ tục: tạo hồ sơ mới (new dossier)")
        ] = None,
        agency: Annotated[
            str | None,
            typer.Option(
                "--agency",
                envvar="SOHOA_AGENCY",
                help=f"mã định danh cơ quan tiếp nhận (receiving agency; default {DEFAULT_AGENCY})",
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="in kết quả dạng JSON")] = False,
    ) -> None:
        if dossier and (procedure or agency):
            raise SohoaError(
                "Dùng --dossier hoặc --procedure/--agency, không dùng cả hai (give one or the other)",
                exit_code=ExitCode.BAD_ARGS,
            )
        missing = [p for p in paths if not p.exists()]
        if missing:
            raise SohoaError(
                f"Không tìm thấy {missing[0]} (no such file or folder)", exit_code=ExitCode.INPUT_FILE
            )
        settings = load_settings()
        intake = Intake.open(settings, actor="cli")
        try:
            if procedure is None and agency is None and dossier is None:
                agency = DEFAULT_AGENCY  # every batch from the CLI is one dossier
            files = list(expand_paths(paths))
            if not files:
                raise SohoaError(
                    "Không có tệp quét nào (no scan files: .pdf .tif .jpg .png)",
                    exit_code=ExitCode.INPUT_FILE,
                )
            report = _run_with_progress(intake, files, dossier, procedure, agency, quiet=as_json)
        finally:
            intake.close()
        if as_json:
            print(
                json.dumps(
                    {"dossier": report.dossier, "files": [outcome_json(o) for o in report.outcomes]},
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            Console().print(_summary_table(report))
        _fail_if_partial(report.failed, len(report.outcomes))

    @app.command(
        "watch",
        help="Thư mục nóng: tiếp nhận mọi tệp máy quét thả vào DIR, rồi chuyển sang DIR/done hoặc "
        "DIR/failed kèm lý do (hot folder). Tệp lỗi chỉ vì kho lưu trữ hoặc cơ sở dữ liệu không "
        "trả lời được tự đưa lại vào DIR khi hai dịch vụ hoạt động trở lại (tối đa --attempts lần).",
    )
    def watch(
        directory: Annotated[Path, typer.Argument(help="thư mục theo dõi (folder to watch)")],
        once: Annotated[
            bool, typer.Option("--once", help="xử lý những gì đang có rồi thoát (process and exit)")
        ] = False,
        settle: Annotated[
            float, typer.Option("--settle", help="giây kích thước/mtime phải ổn định (settle seconds)")
        ] = 2.0,
        poll: Annotated[float, typer.Option("--poll", help="chu kỳ quét thư mục, giây")] = 1.0,
        attempts: Annotated[
            int,
            typer.Option(
                "--attempts", help="số lần thử tối đa khi kho/CSDL mất kết nối (attempts after an outage)"
            ),
        ] = 3,
        server: Annotated[
            str | None,
            typer.Option(
                "--server",
                help="gửi lên API của tỉnh thay vì lưu tại chỗ (upload to the province API); "
                "khóa API lấy từ biến môi trường SOHOA_API_KEY",
            ),
        ] = None,
        agency: Annotated[
            str | None, typer.Option("--agency", help="mã cơ quan tiếp nhận, với --server (agency code)")
        ] = None,
        wait: Annotated[
            bool,
            typer.Option(
                "--wait/--no-wait",
                help="với --server: chờ máy chủ xử lý xong mới chuyển vào done/ (wait for the job)",
            ),
        ] = True,
        retry_max: Annotated[
            float, typer.Option("--retry-max", help="giây chờ tối đa giữa hai lần thử lại (backoff cap)")
        ] = 30.0,
    ) -> None:
        from pipeline.watch import HotFolder

        if settle < 0 or poll <= 0 or attempts < 1 or retry_max <= 0:
            raise SohoaError(
                "--settle ≥ 0, --poll > 0, --attempts ≥ 1 và --retry-max > 0", exit_code=ExitCode.BAD_ARGS
            )
        console = Console(stderr=True)

        def show(outcome: FileOutcome) -> None:
            console.print(f"{outcome.path.name}: {STATUS_LABELS[outcome.status]} {outcome.message or ''}")

        folder: HotFolder
        if server is not None:
            from pipeline.watch_remote import Backoff, open_remote

            # --once gives up after a few tries (the file waits in processing/ for the next run);
            # a running watcher keeps trying until the server is back.
            backoff = Backoff(first=min(1.0, retry_max), cap=retry_max, tries=6 if once else 0)
            folder = open_remote(
                directory, server, agency=agency, settle_seconds=settle, max_attempts=attempts,
                backoff=backoff, wait=wait, poll_seconds=min(poll, 2.0),
            )
            close = folder.client.close
        else:
            intake = Intake.open(load_settings(), actor="watch")
            folder = HotFolder(directory, intake, settle_seconds=settle, max_attempts=attempts)
            close = intake.close
        try:
            stats = folder.run_once(show) if once else folder.run_forever(show, poll_seconds=poll)
        finally:
            close()
        console.print(
            f"đã lưu {stats.ingested}, trùng {stats.duplicates}, lỗi {stats.failed} "
            f"(ingested, duplicates, failed)"
        )
        if once:
            _fail_if_partial(stats.failed, len(stats.outcomes))


def _run_with_progress(
    intake: Intake,
    files: list[Path],
    dossier: str | None,
    procedure: str | None,
    agency: str | None,
    *,
    quiet: bool,
) -> BatchReport:
    if quiet or not sys.stderr.isatty():
        return intake.ingest(files, dossier_code=dossier, procedure_code=procedure, agency_code=agency)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        files_task = progress.add_task("Tệp (files)", total=len(files))
        pages_task = progress.add_task("Trang (pages)", total=None)

        def on_start(path: Path) -> None:
            progress.update(files_task, description=f"Tệp: {path.name[:40]}")
            progress.reset(pages_task, total=None)

        def on_pages(done: int, total: int) -> None:
            progress.update(pages_task, completed=done, total=total)

        return intake.ingest(
            files,
            dossier_code=dossier,
            procedure_code=procedure,
            agency_code=agency,
            on_start=on_start,
            on_file=lambda _o: progress.advance(files_task),
            page_progress=on_pages,
        )
