"""What every request handler needs: settings, database engine, object store, job runner.

Built once by :func:`pipeline.api.app.create_app` and kept on ``app.state``; nothing global.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request
from sqlalchemy import Engine

from config.settings import Settings
from storage.objects.base import ObjectStore

if TYPE_CHECKING:
    from pipeline.api.jobs import JobRunner


@dataclass
class ApiContext:
    settings: Settings
    engine: Engine
    store: ObjectStore
    jobs: JobRunner | None = None
    extras: dict[str, Any] = field(default_factory=dict)


def get_context(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.ctx
    return ctx
