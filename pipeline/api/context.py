"""What every request handler needs: the services (:mod:`pipeline.services`) and the job runner.

Built once by :func:`pipeline.api.app.create_app` and kept on ``app.state``; nothing global.
An ``ApiContext`` is a :class:`~pipeline.services.Services`, so the workflow layer takes it as is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from pipeline.api.auth_cache import AuthCache
from pipeline.jobs import JobRunner
from pipeline.services import Services


@dataclass
class ApiContext(Services):
    """The services plus what only the HTTP layer keeps (the in-process runner, the auth cache)."""

    jobs: JobRunner | None = None
    auth_cache: AuthCache = field(default_factory=lambda: AuthCache())
    extras: dict[str, Any] = field(default_factory=dict)


async def get_context(request: Request) -> ApiContext:
    """Async on purpose: a plain dependency would cost a worker-thread hop per request."""
    ctx: ApiContext = request.app.state.ctx
    return ctx
