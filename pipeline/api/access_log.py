"""Access log without query strings: a lookup's ``?owner=`` is a personal id number.

uvicorn's own access log prints the full request line, so ``sohoa serve`` turns it off and this
middleware logs method, path, status, time and caller instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

log = logging.getLogger("sohoa.api.access")


def install_access_log(app: FastAPI) -> None:
    @app.middleware("http")
    async def _access(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            principal = getattr(request.state, "principal", None)
            who = principal.actor if principal is not None else "-"
            log.info(
                "%s %s %s %.1fms %s",
                request.method,
                request.url.path,
                status,
                (time.perf_counter() - started) * 1000,
                who,
            )
