"""Access log without query strings: a lookup's ``?owner=`` is a personal id number.

uvicorn's own access log prints the full request line, so ``sohoa serve`` turns it off and this
middleware logs method, path, status, time and caller instead. It is a plain ASGI middleware
(not ``BaseHTTPMiddleware``), so it adds no task or stream copying to each request.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import FastAPI

from config.log_safety import escape_control

log = logging.getLogger("sohoa.api.access")

Scope = dict[str, Any]


class AccessLog:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_status(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            if log.isEnabledFor(logging.INFO):
                principal = getattr(scope.get("state", {}).get("principal"), "actor", None)
                log.info(
                    "%s %s %s %.1fms %s",
                    escape_control(scope["method"]),
                    escape_control(scope["path"]),  # %0A must not start a forged line
                    status[0],
                    (time.perf_counter() - started) * 1000,
                    escape_control(principal or "-"),
                )


def install_access_log(app: FastAPI) -> None:
    app.add_middleware(AccessLog)
