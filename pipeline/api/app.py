"""The FastAPI application: one router module per area, all on the CLI's code paths.

``create_app(settings)`` migrates the database, opens the object store and, unless told not to,
starts the in-process intake worker (a thread pool claiming rows of the job table, so a separate
``sohoa worker`` process can share the load).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine

from config.settings import Settings
from pipeline.api.access_log import install_access_log
from pipeline.api.context import ApiContext
from pipeline.api.errors import install_error_handlers
from storage.db.catalogue import seed_catalogue
from storage.db.engine import run_in_transaction
from storage.db.migrate import upgrade_database
from storage.objects.base import ObjectStore
from storage.objects.factory import open_object_store

# Routers of this package, in the order of the OpenAPI description.
ROUTER_MODULES = (
    "pipeline.api.routes_health",
    "pipeline.api.routes_auth",
    "pipeline.api.routes_intake",
    "pipeline.api.routes_documents",
    "pipeline.api.routes_lookup",
    "pipeline.api.routes_signing",
    "pipeline.api.routes_results",
    "pipeline.api.routes_verify",
    "pipeline.api.routes_objects",
    "pipeline.api.routes_metrics",
)
# Routers of the web engineer (staff page, Decision 766 report): included when present.
OPTIONAL_ROUTER_MODULES = ("pipeline.api.routes_report", "pipeline.api.routes_web")

DESCRIPTION = (
    "API số hóa hồ sơ một cửa: tiếp nhận bản quét, tra cứu dữ liệu đã có, hàng đợi ký số, "
    "kết quả điện tử và kiểm tra chữ ký. Xác thực: `X-API-Key` (hệ thống) hoặc "
    "`Authorization: Bearer` (cán bộ, POST /auth/login)."
)


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    store: ObjectStore | None = None,
    start_worker: bool = True,
) -> FastAPI:
    engine = upgrade_database(settings, engine)
    store = store or open_object_store(settings)
    store.ensure_buckets()
    run_in_transaction(engine, seed_catalogue)  # as the CLI does: lookups know the procedures
    ctx = ApiContext(settings=settings, engine=engine, store=store)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if start_worker:
            from pipeline.api.jobs import JobRunner

            ctx.jobs = JobRunner(ctx)
            ctx.jobs.start()
        try:
            yield
        finally:
            if ctx.jobs is not None:
                ctx.jobs.stop()
                ctx.jobs = None

    app = FastAPI(
        title="sohoa",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    install_access_log(app)
    for name in ROUTER_MODULES:
        if importlib.util.find_spec(name) is not None:
            app.include_router(importlib.import_module(name).router)
    for name in OPTIONAL_ROUTER_MODULES:
        if importlib.util.find_spec(name) is not None:
            app.include_router(importlib.import_module(name).router)
    return app
