"""``sohoa serve`` (the HTTP API with uvicorn) and ``sohoa worker`` (intake jobs, separately).

Both refuse to start on a database whose schema is not current (``sohoa db upgrade`` first).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from config.errors import ExitCode, SohoaError
from config.settings import load_settings


def configure_logging(level: str) -> None:
    """Log lines for operators (text or JSON, ``SOHOA_LOG__FORMAT``); the access log is ours."""
    from config.logs import configure_logging as configure

    configure(load_settings().log, level)


SERVE_JOBS_ENV = "SOHOA_SERVE_JOBS"
SERVE_LOG_ENV = "SOHOA_SERVE_LOG_LEVEL"


def app_from_environment() -> Any:
    """Entry point of each ``--workers`` process (uvicorn imports it by name)."""
    from pipeline.api.app import create_app

    configure_logging(os.environ.get(SERVE_LOG_ENV, "info"))
    return create_app(load_settings(), start_worker=os.environ.get(SERVE_JOBS_ENV, "1") == "1")


def register(app: typer.Typer) -> None:
    @app.command("serve", help="Chạy API HTTP cho hệ thống khác và trang web cán bộ (HTTP API).")
    def serve(
        host: Annotated[str | None, typer.Option(help="địa chỉ lắng nghe (default: settings)")] = None,
        port: Annotated[int | None, typer.Option(help="cổng (default: settings, 8080)")] = None,
        worker: Annotated[
            bool, typer.Option("--worker/--no-worker", help="chạy công việc tiếp nhận trong tiến trình này")
        ] = True,
        log_level: Annotated[str, typer.Option(help="debug, info, warning")] = "info",
        workers: Annotated[
            int, typer.Option(min=1, max=32, help="số tiến trình API (processes; with >1 prefer --no-worker)")
        ] = 1,
    ) -> None:
        import uvicorn

        from pipeline.api.app import create_app

        overrides: dict[str, object] = {}
        base = load_settings()
        api = base.api.model_copy(update={k: v for k, v in {"host": host, "port": port}.items() if v})
        overrides["api"] = api
        settings = load_settings(**overrides)
        if not 0 < settings.api.port < 65536:
            raise SohoaError("Cổng không hợp lệ (port must be 1-65535)", exit_code=ExitCode.BAD_ARGS)
        configure_logging(log_level)
        if workers > 1:
            from pipeline.services import open_database

            open_database(settings, check_schema=True).dispose()  # refuse once, before the processes
            # The worker processes build their own settings from the environment (entry point).
            os.environ["SOHOA_API__HOST"] = settings.api.host
            os.environ["SOHOA_API__PORT"] = str(settings.api.port)
            os.environ[SERVE_JOBS_ENV] = "1" if worker else "0"
            os.environ[SERVE_LOG_ENV] = log_level
            # uvicorn's own command line, in place of this process: its multi-process supervisor
            # spawns children that re-import ``__main__``, which the ``sohoa`` script is not fit for.
            os.execv(
                sys.executable,
                [
                    sys.executable, "-m", "uvicorn", "pipeline.cli.serve_cmd:app_from_environment",
                    "--factory", "--workers", str(workers), "--host", settings.api.host,
                    "--port", str(settings.api.port), "--no-access-log", "--log-level", log_level,
                    "--timeout-graceful-shutdown", "30",
                ],
            )
        application = create_app(settings, start_worker=worker)
        uvicorn.run(
            application,
            host=settings.api.host,
            port=settings.api.port,
            access_log=False,
            log_level=log_level,
            log_config=None,  # keep the handlers configure_logging installed (JSON or text)
            timeout_graceful_shutdown=30,
        )

    @app.command(
        "worker",
        help="Chạy xử lý trang và hồ sơ từ hàng đợi Celery (queue worker; needs SOHOA_QUEUE__BROKER_URL).",
    )
    def worker_cmd(
        log_level: Annotated[str, typer.Option(help="debug, info, warning")] = "info",
        concurrency: Annotated[
            int, typer.Option(min=1, max=256, help="số tiến trình xử lý trang (worker processes)")
        ] = 1,
        queues: Annotated[
            str, typer.Option(help="hàng đợi: intake,pages (queues to consume)")
        ] = "intake,pages",
        name: Annotated[
            str | None, typer.Option(help="tên nút Celery (node name, default random@host)")
        ] = None,
    ) -> None:
        from pipeline.services import open_services
        from pipeline.tasks.worker import run_worker

        configure_logging(log_level)
        services = open_services(load_settings(), check_schema=True)
        services.close()  # each pool process opens its own connections
        if services.queue is None:
            raise SohoaError(
                "sohoa worker cần hàng đợi: đặt SOHOA_QUEUE__BROKER_URL (needs a broker; without one "
                "sohoa serve runs every job itself)",
                exit_code=ExitCode.BAD_ARGS,
            )
        run_worker(
            services, concurrency=concurrency, queues=queues.split(","), name=name, log_level=log_level
        )
