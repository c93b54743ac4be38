"""The HTTP status of an expected failure (``SohoaError``); the answer's shape is in ``problems``.

Validation failures are 422 everywhere: ``BadInputError`` (``ExitCode.BAD_ARGS``), refusals of a
value and FastAPI's request validation alike; 400 only for a body that cannot be read at all.
A database that does not answer is a 503 with ``Retry-After``. See :mod:`pipeline.api.problems`.
"""

from __future__ import annotations

from config.errors import ExitCode, SohoaError
from pipeline.errors import Refused

STATUS_BY_EXIT_CODE: dict[ExitCode, int] = {
    ExitCode.BAD_ARGS: 422,
    ExitCode.INPUT_FILE: 422,
    ExitCode.OCR: 422,
    ExitCode.VERIFICATION: 422,
    ExitCode.SIGNING: 422,
    ExitCode.TIMEOUT: 504,
    ExitCode.STORAGE: 503,
    ExitCode.DATABASE: 503,
}

DB_UNAVAILABLE = (
    "Cơ sở dữ liệu tạm thời không phản hồi, xin thử lại sau ít phút (database unavailable, retry later)"
)
RETRY_AFTER_OUTAGE = "30"


def status_for(exc: SohoaError) -> int:
    name = type(exc).__name__
    if name in {"NotFoundError", "ObjectNotFoundError"}:
        return 404
    if name == "LoginThrottledError":
        return 429
    if name == "PurposeRefusedError":
        return 403
    if name == "PresignError":
        return 403
    if isinstance(exc, Refused):
        return exc.status_code
    return STATUS_BY_EXIT_CODE.get(exc.exit_code, 500)


# The routes' name for a workflow refusal: one class, so a refusal raised below the API keeps its status.
ApiError = Refused
