"""The FastAPI application: one router module per area, all on the CLI's code paths.

``create_app(settings)`` opens the services (:func:`pipeline.services.open_services`: the schema
must be current, ``sohoa db upgrade`` migrates it) and, unless told not to, starts the in-process
intake worker (a thread pool claiming rows of the job table, so a separate
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
from pipeline.jobs import JobRunner
from pipeline.services import open_services
from storage.db.catalogue import seed_catalogue
from storage.db.engine import run_in_transaction
from storage.objects.base import ObjectStore

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
    services = open_services(settings, check_schema=True, engine=engine, store=store)
    run_in_transaction(services.engine, seed_catalogue)  # idempotent: lookups know the procedures
    ctx = ApiContext(
        settings=services.settings, engine=services.engine, store=services.store, queue=services.queue
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if start_worker and ctx.queue is None:  # with a broker, `sohoa worker` processes run the jobs
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
