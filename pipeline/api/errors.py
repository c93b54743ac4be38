"""Expected failures (``SohoaError``) as JSON answers with a fitting HTTP status.

The body is ``{"detail": message}`` like FastAPI's own errors; messages are the same one-line,
secret-free texts the CLI prints. Anything unexpected is logged (type only) and answered 500.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from config.errors import ExitCode, SohoaError
from pipeline.errors import Refused

log = logging.getLogger("sohoa.api")

STATUS_BY_EXIT_CODE: dict[ExitCode, int] = {
    ExitCode.BAD_ARGS: 400,
    ExitCode.INPUT_FILE: 422,
    ExitCode.OCR: 422,
    ExitCode.VERIFICATION: 422,
    ExitCode.SIGNING: 422,
    ExitCode.TIMEOUT: 504,
    ExitCode.STORAGE: 503,
    ExitCode.DATABASE: 503,
}


def status_for(exc: SohoaError) -> int:
    name = type(exc).__name__
    if name in {"NotFoundError", "ObjectNotFoundError"}:
        return 404
    if name == "PresignError":
        return 403
    if isinstance(exc, Refused):
        return exc.status_code
    return STATUS_BY_EXIT_CODE.get(exc.exit_code, 500)


# The routes' name for a workflow refusal: one class, so a refusal raised below the API keeps its status.
ApiError = Refused


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SohoaError)
    async def _sohoa_error(_request: Request, exc: SohoaError) -> JSONResponse:
        code = status_for(exc)
        if code >= 500:
            log.warning("request failed: %s (%s)", type(exc).__name__, code)
        return JSONResponse({"detail": exc.message}, status_code=code)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error: %s", type(exc).__name__)
        return JSONResponse({"detail": "Lỗi nội bộ (internal error)"}, status_code=500)
