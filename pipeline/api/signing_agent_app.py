"""The signing agent's HTTP face on 127.0.0.1 (``sohoa sign-client --serve``): thin routes, guards.

Every request passes :class:`AgentGuard` first: the Host header must be the agent's own
loopback name (DNS rebinding), a request from a browser must come from an allowed origin (CORS,
with the Private Network Access preflight answered), and everything but ``GET /status`` needs
the pairing code. The work itself is :mod:`pipeline.signing_agent`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Path, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from pipeline.api.problems import install_problem_handlers, problem_response
from pipeline.signing_agent import MAX_ITEMS, PAIRING_HEADER, SigningAgent

ALLOW_METHODS = "GET, POST, OPTIONS"
ALLOW_HEADERS = f"Content-Type, {PAIRING_HEADER}"
OPEN_PATHS = ("/status",)


class BatchRequest(BaseModel):
    server: str = Field(min_length=8, max_length=512, description="URL của sohoa serve (trang gọi)")
    access_token: str = Field(min_length=8, max_length=4096, description="mã phiên của cán bộ ký")
    item_ids: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(min_length=1, max_length=MAX_ITEMS)


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


class AgentGuard:
    """Host, origin and pairing checks, and the CORS headers on every answer (plain ASGI)."""

    def __init__(self, app: Any, agent: SigningAgent) -> None:
        self.app = app
        self.agent = agent

    async def _refuse(self, scope: dict[str, Any], receive: Any, send: Any, status: int, detail: str) -> None:
        await problem_response(status, detail, scope.get("path"))(scope, receive, send)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        agent = self.agent
        if not agent.host_allowed(_header(scope, b"host")):
            await self._refuse(scope, receive, send, 421, "Sai địa chỉ ứng dụng ký (wrong Host header)")
            return
        origin = _header(scope, b"origin")
        if origin is not None and not agent.origin_allowed(origin):
            await self._refuse(
                scope, receive, send, 403, "Trang này không được phép dùng ứng dụng ký (origin not allowed)"
            )
            return
        cors: list[tuple[bytes, bytes]] = [(b"vary", b"Origin"), (b"cache-control", b"no-store")]
        if origin is not None:
            cors.append((b"access-control-allow-origin", origin.encode()))
        method = scope.get("method", "GET")
        if method == "OPTIONS" and origin is not None and _header(scope, b"access-control-request-method"):
            headers = [
                *cors,
                (b"access-control-allow-methods", ALLOW_METHODS.encode()),
                (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
                (b"access-control-max-age", b"600"),
            ]
            if (_header(scope, b"access-control-request-private-network") or "").lower() == "true":
                headers.append((b"access-control-allow-private-network", b"true"))
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *cors]}
            await send(message)

        if scope.get("path") not in OPEN_PATHS and not agent.paired(
            _header(scope, PAIRING_HEADER.lower().encode())
        ):
            await self._refuse(
                scope,
                receive,
                send_with_cors,
                401,
                "Chưa ghép nối với ứng dụng ký: nhập mã ghép nối hiện trên cửa sổ ứng dụng ký "
                "(pairing code missing or wrong)",
            )
            return
        await self.app(scope, receive, send_with_cors)


def create_agent_app(agent: SigningAgent) -> FastAPI:
    app = FastAPI(title="sohoa signing agent", docs_url=None, redoc_url=None, openapi_url=None)
    install_problem_handlers(app)

    @app.get("/status")
    async def status(request: Request) -> dict[str, Any]:
        code = request.headers.get(PAIRING_HEADER)
        paired = agent.paired(code) if code is not None else False
        return await run_in_threadpool(lambda: agent.status(paired=paired))

    @app.post("/batches", status_code=202)
    def post_batch(body: BatchRequest) -> dict[str, Any]:
        return agent.submit(body.server, body.access_token, body.item_ids)

    @app.get("/batches/{batch_id}")
    def get_batch(batch_id: Annotated[str, Path(min_length=8, max_length=64)]) -> dict[str, Any]:
        return agent.batch(batch_id)

    app.add_middleware(AgentGuard, agent=agent)
    return app


def serve_agent(agent: SigningAgent) -> None:
    """Run the agent on 127.0.0.1 only, until Ctrl-C."""
    import uvicorn

    uvicorn.run(
        create_agent_app(agent),
        host="127.0.0.1",
        port=agent.config.port,
        log_level="warning",
        access_log=False,
        server_header=False,
    )
