"""The FastAPI application: one router module per area, all on the CLI's code paths.

``create_app(settings)`` opens the services (:func:`pipeline.services.open_services`: the schema
must be current, ``sohoa db upgrade`` migrates it) and, unless told not to, starts the in-process
intake worker (a thread pool claiming rows of the job table, so a separate
``sohoa worker`` process can share the load) and the webhook delivery loop.
Routers are served under ``/api/v1`` and, deprecated, at their old paths
(:mod:`pipeline.api.versioning`); every error is a problem document (:mod:`pipeline.api.problems`).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine

from config.settings import Settings
from pipeline.api.access_log import install_access_log
from pipeline.api.context import ApiContext
from pipeline.api.paging import ApiJSONResponse
from pipeline.api.problems import RejectNulBytes, document_problems, install_problem_handlers
from pipeline.api.security_headers import install_security_headers
from pipeline.api.versioning import API_PREFIX, DeprecationHeaders, include_versioned
from pipeline.dossier.catalogue import ensure_default_catalogue
from pipeline.jobs import JobRunner
from pipeline.services import open_services
from pipeline.webhooks import WebhookDispatcher
from storage.db.engine import run_in_transaction
from storage.db.wal import start_wal_checkpointer
from storage.objects.base import ObjectStore

# Routers of this package, in the order of the OpenAPI description.
ROUTER_MODULES = (
    "pipeline.api.routes_health",
    "pipeline.api.routes_auth",
    "pipeline.api.routes_intake",
    "pipeline.api.routes_documents",
    "pipeline.api.routes_lookup",
    "pipeline.api.routes_access_log",
    "pipeline.api.routes_signing",
    "pipeline.api.routes_results",
    "pipeline.api.routes_verify",
    "pipeline.api.routes_objects",
    "pipeline.api.routes_webhooks",
    "pipeline.api.routes_doctypes",
    "pipeline.api.routes_metrics",
)
# Routers of the web engineer (staff page, Decision 766 report): included when present.
OPTIONAL_ROUTER_MODULES = (
    "pipeline.api.routes_report",
    "pipeline.api.routes_web",
    "pipeline.api.routes_dossier",
    "pipeline.api.routes_staff",
    "pipeline.api.routes_dossier_result",
)

DESCRIPTION = (
    "API số hóa hồ sơ một cửa: tiếp nhận bản quét, tra cứu dữ liệu đã có, hàng đợi ký số, "
    "kết quả điện tử và kiểm tra chữ ký. Xác thực: `X-API-Key` (hệ thống) hoặc "
    f"`Authorization: Bearer` (cán bộ, POST {API_PREFIX}/auth/login). Mọi lỗi trả về dạng "
    "`application/problem+json` (RFC 9457); danh sách trả về theo trang (`items`, `total`, `links`). "
    "Các đường dẫn cũ không có `/api/v1` còn dùng được đến hết phiên bản sau (tiêu đề `Deprecation`, "
    "`Sunset`). Hướng dẫn tích hợp: docs/integrators.md."
)


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    store: ObjectStore | None = None,
    start_worker: bool = True,
) -> FastAPI:
    services = open_services(settings, check_schema=True, engine=engine, store=store)
    run_in_transaction(services.engine, ensure_default_catalogue)  # idempotent: the shipped procedures
    ctx = ApiContext(
        settings=services.settings, engine=services.engine, store=services.store, queue=services.queue
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        webhooks = None
        # SQLite: WAL checkpoints in a thread of the server, not in the request that commits.
        checkpointer = start_wal_checkpointer(ctx.engine)
        app.state.wal_checkpointer = checkpointer
        if start_worker and ctx.queue is None:  # with a broker, `sohoa worker` processes run the jobs
            ctx.jobs = JobRunner(ctx)
            ctx.jobs.start()
        if start_worker:
            api = ctx.settings.api
            webhooks = WebhookDispatcher(
                ctx, retry_seconds=api.webhook_retry_seconds, max_attempts=api.webhook_max_attempts
            )
            webhooks.start()
        try:
            yield
        finally:
            if webhooks is not None:
                webhooks.stop()
            if ctx.jobs is not None:
                ctx.jobs.stop()
                ctx.jobs = None
            if checkpointer is not None:
                checkpointer.stop()

    # Swagger UI and ReDoc from the fastapi-offline package's own copies: /docs works offline.
    app = FastAPIOffline(
        title="sohoa",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        default_response_class=ApiJSONResponse,
        static_url="/docs-assets",
    )
    app.state.ctx = ctx
    install_problem_handlers(app)
    alias_paths: set[str] = set()
    for name in ROUTER_MODULES + OPTIONAL_ROUTER_MODULES:
        if importlib.util.find_spec(name) is not None:
            include_versioned(app, importlib.import_module(name).router, alias_paths)
    app.add_middleware(DeprecationHeaders, alias_paths=alias_paths)
    app.add_middleware(RejectNulBytes)  # outside the alias headers, inside the access log
    install_access_log(app)
    install_security_headers(app)
    _describe_problems(app)
    return app


def _describe_problems(app: FastAPI) -> None:
    """The OpenAPI document, once, with the problem-details responses on every operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            app.openapi_schema = document_problems(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
