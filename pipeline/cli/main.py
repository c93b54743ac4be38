"""Entry point of the ``sohoa`` console script.

Every command raises :class:`config.SohoaError` for expected failures; this wrapper turns it
into one line on stderr and the error's exit code, never a traceback (set ``SOHOA_DEBUG=1`` to
see one).
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from config.errors import ExitCode, SohoaError

app = typer.Typer(
    name="sohoa",
    help="Số hóa hồ sơ: quét, nhận dạng, lưu trữ, ký số và chứng thực bản sao điện tử.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Each module defines ``register(app)``; the order is the order of ``sohoa --help``.
COMMAND_MODULES = (
    "pipeline.cli.ocr_cmd",
    "pipeline.cli.intake_cmd",
    "pipeline.cli.lookup_cmd",
    "pipeline.cli.export_cmd",
    "pipeline.cli.sign_cmd",
    "pipeline.cli.report_cmd",
    "pipeline.cli.serve_cmd",
    "pipeline.cli.db_cmd",
    "pipeline.cli.admin_cmd",
    "pipeline.cli.signclient_cmd",
    "pipeline.cli.testpki_cmd",
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and map failures to one stderr line and an exit code."""
    try:
        app(args=argv, standalone_mode=False)
    except SohoaError as exc:
        if os.environ.get("SOHOA_DEBUG"):
            raise
        print(f"sohoa: {exc.message}", file=sys.stderr)
        sys.exit(int(exc.exit_code))
    except (typer.Abort, KeyboardInterrupt):
        print("sohoa: đã hủy (interrupted)", file=sys.stderr)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # usage errors: click's own one-line message
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            print(f"sohoa: {exc}", file=sys.stderr)
        sys.exit(int(getattr(exc, "exit_code", ExitCode.BAD_ARGS)))
    except Exception as exc:
        if os.environ.get("SOHOA_DEBUG"):
            raise
        print(f"sohoa: lỗi nội bộ (internal error): {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(int(ExitCode.INTERNAL))

if __name__ == "__main__":
    main()
