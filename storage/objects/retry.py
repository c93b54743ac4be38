"""Retrying calls to an object server that is briefly unreachable, within a time bound.

Only failures that another attempt could cure are retried: connection errors, timeouts and 5xx
answers. The bound is wall-clock (``retry_seconds``), so a batch waiting for MinIO to come back
fails clearly and on time instead of hanging.
"""

from __future__ import annotations

import http.client
import logging
import time
from collections.abc import Callable
from typing import TypeVar

import urllib3.exceptions
from minio.error import S3Error, ServerError

from storage.objects.errors import StorageUnavailableError

log = logging.getLogger(__name__)

T = TypeVar("T")

TRANSIENT_CODES = frozenset(
    {"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "XMinioServerNotInitialized"}
)
FIRST_DELAY = 0.1
MAX_DELAY = 4.0


def is_transient(exc: BaseException) -> bool:
    if isinstance(
        exc, urllib3.exceptions.HTTPError | http.client.HTTPException | ConnectionError | TimeoutError
    ):
        return True
    if isinstance(exc, ServerError):
        return exc.status_code >= 500
    if isinstance(exc, S3Error):
        status = getattr(exc.response, "status", 0) or 0
        return exc.code in TRANSIENT_CODES or status >= 500
    return False  # local OSErrors (disk full, permissions) are not the server's: no retry


def with_retries(
    what: str,
    fn: Callable[[], T],
    retry_seconds: float,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn`` until it succeeds, fails for good, or ``retry_seconds`` have passed."""
    deadline = time.monotonic() + retry_seconds
    delay = FIRST_DELAY
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except Exception as exc:
            if not is_transient(exc):
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StorageUnavailableError(
                    f"Máy chủ lưu trữ không phản hồi sau {retry_seconds:g} giây ({what}; "
                    f"object server unreachable after {attempt} attempts: {type(exc).__name__})"
                ) from exc
            wait = min(delay, remaining)
            log.warning(
                "object server unreachable during %s (attempt %d, %s); retrying in %.1f s",
                what,
                attempt,
                type(exc).__name__,
                wait,
            )
            sleep(wait)
            delay = min(delay * 2, MAX_DELAY)
