"""``sohoa worker`` on a broker: a Celery worker consuming the intake and page queues.

The worker's main process also delivers webhooks (``pipeline.webhooks``): with a broker the API
may run with ``--no-worker`` or not at all on that host, and the jobs finish here. Deliveries are
claimed with a lease, so several workers (and an API dispatching too) never send one row twice.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Any

from celery import signals

from ocr.threads import one_thread_per_process
from pipeline.services import Services
from pipeline.tasks.app import QueueNames, SohoaCelery, declare_dead_letters
from pipeline.webhooks import WebhookDispatcher

DEFAULT_QUEUES = ("intake", "pages")
log = logging.getLogger("sohoa.tasks")


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
    _log_task_cpu()
    signals.worker_process_init.connect(lambda **_kwargs: one_thread_per_process(), weak=False)
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


def _log_task_cpu() -> None:
    """One line per task with the CPU it used, its own and its subprocesses' (Tesseract, poppler).

    CPU, unlike the wall time Celery logs, says how many cores a province needs and does not
    grow when the host is busy. Each pool process runs one task at a time (prefork), so the
    process's counters around a task are the task's.
    """
    started: dict[str, os.times_result] = {}

    def before(task_id: str = "", **_kwargs: Any) -> None:
        started[task_id] = os.times()

    def after(task_id: str = "", task: Any = None, **_kwargs: Any) -> None:
        t0 = started.pop(task_id, None)
        if t0 is None:
            return
        t1 = os.times()
        own = t1.user - t0.user + t1.system - t0.system
        sub = t1.children_user - t0.children_user + t1.children_system - t0.children_system
        name = getattr(task, "name", "?")
        log.info("Task %s[%s] cpu %.3f s (in process %.3f s, subprocesses %.3f s)", name, task_id,
                 own + sub, own, sub)

    signals.task_prerun.connect(before, weak=False)
    signals.task_postrun.connect(after, weak=False)
