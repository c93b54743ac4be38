"""``sohoa worker`` on a broker: a Celery worker consuming the intake and page queues.

The worker's main process also delivers webhooks (``pipeline.webhooks``): with a broker the API
may run with ``--no-worker`` or not at all on that host, and the jobs finish here. Deliveries are
claimed with a lease, so several workers (and an API dispatching too) never send one row twice.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import Any

from celery import signals

from pipeline.services import Services
from pipeline.tasks.app import QueueNames, SohoaCelery, declare_dead_letters
from pipeline.webhooks import WebhookDispatcher

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
    _dispatch_webhooks_in_main_process(services)
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


def _dispatch_webhooks_in_main_process(services: Services) -> None:
    """Start the delivery loop once the pool runs (its processes never inherit a live connection)."""
    api = services.settings.api
    dispatcher = WebhookDispatcher(
        services, retry_seconds=api.webhook_retry_seconds, max_attempts=api.webhook_max_attempts
    )
    main_pid = os.getpid()
    # a pool process forked later (one replacing a dead one) must not reuse the loop's connections
    os.register_at_fork(after_in_child=lambda: services.engine.dispose(close=False))

    def ready(**_kwargs: Any) -> None:
        if os.getpid() == main_pid:
            dispatcher.start()

    def shutdown(**_kwargs: Any) -> None:
        if os.getpid() == main_pid:
            dispatcher.stop()

    signals.worker_ready.connect(ready, weak=False)
    signals.worker_shutdown.connect(shutdown, weak=False)
