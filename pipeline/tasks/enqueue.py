"""Submitting an intake job to the queue: uploads into the store first, then the job, then tasks.

Order, so that no failure loses an upload or leaves a job nobody will run:

1. every file goes to the store's incoming area under its SHA-256 (retried by the store; a
   failure here answers 503 and the client sends again - same bytes, same key);
2. ONE transaction writes the job and its files (and the new dossier, when one is asked for);
3. one ``prepare`` task per file is published. If the broker refuses, the job is marked failed
   with that reason: its uploads stay in the store and the clerk sees why.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import update

from pipeline.services import Services
from pipeline.tasks.app import PREPARE, PRIORITY_BIG, PRIORITY_INLINE, QueueNames, SohoaCelery
from storage.db.api_models import Job, JobStatus
from storage.db.dossiers import audit, create_dossier_in
from storage.db.engine import run_in_transaction
from storage.db.queue_models import JobFile
from storage.objects.base import Bucket
from storage.objects.keys import hash_file

log = logging.getLogger("sohoa.tasks")

SMALL_FILE_BYTES = 4 * 1024 * 1024  # before its pages are counted, a small upload is presumed short


@dataclass(frozen=True)
class Upload:
    name: str
    path: Path  # the API's local copy, removed by the caller once submitted


def submit_job(
    services: Services,
    uploads: list[Upload],
    *,
    actor: str,
    agencies: list[str],
    dossier_code: str | None,
    procedure_code: str | None,
    agency_code: str | None,
    job_id: str | None = None,
) -> str:
    """Store the uploads, record the job, publish its tasks; returns the job id."""
    engine, store, app = services.engine, services.store, services.queue
    assert isinstance(app, SohoaCelery), "submit_job needs the queue (SOHOA_QUEUE__BROKER_URL)"
    job_id = job_id or uuid.uuid4().hex
    stored = []
    for upload in uploads:
        hashed = hash_file(upload.path)
        store.put_file(
            Bucket.INCOMING,
            hashed,
            content_type="application/octet-stream",
            metadata={"job": job_id},
        )
        stored.append((upload.name, hashed.sha256, hashed.size))

    def record(session: Any) -> None:
        code = dossier_code
        if code is None and (procedure_code is not None or agency_code is not None):
            from pipeline.intake import DEFAULT_AGENCY

            code = create_dossier_in(
                session, agency_code or DEFAULT_AGENCY, procedure_code=procedure_code, actor=actor
            ).code
        session.add(
            Job(
                id=job_id,
                actor=actor,
                agencies=agencies,
                dossier_code=code,
                procedure_code=procedure_code,
                agency_code=agency_code,
                workdir="",
                files=[
                    {"name": n, "sha256": s, "size": z, "key": f"{Bucket.INCOMING.value}/{s}"}
                    for n, s, z in stored
                ],
            )
        )
        session.flush()
        session.add_all(
            JobFile(job_id=job_id, position=i, name=n, sha256=s, size=z) for i, (n, s, z) in enumerate(stored)
        )

    run_in_transaction(engine, record)
    pages_queue = QueueNames.of(services.settings).pages
    try:
        for position, (_name, _sha, size) in enumerate(stored):
            if size <= SMALL_FILE_BYTES:  # likely a few pages: ahead of big jobs' pages, on their queue
                app.send_task(
                    PREPARE,
                    args=[job_id, position],
                    priority=app.priority(PRIORITY_INLINE),
                    queue=pages_queue,
                    routing_key=pages_queue,
                )
            else:
                app.send_task(PREPARE, args=[job_id, position], priority=app.priority(PRIORITY_BIG))
    except Exception as exc:
        log.error("job %s not published: %s", job_id, type(exc).__name__)
        message = "Hàng đợi không nhận công việc, bản quét vẫn được giữ (broker unavailable; uploads kept)"

        def failed(session: Any) -> None:
            won = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == JobStatus.QUEUED.value)
                .values(status=JobStatus.FAILED.value, error=message, finished_at=datetime.now(UTC))
            ).rowcount
            if won == 1:  # announced once, like a job a worker finishes
                audit(session, "job.finished", actor=actor, job_id=job_id, status=JobStatus.FAILED.value,
                      files=len(stored), dossier=dossier_code, error=message)

        run_in_transaction(engine, failed)
        raise
    return job_id
