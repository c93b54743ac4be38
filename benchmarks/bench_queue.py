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
import contextlib
import logging
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pikepdf

from benchmarks.cpu_account import OTHER, CpuMeter, Stat, Usage
from storage.objects.keys import hash_file
from tests.live_server import free_port
from tests.queue.cluster import SCANS, Cluster, page_rows, pg_database, rabbit_vhost
from tests.queue.conftest import storage_for

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
CPU_LINE = re.compile(
    r"^(\S+ \S+) INFO sohoa\.tasks: Task sohoa\.(\w+)\[[0-9a-f-]+\] cpu ([0-9.]+) s "
    r"\(in process ([0-9.]+) s, subprocesses ([0-9.]+) s\)"
)
RABBIT = ("beam.smp", "erl_child_setup", "epmd", "inet_gethost")
TASK_LINE = re.compile(
    r"^(\S+ \S+) INFO celery\.(?:worker\.strategy|app\.trace): Task sohoa\.(\w+)\[[0-9a-f-]+\] "
    r"(received|succeeded in ([0-9.]+)s)"
)


class MotoProcess:
    """moto's S3 server in a process of its own (as MinIO would be), so its CPU is counted apart."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"127.0.0.1:{self.port}"
        server = Path(sys.executable).with_name("moto_server")
        self.proc = subprocess.Popen(
            [str(server), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            assert self.proc.poll() is None and time.monotonic() < deadline, "moto_server did not start"
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


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
    def __init__(self, root: Path, moto: MotoProcess, workers: int) -> None:
        self.root, self.moto, self.n = root, moto, workers

    def __enter__(self) -> Run:
        self._vhost = rabbit_vhost()
        self._db = pg_database()
        broker, db = self._vhost.__enter__(), self._db.__enter__()
        self.db_name = db.rsplit("/", 1)[1]
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

    def job(self, path: Path, meter: CpuMeter | None = None) -> tuple[float, dict[str, Any]]:
        if meter is not None:
            meter.start()
        started = time.perf_counter()
        self.t0 = time.time()
        job_id = self.cluster.upload(self.clerk, path)
        self.t_enqueued = time.time()
        job = self.cluster.wait_job(self.clerk, job_id, timeout=1800)
        polled = time.perf_counter() - started
        if meter is not None:
            self.usage = meter.stop()
        assert job["status"] == "done", job
        self.job_id = job_id
        # up to the job's own finish time, not the next poll's: the 0.5 s poll is the client's
        # granularity, not the system's, and would weigh more on the shorter (2-worker) run
        finished = self._finished_at() - self.t0
        self.poll_lag = polled - finished
        return finished, job

    def _finished_at(self) -> float:
        from sqlalchemy import select

        from storage.db.api_models import Job

        with self.engine.connect() as conn:
            at = conn.execute(select(Job.finished_at).where(Job.id == self.job_id)).scalar_one()
        assert at is not None, "a done job has its finish time"
        return float(at.timestamp())

    def meter(self) -> CpuMeter:
        """CPU of this run's processes, grouped: each worker's Celery main and pool processes
        (with their Tesseract and poppler runs), the API, moto, this database's PostgreSQL
        backends, the shared PostgreSQL server and RabbitMQ, the benchmark itself."""
        mains = {w.proc.pid: w.name for w in self.cluster.workers}
        api, moto, me = self.cluster.api.proc.pid, self.moto.proc.pid, os.getpid()

        def classify(stat: Stat, cmd: str) -> str | None:
            if stat.pid == me:
                return "bench client"
            if stat.pid == moto:
                return "moto S3"
            if stat.pid == api:
                return "API"
            if stat.pid in mains:
                return f"worker {mains[stat.pid]} celery main"
            if stat.ppid in mains:
                return f"worker {mains[stat.ppid]} pool"
            if stat.comm in RABBIT:
                return "rabbitmq"
            if stat.comm == "postgres":
                words = cmd.split()  # "postgres: 15/main: USER DB HOST(PORT) STATE" for a backend
                if len(words) >= 5 and "(" in words[4]:
                    return "postgres backends" if words[3] == self.db_name else OTHER
                return "postgres server"
            return None

        return CpuMeter(classify, unreaped=frozenset({"postgres server"}))

    def task_cpu(self) -> dict[str, tuple[int, float, float]]:
        """Per task name, from the workers' CPU lines of the last job: (count, CPU, of it subprocesses)."""
        out: dict[str, tuple[int, float, float]] = {}
        for worker in self.cluster.workers:
            for line in worker.log.read_text(errors="replace").splitlines():
                m = CPU_LINE.match(line)
                if not m or datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp() < self.t0:
                    continue
                n, cpu, sub = out.get(m.group(2), (0, 0.0, 0.0))
                out[m.group(2)] = (n + 1, cpu + float(m.group(3)), sub + float(m.group(5)))
        return out

    def task_cpu_sequence(self) -> list[tuple[str, float]]:
        """(task name, CPU) of the last job's tasks in the order they ended, all workers merged."""
        rows: list[tuple[float, str, float]] = []
        for worker in self.cluster.workers:
            for line in worker.log.read_text(errors="replace").splitlines():
                m = CPU_LINE.match(line)
                if m:
                    at = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
                    if at >= self.t0:
                        rows.append((at, m.group(2), float(m.group(3))))
        return [(name, cpu) for _, name, cpu in sorted(rows)]

    def __exit__(self, *exc: object) -> None:
        self.cluster.stop()
        self.engine.dispose()
        self._db.__exit__(None, None, None)
        self._vhost.__exit__(None, None, None)


def cpu_report(run: Run, pages: int) -> tuple[float, float]:
    """Print where the run's CPU went; (OCR CPU per page, everything else per page)."""
    usage: Usage = run.usage
    groups = dict(usage.groups)
    other_load = groups.pop(OTHER, 0.0)  # the machine's busy time not of this run
    pool = {k: v for k, v in groups.items() if k.endswith(" pool")}
    rest = {k: v for k, v in groups.items() if k not in pool}
    tasks = run.task_cpu()
    page_n, page_cpu, page_sub = tasks.get("page", (0, 0.0, 0.0))
    pool_cpu = sum(pool.values())
    pool_sub = sum(usage.spawned.get(k, 0.0) for k in pool)
    ocr = page_cpu  # the page tasks: read, clean, Tesseract, the page's PDF, its row
    besides = pool_cpu - page_cpu  # prepare, assembly and the pool's idle time
    everything_else = besides + sum(rest.values())
    print(
        f"  CPU in the run ({usage.seconds:.1f} s wall; machine busy "
        f"{usage.machine_busy / usage.seconds:.2f} of {usage.machine_total / usage.seconds:.0f} cores, "
        f"of which not this run {other_load / usage.seconds:.2f}; load average {os.getloadavg()[0]:.1f}):"
    )
    print(
        f"    OCR (page tasks): {ocr:.2f} s = {ocr / pages:.3f} s/page over {page_n} tasks "
        f"(subprocesses {page_sub / pages:.3f} s/page, in process {(ocr - page_sub) / pages:.3f} s/page)"
    )
    print(
        f"    everything else: {everything_else:.2f} s = {everything_else / pages:.3f} s/page "
        f"({everything_else / max(ocr, 1e-9):.1%} of OCR)"
    )
    for name, (n, cpu, sub) in sorted(tasks.items()):
        if name != "page":
            print(f"      task {name}: {cpu:.2f} s in {n} (subprocesses {sub:.2f} s)")
    outside_tasks = besides - sum(c for k, (_, c, _) in tasks.items() if k != "page")
    print(
        f"      pool processes outside tasks: {outside_tasks:.2f} s"
        f" (pool total {pool_cpu:.2f} s, its subprocesses {pool_sub:.2f} s)"
    )
    for name, seconds in sorted(rest.items(), key=lambda kv: -kv[1]):
        print(f"      {name}: {seconds:.2f} s")
    return ocr / pages, everything_else / pages


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


def serial_ends(run: Run) -> tuple[float, float]:
    """(upload to the first page's start, the last page's end to the job's finish), seconds of wall.

    The job's two serial stretches, while at most one worker has anything to do: upload, store,
    prepare and fan-out before; assembly, recording and release after.
    """
    from sqlalchemy import select

    from storage.db.api_models import Job

    starts: list[float] = []
    ends: list[float] = []
    for worker in run.cluster.workers:
        for line in worker.log.read_text(errors="replace").splitlines():
            m = TASK_LINE.match(line)
            if not m or m.group(2) != "page":
                continue
            at = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp() - run.t0
            if at >= 0:
                (starts if m.group(3) == "received" else ends).append(at)
    with run.engine.connect() as conn:
        finished = conn.execute(select(Job.finished_at).where(Job.id == run.job_id)).scalar_one()
    assert finished is not None, "a done job has its finish time"
    return min(starts), finished.timestamp() - run.t0 - max(ends)


def makespan(costs: list[float], workers: int) -> float:
    """Pages taken in order by whichever worker is free first (prefetch 1): when the last ends."""
    free = [0.0] * workers
    for cost in costs:
        k = free.index(min(free))
        free[k] += cost
    return max(free)


def cpu_model(seq: list[tuple[str, float]], usage: Usage, ocr_slowdown: float, serial: float) -> None:
    """The 1 -> 2 worker ratio from the 1-worker run's CPU alone: what two free cores would give.

    Page tasks cost their measured CPU (in their order), the job's serial ends (upload to the
    first page, the last page to done) the larger of their wall time in the 1-worker run and the
    CPU of prepare and assembly, the rest of the run's processes (API, broker, database, store,
    worker mains) their CPU per second; with one worker that rest runs on the other core, with
    two it takes its share from the pages. Printed as-is and with the OCR slowdown measured when
    both cores OCR at once (CPU per page, 2-worker run over 1-worker run).
    """
    pages = [c for n, c in seq if n == "page"]
    ends = max(serial, sum(c for n, c in seq if n != "page"))
    rest = sum(v for k, v in usage.groups.items() if k != OTHER) - sum(c for _, c in seq)
    rate = max(rest, 0.0) / usage.seconds  # cores the rest takes, per second of the run
    one = ends + sum(pages)
    cases = (("as measured alone", 1.0), (f"OCR {ocr_slowdown - 1:+.1%} with 2 busy", ocr_slowdown))
    for label, factor in cases:
        span = makespan([c * factor for c in pages], 2)
        two = (ends + span) / (1 - rate / 2)
        print(
            f"  CPU-bound model ({label}): 1 worker {one:.2f} s (serial ends {ends:.2f} s, pages "
            f"{sum(pages):.2f} s), 2 workers {two:.2f} s (pages' makespan {span:.2f} s vs even split "
            f"{sum(pages) * factor / 2:.2f} s, the rest {rate * 1000:.0f} ms/s of CPU) = {one / two:.2f}x"
        )


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
            # a task's "succeeded" line may come just after the job's record says done
            ends, busy = steps.get(f"{name} end", []), steps.get(f"{name} busy", [])
            parts.append(
                f"{name} {min(steps[name + ' start']):.2f}-{f'{max(ends):.2f}' if ends else '?'} "
                f"(busy {sum(busy):.2f} s in {len(busy)})"
            )
    assert finished is not None, "a done job has its finish time"
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
    moto = MotoProcess()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp:
            root = Path(tmp)
            rates = {}
            cpu: dict[int, tuple[float, float]] = {}
            for workers in (1, 2):
                load = os.getloadavg()
                with Run(root / f"t{workers}", moto, workers) as run:
                    path = dossier(root / f"t{workers}.pdf", args.pages, f"t{workers}")
                    seconds, _job = run.job(path, run.meter())
                    rates[workers] = args.pages / seconds * 60
                    used = {w for _, w in page_rows(run.engine, hash_file(path).sha256)}
                    print(
                        f"throughput, {workers} worker(s): {args.pages} pages in {seconds:.1f} s = "
                        f"{rates[workers]:.1f} pages/min, upload to the job's finish time (the client saw it "
                        f"{run.poll_lag:.2f} s later); pages on {len(used)} worker(s); "
                        f"load average before {load[0]:.1f}"
                    )
                    print(f"  timeline (s from the upload): {timeline(run)}")
                    before, after = serial_ends(run)
                    print(
                        f"  serial critical path: {before:.2f} s before the first page, {after:.2f} s after "
                        f"the last page = {before + after:.2f} s"
                    )
                    cpu[workers] = cpu_report(run, args.pages)
                    if workers == 1:
                        seq1, usage1, serial1 = run.task_cpu_sequence(), run.usage, before + after
                    if workers == 2:
                        outside, task_total, count = overhead(run)
            print(f"throughput ratio 2 workers / 1 worker: {rates[2] / rates[1]:.2f}x (target >= 1.8x)")
            (ocr1, else1), (ocr2, else2) = cpu[1], cpu[2]
            print(
                f"CPU per page, 1 -> 2 workers: OCR {ocr1:.3f} -> {ocr2:.3f} s ({ocr2 / ocr1 - 1:+.1%}), "
                f"everything else {else1:.3f} -> {else2:.3f} s; two cores busy with nothing but this run "
                f"would give at most {120 / (ocr2 + else2):.1f} pages/min with 2 workers "
                f"= {120 / (ocr2 + else2) / rates[1]:.2f}x the 1-worker rate"
            )
            cpu_model(seq1, usage1, ocr2 / ocr1, serial1)
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
