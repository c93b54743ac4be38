"""Distributed intake on Celery: throughput per worker count, fairness, and queue overhead.

Every run is a real deployment on this machine: ``sohoa serve`` (enqueue only) and ``sohoa
worker`` processes (concurrency 1, each its own data dir) on a fresh RabbitMQ vhost, a fresh
PostgreSQL database and moto's S3 server. Figures:

1. Throughput: a ``--pages``-page dossier with 1 worker, then (fresh database) with 2 workers;
   pages per minute from upload to ``done``, and the ratio (target >= 1.8x; 2 cores shared with
   whatever else runs: the load average is printed with it).
2. Fairness: with 2 workers, the latency of a 1-page job alone, then the same page (other bytes,
   same pixels) submitted just after a ``--big``-page job started (target <= 2x alone); each
   ``--samples`` times one after the other, medians compared (a small job waits for the first
   worker to finish the page it holds: one sample is mostly that random wait).
Each job's timeline (seconds from the upload: enqueued, prepare, pages, assembly, finished) is
printed from the workers' task log, to see where the time goes.
0. Broker: ``--messages`` page-task messages published through Celery (persistent, with
   priority) to a fresh vhost, then consumed and acknowledged one by one with kombu: messages
   per second each way on this machine's RabbitMQ.
3. Overhead: per page task, time outside OCR - the task's wall time minus the OCR measured inside
   ``process_page``, plus the worker's idle gap between one page and the next (broker round trip,
   prefetch) - as a share of the task time (target <= 5%).

    .venv/bin/python benchmarks/bench_queue.py                  # 8-page dossier, 24-page big job
    .venv/bin/python benchmarks/bench_queue.py --pages 11 --big 100
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pikepdf

from storage.objects.keys import hash_file
from tests.queue.cluster import SCANS, Cluster, page_rows, pg_database, rabbit_vhost
from tests.queue.conftest import storage_for
from tests.storage.moto_fixture import MotoServer

PAGE_SOURCES = (
    "degraded_multi_document.pdf",
    "clean_cccd_2021_card.pdf",
    "clean_land_use_certificate.pdf",
    "clean_birth_certificate.pdf",
    "clean_other_300dpi.pdf",
    "hard_business_registration.pdf",
    "degraded_birth_certificate_seal_colour.pdf",
    "degraded_cccd_2016_bed_photocopy.pdf",
)
ONE_PAGE = "clean_birth_certificate.pdf"
LOG_LINE = re.compile(
    r"^(\S+ \S+) INFO celery\.(?:worker\.strategy|app\.trace): Task sohoa\.page\[([0-9a-f-]+)\] "
    r"(received|succeeded in ([0-9.]+)s)"
)
TASK_LINE = re.compile(
    r"^(\S+ \S+) INFO celery\.(?:worker\.strategy|app\.trace): Task sohoa\.(\w+)\[[0-9a-f-]+\] "
    r"(received|succeeded in ([0-9.]+)s)"
)


def dossier(dest: Path, pages: int, tag: str) -> Path:
    """``pages`` pages cycled from the committed scans; ``tag`` makes the bytes (not the pixels) unique."""
    out = pikepdf.new()
    sources = [pikepdf.open(SCANS / name) for name in PAGE_SOURCES]
    flat = [page for src in sources for page in src.pages]
    for i in range(pages):
        out.pages.append(flat[i % len(flat)])
    out.docinfo["/Title"] = tag
    out.save(dest)
    return dest


def one_page(dest: Path, tag: str) -> Path:
    with pikepdf.open(SCANS / ONE_PAGE) as src:
        src.docinfo["/Title"] = tag
        src.save(dest)
    return dest


class Run:
    def __init__(self, root: Path, moto: MotoServer, workers: int) -> None:
        self.root, self.moto, self.n = root, moto, workers

    def __enter__(self) -> Run:
        self._vhost = rabbit_vhost()
        self._db = pg_database()
        broker, db = self._vhost.__enter__(), self._db.__enter__()
        self.cluster = Cluster(self.root, broker, db, storage_for(self.moto.endpoint))
        self.cluster.start_api()
        self.engine = self.cluster.engine()
        self.clerk = self.cluster.clerk(self.engine)
        for i in range(self.n):
            self.cluster.start_worker(f"w{i}")
        # workers connected and consuming (their start is not what is measured; under load it can
        # take longer than any fixed sleep, and would be counted as the first job's latency)
        deadline = time.monotonic() + 300
        for worker in self.cluster.workers:
            while f"{worker.name}@{self.cluster.prefix} ready." not in worker.log.read_text(errors="replace"):
                assert time.monotonic() < deadline, worker.log.read_text(errors="replace")[-2000:]
                time.sleep(0.2)
        time.sleep(1)
        return self

    def job(self, path: Path) -> tuple[float, dict[str, Any]]:
        started = time.perf_counter()
        self.t0 = time.time()
        job_id = self.cluster.upload(self.clerk, path)
        self.t_enqueued = time.time()
        job = self.cluster.wait_job(self.clerk, job_id, timeout=1800)
        assert job["status"] == "done", job
        self.job_id = job_id
        return time.perf_counter() - started, job

    def __exit__(self, *exc: object) -> None:
        self.cluster.stop()
        self.engine.dispose()
        self._db.__exit__(None, None, None)
        self._vhost.__exit__(None, None, None)


def overhead(run: Run) -> tuple[float, float, int]:
    """(seconds outside OCR, task seconds, pages) summed over the page tasks of every worker."""
    ocr = dict(_ocr_seconds(run))
    outside = task_total = 0.0
    count = 0
    for worker in run.cluster.workers:
        events = []
        for line in worker.log.read_text(errors="replace").splitlines():
            m = LOG_LINE.match(line)
            if m:
                at = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
                events.append((at, m.group(3).startswith("succeeded"), float(m.group(4) or 0)))
        last_done: float | None = None
        for at, done, seconds in events:
            if done:
                task_total += seconds
                count += 1
                last_done = at
            elif last_done is not None:
                outside += at - last_done  # idle between a page's end and the next one's arrival
                last_done = None
    outside += task_total - sum(ocr.values())
    return outside, task_total, count


def timeline(run: Run, names: tuple[str, ...] = ("prepare", "page", "assemble")) -> str:
    """Seconds from the upload's start to each step of the last job, from the workers' task log."""
    from sqlalchemy import select

    from storage.db.api_models import Job

    steps: dict[str, list[float]] = {}
    for worker in run.cluster.workers:
        for line in worker.log.read_text(errors="replace").splitlines():
            m = TASK_LINE.match(line)
            if not m:
                continue
            at = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp() - run.t0
            if at < 0:
                continue
            name = m.group(2)
            if m.group(3) == "received":
                steps.setdefault(f"{name} start", []).append(at)
            else:
                steps.setdefault(f"{name} end", []).append(at)
                steps.setdefault(f"{name} busy", []).append(float(m.group(4)))
    with run.engine.connect() as conn:
        finished = conn.execute(select(Job.finished_at).where(Job.id == run.job_id)).scalar_one()
    parts = [f"enqueued {run.t_enqueued - run.t0:.2f}"]
    for name in names:
        if f"{name} start" in steps:
            parts.append(
                f"{name} {min(steps[name + ' start']):.2f}-{max(steps[name + ' end']):.2f} "
                f"(busy {sum(steps[name + ' busy']):.2f} s in {len(steps[name + ' busy'])})"
            )
    parts.append(f"job finished {finished.timestamp() - run.t0:.2f}")
    return ", ".join(parts)


def _ocr_seconds(run: Run) -> list[tuple[int, float]]:
    from sqlalchemy import select

    from storage.db.queue_models import PageResult

    with run.engine.connect() as conn:
        return [
            (int(n), float(s)) for n, s in conn.execute(select(PageResult.page_number, PageResult.seconds))
        ]


def broker_rate(messages: int) -> tuple[float, float]:
    """(published/s, consumed+acked/s) for page-task messages on a fresh vhost."""
    from config.settings import load_settings
    from pipeline.tasks.app import PAGE, QueueNames, make_celery

    with rabbit_vhost() as broker:
        settings = load_settings(queue={"broker_url": broker, "prefix": "b"})
        app = make_celery(settings)
        queue = next(q for q in app.conf.task_queues if q.name == QueueNames.of(settings).pages)
        with app.connection_for_write() as conn:
            queue(conn.default_channel).declare()
        started = time.perf_counter()
        with app.producer_or_acquire() as producer:
            for i in range(messages):
                app.send_task(PAGE, args=["0" * 32, 0, i], priority=2, producer=producer)
        published = messages / (time.perf_counter() - started)
        got = 0
        started = time.perf_counter()
        with (
            app.connection_for_read() as conn,
            conn.Consumer(queue, accept=["json"], prefetch_count=1) as consumer,
        ):

            def on_message(_body: Any, message: Any) -> None:
                nonlocal got
                message.ack()
                got += 1

            consumer.register_callback(on_message)
            while got < messages:
                conn.drain_events(timeout=10)
        consumed = messages / (time.perf_counter() - started)
    return published, consumed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--big", type=int, default=24)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--samples", type=int, default=3, help="1-page jobs timed alone and during")
    parser.add_argument("--broker-only", action="store_true", help="only the broker figure")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log
    published, consumed = broker_rate(args.messages)
    print(
        f"broker: {args.messages} page messages published {published:.0f}/s, consumed and acked one by "
        f"one (prefetch 1) {consumed:.0f}/s (load average {os.getloadavg()[0]:.1f})"
    )
    if args.broker_only:
        return
    moto = MotoServer()
    moto.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp:
            root = Path(tmp)
            rates = {}
            for workers in (1, 2):
                load = os.getloadavg()
                with Run(root / f"t{workers}", moto, workers) as run:
                    path = dossier(root / f"t{workers}.pdf", args.pages, f"t{workers}")
                    seconds, _job = run.job(path)
                    rates[workers] = args.pages / seconds * 60
                    used = {w for _, w in page_rows(run.engine, hash_file(path).sha256)}
                    print(
                        f"throughput, {workers} worker(s): {args.pages} pages in {seconds:.1f} s = "
                        f"{rates[workers]:.1f} pages/min (pages on {len(used)} worker(s); "
                        f"load average before {load[0]:.1f})"
                    )
                    print(f"  timeline (s from the upload): {timeline(run)}")
                    if workers == 2:
                        outside, task_total, count = overhead(run)
            print(f"throughput ratio 2 workers / 1 worker: {rates[2] / rates[1]:.2f}x (target >= 1.8x)")
            print(
                f"overhead outside OCR: {outside:.2f} s of {task_total:.1f} s over {count} page tasks = "
                f"{outside / max(task_total, 1e-9):.1%} per page (target <= 5%)"
            )
            with Run(root / "fair", moto, 2) as run:
                alones = []
                for k in range(args.samples):
                    alone, _ = run.job(one_page(root / f"alone{k}.pdf", f"alone{k}"))
                    alones.append(alone)
                    print(f"  1-page job alone, timeline: {timeline(run)}")
                big = dossier(root / "big.pdf", args.big, "big")
                big_id = run.cluster.upload(run.clerk, big)
                deadline = time.monotonic() + 600
                while not page_rows(run.engine, hash_file(big).sha256):  # the big job is under way
                    assert time.monotonic() < deadline
                    time.sleep(0.2)
                durings = []
                for k in range(args.samples):
                    during, _ = run.job(one_page(root / f"during{k}.pdf", f"during{k}"))
                    durings.append(during)
                    print(f"  1-page job during the big one, timeline: {timeline(run, ('prepare',))}")
                big_job = run.cluster.wait_job(run.clerk, big_id, timeout=3600)
                pages_big = len(page_rows(run.engine, hash_file(big).sha256))
            alone, during = statistics.median(alones), statistics.median(durings)
            print(
                f"1-page job latency (median of {args.samples}): alone {alone:.1f} s "
                f"({', '.join(f'{a:.1f}' for a in alones)}), while a {args.big}-page job runs {during:.1f} s "
                f"({', '.join(f'{d:.1f}' for d in durings)}) = {during / alone:.2f}x (target <= 2x); "
                f"the big job {big_job['status']} with {pages_big} pages"
            )
            print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores)")
    finally:
        moto.stop()


if __name__ == "__main__":
    main()
