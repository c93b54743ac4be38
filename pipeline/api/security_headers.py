"""Response headers that keep personal data out of caches, frames and other origins' reach.

Every answer may carry personal data (lookups, fields, the staff page showing them), so every
answer is ``no-store``; a route that sets its own Cache-Control keeps ``no-store`` in it (checked
for every personal-data route by ``tests/api/test_api_personal_headers.py``),
may not be framed by another origin (clickjacking the signing page; the page itself shows a
document's PDF in a frame of a ``blob:`` URL), sends no referrer (URLs hold document ids) and
runs only this origin's scripts. A plain ASGI middleware: no body copying.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

# connect-src: the page may call the official's own signing agent on loopback (sign-client --serve).
# frame-src blob:: the dossier page shows a document's PDF (fetched with the token) in a frame.
CSP = (
    "default-src 'self'; connect-src 'self' http://127.0.0.1:* http://localhost:*; "
    "img-src 'self' data: blob:; frame-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's interactive docs load their scripts from a CDN: there only framing is forbidden.
DOCS_CSP = "frame-ancestors 'none'"
DOCS_PATHS = ("/docs", "/redoc")

FIXED = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if str(scope.get("path", "")).startswith(DOCS_PATHS) else CSP

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in (*FIXED, (b"content-security-policy", csp.encode())):
                    if name not in present:
                        headers.append((name, value))
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)
