"""``sohoa worker`` on a broker: a Celery worker consuming the intake and page queues."""

from __future__ import annotations

import socket
import uuid

from config.settings import Settings
from pipeline.tasks.app import QueueNames, declare_dead_letters, make_celery

DEFAULT_QUEUES = ("intake", "pages")


def run_worker(
    settings: Settings,
    *,
    concurrency: int,
    queues: list[str] | None = None,
    name: str | None = None,
    log_level: str = "info",
) -> None:
    """Run until stopped (SIGTERM: warm shutdown, running tasks finish; SIGKILL: redelivered)."""
    app = make_celery(settings)
    names = QueueNames.of(settings)
    chosen = [names.by_short_name(q.strip()) for q in (queues or list(DEFAULT_QUEUES)) if q.strip()]
    declare_dead_letters(app)
    node = name or f"sohoa-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
    app.worker_main(
        [
            "worker",
            f"--loglevel={log_level.upper()}",
            f"--concurrency={concurrency}",
            f"--queues={','.join(chosen)}",
            f"--hostname={node}",
            "--task-events",
            "--without-gossip",
            "--without-mingle",
        ]
    )
