"""The Celery application: queues, reliability settings and the three intake tasks.

- ``sohoa.prepare`` (queue ``<prefix>.intake``): validate a file, fan its pages out;
- ``sohoa.page`` (queue ``<prefix>.pages``): OCR one page; the last one triggers assembly;
- ``sohoa.assemble`` (queue ``<prefix>.intake``): documents, fields, PDFs, one transaction.

Reliability: a message is acknowledged only after its task ran (``acks_late``), a worker that
dies mid-task gives its message back (``task_reject_on_worker_lost``), each worker process holds
one message at a time (prefetch 1: a page is 2-8 s of CPU, hoarding would idle other workers),
store and database outages are retried with exponential backoff up to ``max_retries``, then the
file is failed with its reason (the job's record, what the clerk sees); if even the database is
gone the message is rejected into the dead-letter queue ``<prefix>.dead`` instead of lost.
Fairness: RabbitMQ orders messages by priority only *within* a queue (between two queues a
free worker takes either), so everything that must overtake a big job's pages goes to the pages
queue, ahead of them: assembly (9), small uploads (8: a file of at most ``inline_pages`` pages is
prepared, OCR'd and assembled in that one task, so it waits for a free worker once, not three
times) and the pages of files of at most ``small_job_pages`` pages (7); big files' pages get 2.
The intake queue carries the preparation (splitting) of big uploads only, which never holds up a
small job.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from celery import Celery, Task
from kombu import Exchange, Queue

from config.errors import SohoaError
from config.settings import Settings
from pipeline.tasks.work import (
    WorkContext,
    assemble_file,
    fail_file,
    is_outage,
    outage_reason,
    prepare_file,
    run_page,
)
from storage.objects.base import ObjectStore

log = logging.getLogger("sohoa.tasks")

PREPARE, PAGE, ASSEMBLE = "sohoa.prepare", "sohoa.page", "sohoa.assemble"
MAX_PRIORITY = 9
PRIORITY_ASSEMBLE, PRIORITY_INLINE, PRIORITY_SMALL, PRIORITY_BIG = 9, 8, 7, 2


@dataclass(frozen=True)
class QueueNames:
    intake: str
    pages: str
    dead: str

    @classmethod
    def of(cls, settings: Settings) -> QueueNames:
        p = settings.queue.prefix
        return cls(f"{p}.intake", f"{p}.pages", f"{p}.dead")

    def by_short_name(self, short: str) -> str:
        names = {"intake": self.intake, "pages": self.pages}
        if short not in names:
            raise SohoaError(f"Không có hàng đợi {short!r} (queues: intake, pages)")
        return names[short]


class SohoaCelery(Celery):  # type: ignore[misc]
    """A Celery app that carries the settings and opens database and store once per process."""

    sohoa_settings: Settings
    _services: tuple[int, Any, ObjectStore] | None = None

    def context(self, node: str) -> WorkContext:
        pid = os.getpid()
        if self._services is None or self._services[0] != pid:  # new pool process: its own connections
            from pipeline.services import open_services

            services = open_services(self.sohoa_settings, check_schema=False, queue=self)
            self._services = (pid, services.engine, services.store)
        _, engine, store = self._services
        return WorkContext(self.sohoa_settings, engine, store, node=node)

    def priority(self, level: int) -> int:
        """Celery's priority for ``level`` (9 = first); the Redis transport counts the other way."""
        url = self.sohoa_settings.queue.broker_url or ""
        return MAX_PRIORITY - level if url.startswith(("redis", "rediss")) else level


def make_celery(settings: Settings) -> SohoaCelery:
    if not settings.queue.broker_url:
        raise SohoaError("Chưa cấu hình SOHOA_QUEUE__BROKER_URL (no broker configured)")
    names = QueueNames.of(settings)
    app = SohoaCelery("sohoa", broker=settings.queue.broker_url, set_as_current=False)
    app.sohoa_settings = settings
    arguments = {
        "x-max-priority": MAX_PRIORITY + 1,
        "x-dead-letter-exchange": names.dead,
        "x-dead-letter-routing-key": names.dead,
    }
    app.conf.update(
        task_queues=[
            Queue(names.intake, Exchange(names.intake), routing_key=names.intake, queue_arguments=arguments),
            Queue(names.pages, Exchange(names.pages), routing_key=names.pages, queue_arguments=arguments),
        ],
        task_default_queue=names.intake,
        task_routes={
            PAGE: {"queue": names.pages, "routing_key": names.pages},
            PREPARE: {"queue": names.intake, "routing_key": names.intake},  # small uploads: pages
            ASSEMBLE: {"queue": names.pages, "routing_key": names.pages},
        },
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=False,  # a task that still fails goes to the dead letters
        task_default_priority=5,
        task_queue_max_priority=MAX_PRIORITY + 1,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        worker_send_task_events=True,
        task_send_sent_event=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        broker_heartbeat=30,
        broker_transport_options={
            "priority_steps": list(range(MAX_PRIORITY + 1)),
            "queue_order_strategy": "priority",
            "visibility_timeout": 3600,
        },
        worker_hijack_root_logger=False,  # sohoa's logging (config/logs.py) stays in charge
        worker_redirect_stdouts=False,  # its handler writes to sys.stderr: a redirect would swallow it
    )
    _register(app)
    return app


def _handle_failure(task: Task, app: SohoaCelery, exc: BaseException, job_id: str, position: int) -> None:
    """Retry an outage with backoff; fail the file (with its reason) for anything else."""
    settings = app.sohoa_settings.queue
    retries = int(task.request.retries or 0)
    if is_outage(exc) and retries < settings.max_retries:  # before touching the services: they may be down
        countdown = min(2.0**retries, settings.retry_backoff_max)
        log.warning(
            "%s for job %s: %s, retry %d in %.0f s",
            task.name,
            job_id,
            type(exc).__name__,
            retries + 1,
            countdown,
        )
        raise task.retry(exc=exc, countdown=countdown, max_retries=settings.max_retries)
    ctx = app.context(task.request.hostname or "worker")
    if is_outage(exc):
        message = (
            "Kho lưu trữ hoặc cơ sở dữ liệu không trả lời, bản quét vẫn được giữ "
            f"(store or database unreachable after {retries} retries; the upload is kept)"
        )
        fail_file(ctx, job_id, position, outage_reason(exc), message)  # raises if the DB is still gone
        return
    if isinstance(exc, SohoaError):
        from pipeline.intake import failure_reason

        fail_file(ctx, job_id, position, failure_reason(exc), exc.message)
        return
    log.exception("%s for job %s crashed", task.name, job_id)
    fail_file(ctx, job_id, position, "internal", f"Lỗi nội bộ (internal error): {type(exc).__name__}")


def _register(app: SohoaCelery) -> None:
    @app.task(name=PREPARE, bind=True)  # type: ignore[untyped-decorator]
    def prepare(self: Task, job_id: str, position: int) -> None:
        try:
            prepared = prepare_file(app.context(self.request.hostname), job_id, position)
        except Exception as exc:
            _handle_failure(self, app, exc, job_id, position)
            return
        if prepared.done:
            return
        if not prepared.todo:
            app.send_task(ASSEMBLE, args=[job_id, position], priority=app.priority(PRIORITY_ASSEMBLE))
            return
        if prepared.pages <= app.sohoa_settings.queue.inline_pages:  # no fan-out: one wait, not three
            try:
                ctx = app.context(self.request.hostname)
                for index in prepared.todo:
                    run_page(ctx, job_id, position, index)
                assemble_file(ctx, job_id, position)
            except Exception as exc:
                _handle_failure(self, app, exc, job_id, position)
            return
        small = prepared.pages <= app.sohoa_settings.queue.small_job_pages
        level = app.priority(PRIORITY_SMALL if small else PRIORITY_BIG)
        for index in prepared.todo:
            app.send_task(PAGE, args=[job_id, position, index], priority=level)

    @app.task(name=PAGE, bind=True)  # type: ignore[untyped-decorator]
    def page(self: Task, job_id: str, position: int, index: int) -> None:
        try:
            complete = run_page(app.context(self.request.hostname), job_id, position, index)
        except Exception as exc:
            _handle_failure(self, app, exc, job_id, position)
            return
        if complete:
            app.send_task(ASSEMBLE, args=[job_id, position], priority=app.priority(PRIORITY_ASSEMBLE))

    @app.task(name=ASSEMBLE, bind=True)  # type: ignore[untyped-decorator]
    def assemble(self: Task, job_id: str, position: int) -> None:
        try:
            assemble_file(app.context(self.request.hostname), job_id, position)
        except Exception as exc:
            _handle_failure(self, app, exc, job_id, position)


def declare_dead_letters(app: SohoaCelery) -> None:
    """The dead-letter exchange and queue that rejected messages land in (AMQP brokers only)."""
    url = app.sohoa_settings.queue.broker_url or ""
    if not url.startswith(("amqp", "pyamqp")):
        return
    names = QueueNames.of(app.sohoa_settings)
    exchange = Exchange(names.dead, type="direct", durable=True)
    with app.connection_for_write() as conn:
        Queue(names.dead, exchange, routing_key=names.dead, durable=True)(conn.default_channel).declare()
