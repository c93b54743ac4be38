"""``sohoa report``: the Decision 766 digitisation indicators over a period."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from config.errors import ExitCode, SohoaError
from config.settings import load_settings
from pipeline.cli.options import JsonOpt, parse_day
from pipeline.report import Report, Share, build_report
from pipeline.services import open_database
from storage.db.dossiers import check_agency_code
from storage.db.engine import read_session

INDICATORS = (
    ("digitised", "Hồ sơ được số hóa (digitised)"),
    ("e_results", "Kết quả điện tử (e-results)"),
    ("reused", "Dùng lại dữ liệu đã có (reused data)"),
    ("on_time", "Đúng hạn (on time)"),
)


def _cell(share: Share) -> str:
    ratio = share.ratio
    pct = "—" if ratio is None else f"{ratio:.1%}"
    return f"{pct} ({share.numerator}/{share.denominator})"


def report_table(report: Report) -> Table:
    table = Table(title="Chỉ tiêu số hóa theo Quyết định 766 (Decision 766 indicators)")
    table.add_column("Cơ quan (agency)")
    table.add_column("Hồ sơ")
    for _, label in INDICATORS:
        table.add_column(label)
    rows = [*report.agencies, *([report.total] if report.total else [])]
    for ind in rows:
        name = "Tổng (total)" if ind.agency == "*" else ind.agency
        table.add_row(name, str(ind.dossiers), *(_cell(getattr(ind, key)) for key, _ in INDICATORS))
    return table


def register(app: typer.Typer) -> None:
    @app.command(
        "report",
        help="Chỉ tiêu số hóa (Quyết định 766) theo cơ quan và kỳ báo cáo: tỷ lệ hồ sơ số hóa, "
        "kết quả điện tử, dùng lại dữ liệu, chứng thực điện tử, đúng hạn.",
    )
    def report_cmd(
        from_: Annotated[str | None, typer.Option("--from", help="từ ngày YYYY-MM-DD")] = None,
        to: Annotated[str | None, typer.Option("--to", help="đến ngày YYYY-MM-DD")] = None,
        agency: Annotated[
            list[str] | None, typer.Option("--agency", help="mã định danh cơ quan (lặp lại được)")
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        start, end = parse_day(from_, "--from"), parse_day(to, "--to")
        if start and end and start > end:
            raise SohoaError("--from sau --to (empty period)", exit_code=ExitCode.BAD_ARGS)
        agencies = [check_agency_code(a) for a in agency] if agency else None
        settings = load_settings()
        engine = open_database(settings, check_schema=True)  # read-only: never migrates
        try:
            with read_session(engine) as session:
                report = build_report(session, period_from=start, period_to=end, agencies=agencies)
        finally:
            engine.dispose()
        if as_json:
            print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        console = Console()
        console.print(report_table(report))
        console.print(f"Chứng thực bản sao điện tử: {_cell(report.e_copy_certifications)}")
