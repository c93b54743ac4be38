"""The steps of a distributed intake, as plain functions a Celery task (or a test) calls.

A job's files wait in the store's incoming area under their SHA-256. For each file:

1. ``prepare_file`` fetches it, validates it, counts its pages and says which pages still need
   OCR (a page already in ``page_results`` - same content hash, same page - is never redone);
2. ``run_page`` OCRs one page and inserts its ``page_results`` row (unique per hash and page,
   so a redelivered page is stored once) and says whether the file's pages are now all there;
3. ``assemble_file`` builds documents, fields and searchable PDFs from the page rows and
   records them through :class:`pipeline.intake.Intake` - the same writes as ``sohoa ingest`` -
   in ONE transaction that also sets the file's outcome and, for the last file, the job's.

Every step is safe to repeat: the outcome is set by a conditional update inside the recording
transaction, so a second assembler of the same file rolls back; an upload is removed from the
incoming area only after its scan is recorded, and never when something failed.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from config.errors import SohoaError
from config.settings import Settings
from ocr.page import process_page
from ocr.source import open_scan
from pipeline.intake import FileOutcome, Intake, Status, failure_reason
from pipeline.process import attach_pdfs, build_result
from pipeline.tasks.pagecodec import page_from_json, page_to_json
from storage.db.api_models import Job, JobStatus
from storage.db.dossiers import audit
from storage.db.engine import read_session, run_in_transaction
from storage.db.errors import DatabaseError
from storage.db.models import Scan
from storage.db.queue_models import FINAL_FILE_STATUSES, FileStatus, JobFile, PageResult
from storage.db.records import find_scan
from storage.objects.base import Bucket, ObjectStore
from storage.objects.errors import StorageUnavailableError
from storage.objects.keys import hash_file

log = logging.getLogger("sohoa.tasks")

CACHE_TTL = timedelta(hours=2)  # a worker's local copy of an incoming scan, for its next pages
# The incoming-area sweep is a safety net (a removal that failed while the store or database was
# away); each assembly releases its own upload. Once per process per interval, not per assembly:
# it lists the area and asks the database about every key, work that grows with the uploads
# waiting, on the cores the pages need.
SWEEP_INTERVAL = timedelta(minutes=10)
FINAL = tuple(s.value for s in FINAL_FILE_STATUSES)
OUTAGE_REASONS = frozenset({"storage_unavailable", "database_unavailable"})


class AlreadyRecorded(Exception):
    """Another delivery of the same step recorded this file first: roll back, do nothing."""


def is_outage(exc: BaseException) -> bool:
    """The store or the database is unreachable: the step is retried later, nothing is failed."""
    if isinstance(exc, StorageUnavailableError | DatabaseError | OperationalError | InterfaceError):
        return True
    return isinstance(exc, ConnectionError | TimeoutError)


def outage_reason(exc: BaseException) -> str:
    return "storage_unavailable" if isinstance(exc, StorageUnavailableError) else "database_unavailable"


@dataclass
class WorkContext:
    """What a step needs: settings, database, store, and the name of the worker running it."""

    settings: Settings
    engine: Engine
    store: ObjectStore
    node: str = "local"
    cache_dir: Path = field(init=False)

    def __post_init__(self) -> None:
        self.cache_dir = self.settings.data_dir / "cache" / "incoming"


@dataclass
class Prepared:
    pages: int  # of the file
    todo: list[int]  # 0-based page indices still without a result
    done: bool = False  # the file needs nothing more (already final)


# -- small helpers ---------------------------------------------------------------------------


def _load(ctx: WorkContext, job_id: str, position: int) -> tuple[Job, JobFile]:
    with read_session(ctx.engine) as session:
        job = session.get(Job, job_id)
        jf = session.scalar(select(JobFile).where(JobFile.job_id == job_id, JobFile.position == position))
        session.expunge_all()  # plain snapshots: the session's closing rollback would expire them
    if job is None or jf is None:
        raise SohoaError(f"Không có công việc {job_id} (unknown job or file)")
    return job, jf


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^\w.-]+", "_", name)[:120].lstrip(".")
    return stem or "scan"


def fetch_incoming(ctx: WorkContext, jf: JobFile) -> Path:
    """This worker's local copy of an incoming scan (downloaded once, checked against its hash)."""
    folder = ctx.cache_dir / jf.sha256
    dest = folder / _safe_name(jf.name)
    if dest.is_file():
        return dest
    _sweep_cache(ctx.cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return ctx.store.get_file(Bucket.INCOMING, jf.sha256, dest)


def _sweep_cache(root: Path) -> None:
    if not root.is_dir():
        return
    cutoff = time.time() - CACHE_TTL.total_seconds()
    for child in root.iterdir():
        try:
            if child.stat().st_mtime < cutoff:
                shutil.rmtree(child, ignore_errors=True)
        except OSError:
            continue


def _drop_cache(ctx: WorkContext, sha256: str) -> None:
    shutil.rmtree(ctx.cache_dir / sha256, ignore_errors=True)


def _workdir(ctx: WorkContext) -> Path:
    root = ctx.settings.data_dir / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="task-", dir=root))


def _lock_job(session: Any, job_id: str) -> None:
    """Serialise the outcome writes of one job's files (PostgreSQL; SQLite has one writer anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT id FROM api_jobs WHERE id = :id FOR UPDATE"), {"id": job_id})


def outcome_view(outcome: FileOutcome, name: str) -> dict[str, Any]:
    return {
        "file": name,
        "status": outcome.status.value,
        "pages": outcome.pages,
        "doc_types": outcome.doc_types,
        "document_ids": outcome.document_ids,
        "reason": outcome.reason,
        "message": outcome.message,
    }


def _files_done(session: Any, job_id: str) -> None:
    """Inside the transaction that set a file's outcome: the job's count of final files."""
    done = session.scalar(
        select(func.count(JobFile.id)).where(JobFile.job_id == job_id, JobFile.status.in_(FINAL))
    )
    session.execute(update(Job).where(Job.id == job_id).values(files_done=int(done or 0)))


def _finish_job(session: Any, job_id: str) -> bool:
    """The job's record once every file is final, with its ``job.finished`` audit (and webhook).

    Conditional on the job not being final yet, so however many tasks get here the job is
    finished, audited and announced once.
    """
    _lock_job(session, job_id)
    job = session.get(Job, job_id)
    if job is None or job.status in (JobStatus.DONE.value, JobStatus.FAILED.value):
        return False
    files = list(session.scalars(select(JobFile).where(JobFile.job_id == job_id).order_by(JobFile.position)))
    if any(f.status not in FINAL for f in files):
        return False
    views = [
        f.outcome or {"file": f.name, "status": f.status, "reason": f.reason, "message": f.message}
        for f in files
    ]
    dead = [f for f in files if f.reason in OUTAGE_REASONS]
    status = JobStatus.FAILED if dead else JobStatus.DONE
    result = {
        "dossier": job.dossier_code,
        "documents": [
            {"file": v["file"], "document_id": d, "doc_type": t}
            for v in views
            if v.get("status") == Status.INGESTED.value
            for d, t in zip(v.get("document_ids", []), v.get("doc_types", []), strict=False)
        ],
        "duplicates": [v for v in views if v.get("status") == Status.DUPLICATE.value],
        "quarantined": [v for v in views if v.get("status") == Status.FAILED.value],
        "files": views,
    }
    won = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.not_in([JobStatus.DONE.value, JobStatus.FAILED.value]))
        .values(
            status=status.value,
            finished_at=datetime.now(UTC),
            error=dead[0].message if dead else None,
            result=result,
            files_done=len(files),
        )
    ).rowcount
    if won != 1:
        return False
    audit(
        session,
        "job.finished",
        actor=job.actor,
        job_id=job_id,
        status=status.value,
        files=len(files),
        dossier=job.dossier_code,
        **({"error": dead[0].message} if dead else {}),
    )
    return True


def finish_job(ctx: WorkContext, job_id: str, *, strict: bool = True) -> bool:
    """Release the job's recorded uploads from the incoming area, then finish the job's record.

    In that order, so a job seen ``done`` has nothing left in incoming. ``strict``: a store or
    database that does not answer raises (the assembly task retries, and its retry does only
    this); otherwise the job is finished anyway and a later sweep removes the leftover.
    True when this call finished the job.
    """
    with read_session(ctx.engine) as session:
        files = list(session.execute(select(JobFile.sha256, JobFile.status).where(JobFile.job_id == job_id)))
    if any(status not in FINAL for _, status in files):
        return False
    for sha256 in sorted({sha for sha, status in files if status != FileStatus.FAILED.value}):
        try:
            _release_incoming(ctx, sha256)
        except Exception as exc:
            if strict:
                raise
            log.warning("incoming upload not removed yet: %s", type(exc).__name__)
    return bool(run_in_transaction(ctx.engine, lambda s: _finish_job(s, job_id)))


def _set_outcome(
    session: Any, jf: JobFile, status: str, view: dict[str, Any], pages: int | None = None
) -> None:
    _lock_job(session, jf.job_id)
    values: dict[str, Any] = {
        "status": status,
        "outcome": view,
        "reason": view.get("reason"),
        "message": view.get("message"),
        "updated_at": datetime.now(UTC),
    }
    if pages is not None:
        values["pages"] = pages
    won = session.execute(
        update(JobFile).where(JobFile.id == jf.id, JobFile.status.not_in(FINAL)).values(**values)
    ).rowcount
    if won != 1:
        raise AlreadyRecorded(jf.id)
    _files_done(session, jf.job_id)


# -- the steps -------------------------------------------------------------------------------


def prepare_file(ctx: WorkContext, job_id: str, position: int) -> Prepared:
    """Validate the file and list its pages still to OCR; bad input fails the file (raises nothing)."""
    job, jf = _load(ctx, job_id, position)
    if jf.status in FINAL:
        return Prepared(jf.pages, [], done=True)
    if job.status == JobStatus.QUEUED.value:
        run_in_transaction(
            ctx.engine,
            lambda s: s.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == JobStatus.QUEUED.value)
                .values(status=JobStatus.RUNNING.value, started_at=datetime.now(UTC), claimed_by=ctx.node)
            ),
        )
    with read_session(ctx.engine) as session:
        if find_scan(session, jf.sha256) is not None:  # already held: the assembler says duplicate
            return Prepared(jf.pages, [])
    local = fetch_incoming(ctx, jf)
    try:
        source = open_scan(local, ctx.settings.ocr)
        count = source.page_count
        source.close()
    except SohoaError as exc:
        fail_file(ctx, job_id, position, failure_reason(exc), exc.message)
        return Prepared(0, [], done=True)

    def record_count(session: Any) -> set[int]:
        session.execute(
            update(JobFile).where(JobFile.id == jf.id).values(status=FileStatus.RUNNING.value, pages=count)
        )
        total = session.scalar(select(func.sum(JobFile.pages)).where(JobFile.job_id == job_id)) or 0
        session.execute(update(Job).where(Job.id == job_id).values(pages_total=int(total)))
        return set(session.scalars(select(PageResult.page_number).where(PageResult.sha256 == jf.sha256)))

    have = run_in_transaction(ctx.engine, record_count)
    return Prepared(count, [i for i in range(count) if i + 1 not in have])


def _page_state(ctx: WorkContext, job_id: str, position: int, number: int) -> tuple[JobFile, bool]:
    """The file's row and whether page ``number`` already has its result, in one statement."""
    have = (
        select(PageResult.id)
        .where(PageResult.sha256 == JobFile.sha256, PageResult.page_number == number)
        .exists()
    )
    with read_session(ctx.engine) as session:
        row = session.execute(
            select(JobFile, have).where(JobFile.job_id == job_id, JobFile.position == position)
        ).one_or_none()
        session.expunge_all()  # a plain snapshot: the session's closing rollback would expire it
    if row is None:
        raise SohoaError(f"Không có công việc {job_id} (unknown job or file)")
    return row[0], bool(row[1])


def _file_complete(ctx: WorkContext, jf: JobFile) -> bool:
    """Every page of the file has its result: asked after the page's commit, in a fresh snapshot.

    Not inside the insert's transaction: two last pages committing together would each miss
    the other's row there, and neither would start the assembly.
    """
    stored = select(func.count(PageResult.id)).where(PageResult.sha256 == jf.sha256).scalar_subquery()
    with read_session(ctx.engine) as session:
        row = session.execute(select(JobFile.pages, stored).where(JobFile.id == jf.id)).one_or_none()
    if row is None:
        return False
    pages, count = int(row[0] or 0), int(row[1] or 0)
    return pages > 0 and count >= pages


def run_page(ctx: WorkContext, job_id: str, position: int, index: int) -> bool:
    """OCR page ``index`` unless its result exists; True when every page of the file now has one.

    Three short transactions a page (state, insert, completion), not four: each costs the
    database a connection check, a BEGIN and an end besides its statements.
    """
    number = index + 1
    jf, have = _page_state(ctx, job_id, position, number)
    if jf.status in FINAL:
        return False
    if not have:
        local = fetch_incoming(ctx, jf)
        workdir = _workdir(ctx)
        try:
            page = process_page(local, index, ctx.settings.ocr, workdir)
            pdf = (
                page.pdf_path.read_bytes() if page.pdf_path is not None and page.pdf_path.is_file() else None
            )
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        row = PageResult(
            sha256=jf.sha256,
            page_number=number,
            ocr=page_to_json(page),
            pdf=pdf,
            worker=ctx.node,
            seconds=page.seconds,
        )

        def insert(session: Any) -> None:
            session.add(row)
            session.flush()
            session.execute(update(Job).where(Job.id == job_id).values(pages_done=Job.pages_done + 1))

        try:
            run_in_transaction(ctx.engine, insert)
        except IntegrityError:
            log.info("page %d of job %s was already stored by another delivery", number, job_id)
    return _file_complete(ctx, jf)


def assemble_file(ctx: WorkContext, job_id: str, position: int) -> FileOutcome | None:
    """Documents, fields, searchable PDFs of a file from its page rows, recorded in one transaction.

    None when another delivery already recorded the file.
    """
    job, jf = _load(ctx, job_id, position)
    if jf.status in FINAL:  # a redelivery: the first assembler may have died before finishing
        finish_job(ctx, job_id)
        return None
    local = fetch_incoming(ctx, jf)
    source = hash_file(local)
    if source.sha256 != jf.sha256:  # the store checks this too; a damaged cache copy is refetched
        _drop_cache(ctx, jf.sha256)
        raise StorageUnavailableError("Bản sao tạm bị hỏng (local copy damaged), thử lại")
    outcome = FileOutcome(path=local, status=Status.FAILED, sha256=jf.sha256)
    intake = Intake(ctx.settings, engine=ctx.engine, store=ctx.store, actor=job.actor)

    def hook(session: Any, done: FileOutcome) -> None:
        _set_outcome(session, jf, done.status.value, outcome_view(done, jf.name), pages=done.pages or None)
        session.execute(update(PageResult).where(PageResult.sha256 == jf.sha256).values(pdf=None))

    with read_session(ctx.engine) as session:
        held = find_scan(session, jf.sha256) is not None
    if held:  # recorded before (another job, or sohoa ingest): attach it, report a duplicate
        try:
            intake.record_result(source, None, outcome, job.dossier_code, in_transaction=hook)
        except AlreadyRecorded:
            finish_job(ctx, job_id)
            return None
        finish_job(ctx, job_id)
        return outcome
    workdir = _workdir(ctx)
    try:
        with read_session(ctx.engine) as session:
            rows = list(
                session.execute(
                    select(PageResult.page_number, PageResult.ocr, PageResult.pdf)
                    .where(PageResult.sha256 == jf.sha256)
                    .order_by(PageResult.page_number)
                )
            )
        pages = []
        for number, ocr, pdf in rows:
            pdf_path = None
            if pdf is not None:
                pdf_path = workdir / "pages" / f"page-{number:05d}.pdf"
                pdf_path.parent.mkdir(parents=True, exist_ok=True)
                pdf_path.write_bytes(pdf)
            pages.append(page_from_json(ocr, pdf_path))
        result = build_result(jf.name, pages, ctx.settings)
        attach_pdfs(result, pages, workdir, _safe_name(Path(jf.name).stem))
        try:
            intake.record_result(source, result, outcome, job.dossier_code, in_transaction=hook)
        except AlreadyRecorded:
            finish_job(ctx, job_id)
            return None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    finish_job(ctx, job_id)
    maybe_sweep_incoming(ctx)
    return outcome


def _release_incoming(ctx: WorkContext, sha256: str) -> None:
    """Remove a recorded upload from the incoming area unless another unfinished file still needs it.

    Raises when the store or the database does not answer: the assembly task is then retried,
    and its retry (the file is final by then) does only this.
    """
    _drop_cache(ctx, sha256)
    with read_session(ctx.engine) as session:
        waiting = session.scalar(
            select(func.count(JobFile.id)).where(JobFile.sha256 == sha256, JobFile.status.not_in(FINAL))
        )
        recorded = find_scan(session, sha256) is not None
    if not waiting and recorded:
        ctx.store.delete(Bucket.INCOMING, sha256)


_last_sweep = {"at": time.monotonic()}  # per process; a new pool process waits one interval


def maybe_sweep_incoming(ctx: WorkContext, now: float | None = None) -> bool:
    """Sweep the incoming area when this process last did so ``SWEEP_INTERVAL`` ago; True if it ran."""
    now = time.monotonic() if now is None else now
    if now - _last_sweep["at"] < SWEEP_INTERVAL.total_seconds():
        return False
    _last_sweep["at"] = now
    try:
        sweep_incoming(ctx)
    except Exception as exc:  # only space: the next interval sweeps again
        log.info("incoming sweep postponed: %s", type(exc).__name__)
    return True


def sweep_incoming(ctx: WorkContext, limit: int = 200) -> int:
    """Remove incoming uploads whose scans are recorded and whose job files are all final.

    The safety net for a removal that failed after its scan was recorded (store or database away
    at that moment); uploads of failed files are kept (their scan is not recorded).
    """
    keys = list(ctx.store.list_keys(Bucket.INCOMING))[:limit]
    if not keys:
        return 0
    with read_session(ctx.engine) as session:  # two statements for all the keys, not two per key
        waiting = set(
            session.scalars(
                select(JobFile.sha256).where(JobFile.sha256.in_(keys), JobFile.status.not_in(FINAL))
            )
        )
        recorded = set(session.scalars(select(Scan.sha256).where(Scan.sha256.in_(keys))))
    removed = 0
    for key in keys:
        if key in recorded and key not in waiting:
            ctx.store.delete(Bucket.INCOMING, key)
            removed += 1
    return removed


def fail_file(ctx: WorkContext, job_id: str, position: int, reason: str, message: str) -> bool:
    """Mark a file failed with its reason (the clerk's dead-letter view); its upload is kept."""
    _job, jf = _load(ctx, job_id, position)
    view = {
        "file": jf.name,
        "status": Status.FAILED.value,
        "pages": jf.pages,
        "doc_types": [],
        "document_ids": [],
        "reason": reason,
        "message": message,
    }
    try:
        run_in_transaction(ctx.engine, lambda s: _set_outcome(s, jf, FileStatus.FAILED.value, view))
    except AlreadyRecorded:
        finish_job(ctx, job_id, strict=False)
        return False
    log.warning("job %s file %d failed: %s", job_id, position, reason)
    finish_job(ctx, job_id, strict=False)
    return True


def worker_node() -> str:
    return f"{os.uname().nodename}:{os.getpid()}"
