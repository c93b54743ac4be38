"""Intake jobs: a row per upload, claimed and run by a worker through ``pipeline.intake``.

The job table is the queue: the API's in-process thread pool and any number of ``sohoa worker``
processes claim ``queued`` rows with a conditional UPDATE (only one claimer wins), run them with
the same :class:`pipeline.intake.Intake` as ``sohoa ingest`` and write progress as pages finish.
A job left ``running`` by a process that died is queued again when a worker starts.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from pipeline.intake import FileOutcome, Intake, Status, default_executor, pid_alive
from pipeline.services import Services
from storage.db.api_models import Job, JobStatus
from storage.db.dossiers import audit
from storage.db.engine import read_session, run_in_transaction, write_session

log = logging.getLogger("sohoa.jobs")


def holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


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
    except Exception as exc:
        error = getattr(exc, "message", None) or f"Lỗi nội bộ (internal error): {type(exc).__name__}"
        log.warning("job %s failed: %s", job_id, type(exc).__name__)
    finally:
        shutil.rmtree(uploads_dir(ctx, job_id), ignore_errors=True)

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

    run_in_transaction(ctx.engine, finish)
    return True


def requeue_orphans(ctx: Services) -> int:
    """Jobs ``running`` under a process of this host that no longer exists go back to the queue."""
    host = socket.gethostname()

    def work(session: Any) -> int:
        count = 0
        for job in session.scalars(select(Job).where(Job.status == JobStatus.RUNNING.value)):
            owner_host, _, pid = (job.claimed_by or "").rpartition(":")
            if owner_host == host and pid.isdigit() and not _alive(int(pid)):
                job.status, job.claimed_by = JobStatus.QUEUED.value, None
                job.files_done = job.pages_done = job.pages_total = 0
                count += 1
        return count

    return run_in_transaction(ctx.engine, work)


def _alive(pid: int) -> bool:
    return pid == os.getpid() or pid_alive(pid)


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
            requeue_orphans(self.ctx)
            for job_id in queued_job_ids(self.ctx):
                self.submit(job_id)
        except Exception as exc:
            log.warning("could not resume queued jobs: %s", type(exc).__name__)

    def submit(self, job_id: str) -> None:
        if self._pool is None:
            return  # a separate ``sohoa worker`` will pick it up
        self._pool.submit(self._run_logged, job_id)

    def _run_logged(self, job_id: str) -> None:
        try:
            run_job(self.ctx, job_id, executor=self.executor, processor=self.processor)
        except Exception as exc:
            log.error("job %s crashed: %s", job_id, type(exc).__name__)

    def run_forever(self, poll_seconds: float = 1.0) -> None:
        """``sohoa worker``: claim queued jobs until stopped."""
        requeue_orphans(self.ctx)
        while not self._stop.is_set():
            ran = False
            for job_id in queued_job_ids(self.ctx, limit=10):
                if self._stop.is_set():
                    break
                ran = run_job(self.ctx, job_id, executor=self.executor, processor=self.processor) or ran
            if not ran:
                self._stop.wait(poll_seconds)

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
