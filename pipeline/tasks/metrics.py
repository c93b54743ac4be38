"""Prometheus metrics of the intake queue: depth per queue, pages per minute, failures.

Computed when Prometheus scrapes (a custom collector), from the broker (queue depths, asked
passively so nothing is declared) and the database (the record every worker writes), so the
figures are the whole deployment's, whichever API process answers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

from config.settings import Settings
from pipeline.services import Services
from storage.db.api_models import Job, JobStatus
from storage.db.engine import read_session
from storage.db.queue_models import FileStatus, JobFile, PageResult

log = logging.getLogger("sohoa.tasks")


def queue_depths(settings: Settings, app: Any) -> dict[str, int]:
    """Messages ready in each queue (-1: the broker did not answer)."""
    from pipeline.tasks.app import QueueNames

    names = QueueNames.of(settings)
    short = {"intake": names.intake, "pages": names.pages, "dead": names.dead}
    out: dict[str, int] = {}
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1)
            for label, name in short.items():
                channel = conn.channel()
                try:
                    out[label] = int(channel.queue_declare(queue=name, passive=True).message_count)
                except Exception:  # not declared yet: nothing waits in it
                    out[label] = 0
                finally:
                    try:
                        channel.close()
                    except Exception:
                        log.debug("channel already closed")
    except Exception as exc:
        log.warning("broker did not answer the metrics scrape: %s", type(exc).__name__)
        return {label: -1 for label in short}
    return out


class QueueCollector(Collector):
    def __init__(self, settings: Settings, engine: Engine, app: Any = None) -> None:
        self.settings, self.engine, self.app = settings, engine, app

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("sohoa_queue_depth", "Messages waiting, per queue", labels=["queue"])
        minute_ago = datetime.now(UTC) - timedelta(minutes=1)
        with read_session(self.engine) as session:
            jobs = dict(session.execute(select(Job.status, func.count(Job.id)).group_by(Job.status)).all())
            recent = session.scalar(
                select(func.count(PageResult.id)).where(PageResult.created_at >= minute_ago)
            )
            total = session.scalar(select(func.count(PageResult.id)))
            failed = session.execute(
                select(JobFile.reason, func.count(JobFile.id))
                .where(JobFile.status == FileStatus.FAILED.value)
                .group_by(JobFile.reason)
            ).all()
        if self.app is not None:
            for label, count in queue_depths(self.settings, self.app).items():
                depth.add_metric([label], count)
        else:  # embedded default: the job table is the only queue
            depth.add_metric(["jobs"], int(jobs.get(JobStatus.QUEUED.value, 0)))
        yield depth
        per_minute = GaugeMetricFamily(
            "sohoa_pages_per_minute", "Pages OCR'd in the last minute, all workers"
        )
        per_minute.add_metric([], int(recent or 0))
        yield per_minute
        pages = CounterMetricFamily("sohoa_pages", "Pages OCR'd by queue workers")
        pages.add_metric([], int(total or 0))
        yield pages
        by_status = GaugeMetricFamily("sohoa_jobs", "Intake jobs, per status", labels=["status"])
        for status in JobStatus:
            by_status.add_metric([status.value], int(jobs.get(status.value, 0)))
        yield by_status
        failures = CounterMetricFamily(
            "sohoa_job_failures", "Files failed (bad input or dead-lettered), per reason", labels=["reason"]
        )
        for reason, count in failed:
            failures.add_metric([reason or "unknown"], int(count))
        yield failures


def render(extras: dict[str, Any], services: Services) -> tuple[bytes, str]:
    """The text exposition for ``/metrics``; the registry is built once per API process."""
    registry = extras.get("metrics_registry")
    if registry is None:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(QueueCollector(services.settings, services.engine, services.queue))
        extras["metrics_registry"] = registry
    return generate_latest(registry), CONTENT_TYPE_LATEST
