"""Intake jobs of the embedded default: a row per upload, run in the API process.

The job table is the record of every job (the API reads it, whichever way the job ran). With a
broker configured the work is Celery's (:mod:`pipeline.tasks`); without one, the API's own
thread pool runs each job with the same :class:`pipeline.intake.Intake` as ``sohoa ingest``,
claiming its row with a conditional UPDATE (only one claimer wins). There is no polling queue
and no host/pid liveness check any more: the embedded default is one process, so at start every
job it finds ``queued`` or ``running`` was interrupted and is run again (intake is idempotent:
a scan already recorded is reported as held). An upload is removed only once its job's
outcome is recorded; a database or store outage puts the job back in the queue instead.
"""

from __future__ import annotations

import logging
import shutil
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from pipeline.intake import FileOutcome, Intake, Status, default_executor
from pipeline.services import Services
from storage.db.api_models import Job, JobStatus
from storage.db.dossiers import audit
from storage.db.engine import read_session, run_in_transaction, write_session

log = logging.getLogger("sohoa.jobs")

OUTAGE_REASONS = frozenset({"storage_unavailable", "database"})  # failure_reason() of the outage errors
RETRY_SECONDS = 15.0  # an interrupted job (database or store outage) is tried again after this


def holder() -> str:
    """Who ran a job (for the record only; nothing decides on it)."""
    return f"embedded@{socket.gethostname()}"


def new_job_id() -> str:
    return uuid.uuid4().hex


def uploads_dir(ctx: Services, job_id: str) -> Path:
    return ctx.settings.data_dir / "uploads" / job_id


def create_job(
    ctx: Services,
    job_id: str,
    *,
    actor: str,
    agencies: list[str],
    files: list[dict[str, Any]],
    dossier_code: str | None,
    procedure_code: str | None,
    agency_code: str | None,
) -> None:
    with write_session(ctx.engine) as session:
        session.add(
            Job(
                id=job_id,
                actor=actor,
                agencies=agencies,
                dossier_code=dossier_code,
                procedure_code=procedure_code,
                agency_code=agency_code,
                workdir=str(uploads_dir(ctx, job_id)),
                files=files,
            )
        )


def job_view(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": job.status,
        "dossier": job.dossier_code,
        "files_total": len(job.files),
        "files_done": job.files_done,
        "pages_done": job.pages_done,
        "pages_total": job.pages_total,
        "result": job.result,
        "error": job.error,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def outcome_view(outcome: FileOutcome) -> dict[str, Any]:
    return {
        "file": outcome.path.name,
        "status": outcome.status.value,
        "pages": outcome.pages,
        "doc_types": outcome.doc_types,
        "document_ids": outcome.document_ids,
        "reason": outcome.reason,
        "message": outcome.message,
    }


class _Progress:
    """Turns intake's per-file page callbacks into job-wide counts, written to the job row."""

    def __init__(self, ctx: Services, job_id: str) -> None:
        self.ctx = ctx
        self.job_id = job_id
        self.pages_before = 0  # pages of the files already finished
        self.current_total = 0
        self.current_done = 0

    def _write(self, **values: Any) -> None:
        def work(session: Any) -> None:
            session.execute(update(Job).where(Job.id == self.job_id).values(**values))

        try:
            run_in_transaction(self.ctx.engine, work)
        except Exception as exc:  # progress is best effort; the result is written at the end
            log.warning("job progress not saved: %s", type(exc).__name__)

    def page(self, done: int, total: int) -> None:
        self.current_done, self.current_total = done, total
        self._write(
            pages_done=self.pages_before + done, pages_total=self.pages_before + max(total, done)
        )

    def file_done(self, outcome: FileOutcome, index: int) -> None:
        pages = max(outcome.pages, self.current_total, self.current_done)
        self.pages_before += pages
        self.current_done = self.current_total = 0
        self._write(files_done=index, pages_done=self.pages_before, pages_total=self.pages_before)


def run_job(ctx: Services, job_id: str, *, executor: Any, processor: Any = None) -> bool:
    """Claim and run one queued job; False when another worker got it first."""
    me = holder()

    def claim(session: Any) -> Job | None:
        won = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED.value)
            .values(status=JobStatus.RUNNING.value, claimed_by=me, started_at=datetime.now(UTC))
        ).rowcount
        return session.get(Job, job_id) if won == 1 else None

    job = run_in_transaction(ctx.engine, claim)
    if job is None:
        return False
    progress = _Progress(ctx, job_id)
    status, result, error = JobStatus.FAILED, None, None
    try:
        intake = Intake(
            ctx.settings, engine=ctx.engine, store=ctx.store, executor=executor, processor=processor,
            actor=job.actor,
        )
        outcomes: list[FileOutcome] = []
        paths = [Path(f["path"]) for f in job.files]

        def on_file(outcome: FileOutcome) -> None:
            outcomes.append(outcome)
            progress.file_done(outcome, len(outcomes))

        report = intake.ingest(
            paths,
            dossier_code=job.dossier_code,
            procedure_code=job.procedure_code if job.dossier_code is None else None,
            agency_code=job.agency_code if job.dossier_code is None else None,
            on_file=on_file,
            page_progress=progress.page,
        )
        result = {
            "dossier": report.dossier,
            "documents": [
                {"file": o.path.name, "document_id": d, "doc_type": t}
                for o in report.outcomes
                if o.status == Status.INGESTED
                for d, t in zip(o.document_ids, o.doc_types, strict=False)
            ],
            "duplicates": [outcome_view(o) for o in report.outcomes if o.status == Status.DUPLICATE],
            "quarantined": [outcome_view(o) for o in report.outcomes if o.status == Status.FAILED],
            "files": [outcome_view(o) for o in report.outcomes],
        }
        status = JobStatus.DONE
        outage = [o for o in report.outcomes if o.reason in OUTAGE_REASONS]
        if outage:  # a file failed only because a service was away: run the job again later
            status, error = JobStatus.QUEUED, f"{outage[0].message} - sẽ thử lại (will retry)"
    except Exception as exc:
        error = getattr(exc, "message", None) or f"Lỗi nội bộ (internal error): {type(exc).__name__}"
        log.warning("job %s failed: %s", job_id, type(exc).__name__)
        if _is_outage(exc):  # nothing is failed for an outage: the job waits for the services
            status, error = JobStatus.QUEUED, f"{error} - sẽ thử lại (will retry)"

    def finish(session: Any) -> None:
        audit(
            session,
            "job.finished",
            actor=job.actor,
            job_id=job_id,
            status=status.value,
            files=len(job.files),
            dossier=(result or {}).get("dossier") or job.dossier_code,
        )
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                status=status.value,
                result=result,
                error=error,
                finished_at=datetime.now(UTC),
                dossier_code=(result or {}).get("dossier") or job.dossier_code,
            )
        )

    run_in_transaction(ctx.engine, finish)  # raises while the database is down: the upload stays
    if status == JobStatus.DONE:
        shutil.rmtree(uploads_dir(ctx, job_id), ignore_errors=True)
    return status != JobStatus.QUEUED


def _is_outage(exc: BaseException) -> bool:
    from pipeline.tasks.work import is_outage

    return is_outage(exc)


def resume_interrupted(ctx: Services) -> int:
    """Jobs left ``running`` by a previous run of this (single) process go back to ``queued``."""

    def work(session: Any) -> int:
        return int(
            session.execute(
                update(Job)
                .where(Job.status == JobStatus.RUNNING.value)
                .values(status=JobStatus.QUEUED.value, claimed_by=None, files_done=0, pages_done=0,
                        pages_total=0)
            ).rowcount
        )

    return run_in_transaction(ctx.engine, work)


def queued_job_ids(ctx: Services, limit: int = 100) -> list[str]:
    with read_session(ctx.engine) as session:
        return list(
            session.scalars(
                select(Job.id)
                .where(Job.status == JobStatus.QUEUED.value)
                .order_by(Job.created_at)
                .limit(limit)
            )
        )


class JobRunner:
    """Threads running jobs (OCR itself runs in the shared executor's worker processes)."""

    def __init__(self, ctx: Services, *, threads: int = 1, processor: Any = None) -> None:
        self.ctx = ctx
        self.threads = threads
        self.processor = processor
        self._pool: ThreadPoolExecutor | None = None
        self._executor: Any = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    @property
    def executor(self) -> Any:
        with self._lock:
            if self._executor is None:
                self._executor = default_executor(self.ctx.settings)
            return self._executor

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="sohoa-job")
        try:
            resume_interrupted(self.ctx)
            for job_id in queued_job_ids(self.ctx):
                self.submit(job_id)
        except Exception as exc:
            log.warning("could not resume queued jobs: %s", type(exc).__name__)

    def submit(self, job_id: str) -> None:
        if self._pool is None or self._stop.is_set():
            return  # runs at the next start
        self._pool.submit(self._run_logged, job_id)

    def _run_logged(self, job_id: str) -> None:
        try:
            finished = run_job(self.ctx, job_id, executor=self.executor, processor=self.processor)
        except Exception as exc:
            log.error("job %s interrupted: %s", job_id, type(exc).__name__)
            finished = False
        if not finished and not self._stop.is_set():  # back in the queue (outage): try again later
            timer = threading.Timer(RETRY_SECONDS, self._retry, args=(job_id,))
            timer.daemon = True
            timer.start()

    def _retry(self, job_id: str) -> None:
        def requeue(session: Any) -> None:
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == JobStatus.RUNNING.value)
                .values(status=JobStatus.QUEUED.value, claimed_by=None)
            )

        try:
            run_in_transaction(self.ctx.engine, requeue)
        except Exception as exc:
            log.info("job %s still waits for the database: %s", job_id, type(exc).__name__)
            if not self._stop.is_set():
                timer = threading.Timer(RETRY_SECONDS, self._retry, args=(job_id,))
                timer.daemon = True
                timer.start()
            return
        self.submit(job_id)

    def stop(self) -> None:
        self._stop.set()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        with self._lock:
            shutdown = getattr(self._executor, "shutdown", None) or getattr(self._executor, "close", None)
            if callable(shutdown):
                shutdown()
            self._executor = None
