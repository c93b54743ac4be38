"""Entry point of the ``sohoa`` console script.

Commands are registered lazily (:mod:`pipeline.cli.lazy`): this module imports Typer and the
error types only, so ``sohoa --help`` and ``sohoa --version`` start in a fraction of the time a
full import of pyHanko, FastAPI, OpenCV and SQLAlchemy takes. Every command raises
:class:`config.SohoaError` for expected failures; :func:`main` turns it into one line on stderr
and the error's exit code, never a traceback (set ``SOHOA_DEBUG=1`` to see one). Ctrl-C exits 130
and SIGTERM 143, like a shell, after the command's ``finally`` blocks have removed partial output.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import Annotated, ClassVar

import typer
from typer._click import exceptions as click_exc

from config.errors import ExitCode, SohoaError
from pipeline.cli.lazy import LazyCommand, LazyGroup
from pipeline.cli.vi import ViTyper, render_usage_error

EXIT_SIGINT = 130
EXIT_SIGTERM = 143

# The order is the order of ``sohoa --help``; a test checks each summary against the command.
COMMANDS = (
    LazyCommand("ocr", "pipeline.cli.ocr_cmd", "Nhận dạng một tệp quét; ghi PDF/A tìm kiếm được với -o."),
    LazyCommand("ingest", "pipeline.cli.intake_cmd", "Tiếp nhận tệp quét hoặc thư mục vào kho (ingest)."),
    LazyCommand("watch", "pipeline.cli.intake_cmd", "Thư mục nóng của máy quét (hot folder)."),
    LazyCommand("lookup", "pipeline.cli.lookup_cmd", "Tra cứu giấy tờ đã số hóa của một người/doanh nghiệp."),
    LazyCommand("reuse", "pipeline.cli.lookup_cmd", "Dùng lại một giấy tờ đã có cho một hồ sơ."),
    LazyCommand("correct", "pipeline.cli.lookup_cmd", "Cán bộ sửa hoặc xác nhận một trường đã trích xuất."),
    LazyCommand("procedures", "pipeline.cli.dossier_cmd", "Danh mục thủ tục hành chính (nạp CSV/JSON)."),
    LazyCommand("dossier", "pipeline.cli.dossier_cmd", "Hồ sơ một cửa: tiếp nhận, xử lý, trả kết quả."),
    LazyCommand("certification", "pipeline.cli.dossier_cmd", "Sổ chứng thực: ghi bản sao chứng thực giấy."),
    LazyCommand("archive", "pipeline.cli.dossier_cmd", "Lưu trữ dài hạn: gia hạn dấu thời gian (B-LTA)."),
    LazyCommand("access-log", "pipeline.cli.access_log_cmd", "Ai đã xem dữ liệu cá nhân của một người."),
    LazyCommand("export", "pipeline.cli.export_cmd", "Xuất bản lưu của một tài liệu ra tệp (export)."),
    LazyCommand("sign", "pipeline.cli.sign_cmd", "Ký số PDF bằng token/tệp khóa và con dấu cơ quan."),
    LazyCommand("certify", "pipeline.cli.sign_cmd", "Chứng thực bản sao điện tử từ bản chính."),
    LazyCommand("verify", "pipeline.cli.sign_cmd", "Kiểm tra mọi chữ ký số trong tệp PDF (verify)."),
    LazyCommand("report", "pipeline.cli.report_cmd", "Chỉ tiêu số hóa (Quyết định 766) theo cơ quan, kỳ."),
    LazyCommand("serve", "pipeline.cli.serve_cmd", "Chạy API HTTP và trang web cán bộ (HTTP API)."),
    LazyCommand("worker", "pipeline.cli.serve_cmd", "Chạy xử lý trang từ hàng đợi Celery (queue worker)."),
    LazyCommand("db", "pipeline.cli.db_cmd", "Cơ sở dữ liệu: nâng cấp lược đồ (sohoa db upgrade)."),
    LazyCommand("admin", "pipeline.cli.admin_cmd", "Quản trị: khóa API và tài khoản cán bộ."),
    LazyCommand("sign-client", "pipeline.cli.signclient_cmd", "Ký hàng đợi của máy chủ bằng token cán bộ."),
    LazyCommand("test-pki", "pipeline.cli.testpki_cmd", "Tạo PKI thử nghiệm — CHỈ DÙNG THỬ NGHIỆM."),
)


class SohoaGroup(LazyGroup):
    lazy: ClassVar[tuple[LazyCommand, ...]] = COMMANDS


def version() -> str:
    """The installed distribution's version (``pyproject.toml``), without importing sohoa."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("sohoa")
    except PackageNotFoundError:
        return "0+unknown"


def _show_version(value: bool) -> None:
    if value:
        print(f"sohoa {version()}")
        raise typer.Exit(0)


app = ViTyper(
    name="sohoa",
    cls=SohoaGroup,
    help="Số hóa hồ sơ: quét, nhận dạng, lưu trữ, ký số và chứng thực bản sao điện tử.",
    no_args_is_help=True,
)


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_show_version,
                     help="In phiên bản rồi thoát (print the version and exit)."),
    ] = False,
) -> None:
    """Số hóa hồ sơ: quét, nhận dạng, lưu trữ, ký số và chứng thực bản sao điện tử."""


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so ``finally`` blocks remove partial output."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and map failures to one stderr line and an exit code."""
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        code = app(args=argv, prog_name="sohoa", standalone_mode=False)
    except SohoaError as exc:
        if os.environ.get("SOHOA_DEBUG"):
            raise
        print(f"sohoa: {exc.message}", file=sys.stderr)
        sys.exit(int(exc.exit_code))
    except (typer.Abort, KeyboardInterrupt):
        code = EXIT_SIGINT
    except Terminated:
        print("sohoa: đã dừng theo yêu cầu (terminated)", file=sys.stderr)
        sys.exit(EXIT_SIGTERM)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except click_exc.NoArgsIsHelpError as exc:
        print(exc.format_message(), file=sys.stderr)
        sys.exit(int(ExitCode.BAD_ARGS))
    except click_exc.UsageError as exc:
        print(render_usage_error(exc), file=sys.stderr)
        sys.exit(int(exc.exit_code))
    except click_exc.ClickException as exc:
        print(f"sohoa: lỗi (error): {exc.format_message()}", file=sys.stderr)
        sys.exit(int(exc.exit_code))
    except Exception as exc:
        if os.environ.get("SOHOA_DEBUG"):
            raise
        print(f"sohoa: lỗi nội bộ (internal error): {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(int(ExitCode.INTERNAL))
    finally:
        signal.signal(signal.SIGTERM, previous)
    # Typer turns Ctrl-C into ``Exit(130)`` and, outside standalone mode, returns the code.
    if code == EXIT_SIGINT:
        print("sohoa: đã hủy (interrupted)", file=sys.stderr)
        sys.exit(EXIT_SIGINT)
    if isinstance(code, int) and code:
        sys.exit(code)


if __name__ == "__main__":
    main()
