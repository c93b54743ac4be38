"""What every request handler needs: settings, database engine, object store, job runner.

Built once by :func:`pipeline.api.app.create_app` and kept on ``app.state``; nothing global.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request
from sqlalchemy import Engine

from config.settings import Settings
from pipeline.api.auth_cache import AuthCache
from storage.objects.base import ObjectStore

if TYPE_CHECKING:
    from pipeline.api.jobs import JobRunner


@dataclass
class ApiContext:
    settings: Settings
    engine: Engine
    store: ObjectStore
    jobs: JobRunner | None = None
    auth_cache: AuthCache = field(default_factory=lambda: AuthCache())
    extras: dict[str, Any] = field(default_factory=dict)


async def get_context(request: Request) -> ApiContext:
    """Async on purpose: a plain dependency would cost a worker-thread hop per request."""
    ctx: ApiContext = request.app.state.ctx
    return ctx
