"""``GET /metrics``: Prometheus text format (queue depth, pages per minute, job failures)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from pipeline.api.context import ApiContext, get_context

router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
async def metrics(ctx: Annotated[ApiContext, Depends(get_context)]) -> Response:
    from pipeline.tasks.metrics import render

    body, content_type = await run_in_threadpool(render, ctx.extras, ctx)
    return Response(body, media_type=content_type)
