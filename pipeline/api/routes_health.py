"""Readiness: the database answers, its schema is at the latest migration, the store answers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text

from pipeline.api.context import ApiContext, get_context
from storage.db.migrate import current_revision, head_revision
from storage.objects.base import Bucket

router = APIRouter(tags=["health"])


def readiness(ctx: ApiContext) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    try:
        with ctx.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = True
        checks["migrations"] = current_revision(ctx.engine) == head_revision()
    except Exception as exc:  # any driver error means "not ready"
        checks["database"] = False
        checks["migrations"] = False
        checks["database_error"] = type(exc).__name__
    try:
        ctx.store.stat(Bucket.SIGNED, "0" * 64)
        checks["store"] = True
    except Exception as exc:
        checks["store"] = False
        checks["store_error"] = type(exc).__name__
    checks["ready"] = bool(checks["database"] and checks["migrations"] and checks["store"])
    return checks


@router.get("/healthz", summary="Sẵn sàng (readiness)")
def healthz(ctx: Annotated[ApiContext, Depends(get_context)]) -> JSONResponse:
    checks = readiness(ctx)
    return JSONResponse(checks, status_code=200 if checks["ready"] else 503)
