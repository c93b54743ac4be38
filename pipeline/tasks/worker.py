"""``sohoa worker`` on a broker: a Celery worker consuming the intake and page queues."""

from __future__ import annotations

import socket
import uuid

from pipeline.services import Services
from pipeline.tasks.app import QueueNames, SohoaCelery, declare_dead_letters

DEFAULT_QUEUES = ("intake", "pages")


def run_worker(
    services: Services,
    *,
    concurrency: int,
    queues: list[str] | None = None,
    name: str | None = None,
    log_level: str = "info",
) -> None:
    """Run until stopped (SIGTERM: warm shutdown, running tasks finish; SIGKILL: redelivered)."""
    app = services.queue
    assert isinstance(app, SohoaCelery), "run_worker needs the queue (SOHOA_QUEUE__BROKER_URL)"
    names = QueueNames.of(services.settings)
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
