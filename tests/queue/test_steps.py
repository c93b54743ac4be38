"""The queue's steps without a broker, on SQLite and PostgreSQL: each one safe to deliver twice.

A redelivered page stores nothing new (one row per scan hash and page), a second assembler of the
same file rolls back (one scan, one set of documents), the upload leaves the incoming area only
once recorded, and a bad file fails with its reason while its upload stays.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pipeline.dossier.catalogue import ensure_default_catalogue
from pipeline.tasks import work
from pipeline.tasks.enqueue import Upload
from pipeline.tasks.pagecodec import page_from_json, page_to_json
from pipeline.tasks.work import (
    SWEEP_INTERVAL,
    WorkContext,
    assemble_file,
    fail_file,
    maybe_sweep_incoming,
    prepare_file,
    run_page,
    sweep_incoming,
)
from pipeline.webhooks import add_subscription
from storage.db.api_models import Job
from storage.db.engine import run_in_transaction
from storage.db.models import AuditEntry, Document, Scan
from storage.db.queue_models import JobFile, PageResult
from storage.db.webhook_models import WebhookDelivery
from storage.objects.base import Bucket
from storage.objects.factory import open_object_store
from storage.objects.keys import hash_file
from tests.api.conftest import text_pdf
from tests.db import fixtures as _db_fixtures
from tests.db.fixtures import Database

db = _db_fixtures.db
pg_database = _db_fixtures.pg_database


@pytest.fixture
def ctx(db: Database, tmp_path: Path) -> Iterator[WorkContext]:
    settings = db.settings(tmp_path / "data", storage={"backend": "directory"}, ocr={"jobs": 1})
    store = open_object_store(settings)
    store.ensure_buckets()
    run_in_transaction(db.engine, ensure_default_catalogue)
    run_in_transaction(  # an integrator subscribed: every finished job is announced to it
        db.engine, lambda s: add_subscription(s, "http://127.0.0.1:9/", ["job.finished"], "X", actor="test")
    )
    yield WorkContext(settings, db.engine, store, node="w1@test")


def _job(ctx: WorkContext, *uploads: Upload, job_id: str = "a" * 32) -> str:
    """What ``submit_job`` records, without publishing (no broker in these tests)."""
    rows = []
    for position, upload in enumerate(uploads):
        hashed = hash_file(upload.path)
        ctx.store.put_file(Bucket.INCOMING, hashed)
        rows.append(
            JobFile(
                job_id=job_id, position=position, name=upload.name, sha256=hashed.sha256, size=hashed.size
            )
        )

    def work(session: Session) -> None:
        session.add(Job(id=job_id, actor="staff:clerk", agencies=["*"], workdir="", files=[]))
        session.flush()
        session.add_all(rows)

    run_in_transaction(ctx.engine, work)
    return job_id


@pytest.mark.slow  # OCR of a page: ~20 s on a loaded 2-core machine
def test_redelivered_steps_store_once(
    ctx: WorkContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = text_pdf(tmp_path / "giay-to.pdf", "CONG HOA XA HOI CHU NGHIA VIET NAM 2026")
    sha = hash_file(scan).sha256
    job_id = _job(ctx, Upload("giay-to.pdf", scan))
    prepared = prepare_file(ctx, job_id, 0)
    assert prepared.pages == 1 and prepared.todo == [0]
    assert run_page(ctx, job_id, 0, 0) is True
    assert run_page(ctx, job_id, 0, 0) is True  # redelivered: already there, nothing OCR'd again
    with Session(ctx.engine) as session:
        assert session.scalar(select(func.count(PageResult.id))) == 1
        row = session.scalars(select(PageResult)).one()
        assert row.worker == "w1@test" and row.pdf and row.pdf.startswith(b"%PDF")
        page = page_from_json(row.ocr)
        assert page_to_json(page) == row.ocr  # the codec loses nothing
        assert session.get(Job, job_id).pages_done == 1  # type: ignore[union-attr]
    outcome = assemble_file(ctx, job_id, 0)
    assert outcome is not None and outcome.status.value == "ingested"
    assert assemble_file(ctx, job_id, 0) is None  # a second assemble message: nothing more
    assert _finished(ctx, job_id) == (["done"], 1)  # job.finished audited and announced once
    with Session(ctx.engine) as session:
        assert session.scalar(select(func.count(Scan.id))) == 1
        assert session.scalar(select(func.count(Document.id))) == len(outcome.document_ids) >= 1
        job = session.get(Job, job_id)
        assert job is not None and job.status == "done" and job.files_done == 1
        assert [d["document_id"] for d in job.result["documents"]] == outcome.document_ids  # type: ignore[index]
        assert session.scalars(select(PageResult.pdf)).one() is None  # page PDF dropped once assembled
    assert list(ctx.store.list_keys(Bucket.INCOMING)) == []
    assert list(ctx.store.list_keys(Bucket.ORIGINALS)) == [sha]
    assert prepare_file(ctx, job_id, 0).done  # a late prepare message finds the file final
    # An assembler killed after its transaction committed, before it removed the upload and
    # finished the job (a broker restart cancels running tasks): its redelivered message does both.
    ctx.store.put_file(Bucket.INCOMING, hash_file(scan))
    _unfinish(ctx, job_id)
    assert assemble_file(ctx, job_id, 0) is None
    assert list(ctx.store.list_keys(Bucket.INCOMING)) == []
    assert _finished(ctx, job_id) == (["done", "done"], 2)  # the audit log is append-only: one more
    # The same scan uploaded again in another job: no OCR, reported as already held.
    again = _job(ctx, Upload("giay-to.pdf", scan), job_id="b" * 32)
    assert prepare_file(ctx, again, 0).todo == []
    second = assemble_file(ctx, again, 0)
    assert second is not None and second.status.value == "duplicate"
    assert second.document_ids == outcome.document_ids
    with Session(ctx.engine) as session:
        assert session.scalar(select(func.count(Scan.id))) == 1
        assert session.scalar(select(func.count(PageResult.id))) == 1
    assert list(ctx.store.list_keys(Bucket.INCOMING)) == []
    assert _finished(ctx, again) == (["done"], 1)
    # A removal that failed (store away at that moment) leaves a recorded upload behind: the
    # sweep, at most once per interval and process, removes it.
    ctx.store.put_file(Bucket.INCOMING, hash_file(scan))
    monkeypatch.setitem(work._last_sweep, "at", time.monotonic())  # as if this process just swept
    assert maybe_sweep_incoming(ctx) is False  # less than an interval ago
    assert list(ctx.store.list_keys(Bucket.INCOMING)) == [sha]
    assert maybe_sweep_incoming(ctx, now=time.monotonic() + SWEEP_INTERVAL.total_seconds() + 1)
    assert list(ctx.store.list_keys(Bucket.INCOMING)) == []


def test_bad_file_fails_with_reason_and_keeps_upload(ctx: WorkContext, tmp_path: Path) -> None:
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    job_id = _job(ctx, Upload("hong.pdf", bad))
    assert prepare_file(ctx, job_id, 0).done
    with Session(ctx.engine) as session:
        jf = session.scalars(select(JobFile)).one()
        job = session.get(Job, job_id)
        assert jf.status == "failed" and jf.reason and jf.message
        assert job is not None and job.status == "done"
        assert [q["file"] for q in job.result["quarantined"]] == ["hong.pdf"]  # type: ignore[index]
    assert list(ctx.store.list_keys(Bucket.INCOMING)) == [hash_file(bad).sha256]  # upload kept
    assert sweep_incoming(ctx) == 0  # not recorded: the sweep keeps it too
    assert list(ctx.store.list_keys(Bucket.INCOMING)) == [hash_file(bad).sha256]
    assert fail_file(ctx, job_id, 0, "x", "y") is False  # a final outcome is never overwritten
    assert _finished(ctx, job_id) == (["done"], 1)


def test_outage_failure_marks_job_failed_for_the_clerk(ctx: WorkContext, tmp_path: Path) -> None:
    scan = text_pdf(tmp_path / "a.pdf", "MOT")
    job_id = _job(ctx, Upload("a.pdf", scan))
    assert fail_file(ctx, job_id, 0, "storage_unavailable", "Kho lưu trữ không trả lời")
    with Session(ctx.engine) as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == "failed" and job.error == "Kho lưu trữ không trả lời"
    assert len(list(ctx.store.list_keys(Bucket.INCOMING))) == 1
    assert _finished(ctx, job_id) == (["failed"], 1)
    with Session(ctx.engine) as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
        assert delivery.payload["data"]["error"] == "Kho lưu trữ không trả lời"


def _finished(ctx: WorkContext, job_id: str) -> tuple[list[str], int]:
    """The statuses of the job's ``job.finished`` audit entries, and its webhook deliveries."""
    with Session(ctx.engine) as session:
        statuses = [
            e.details["status"]
            for e in session.scalars(select(AuditEntry).where(AuditEntry.action == "job.finished"))
            if e.details.get("job_id") == job_id
        ]
        deliveries = [
            d for d in session.scalars(select(WebhookDelivery)) if d.payload["data"].get("job_id") == job_id
        ]
        return statuses, len(deliveries)


def _unfinish(ctx: WorkContext, job_id: str) -> None:
    """The job as a killed assembler leaves it: file recorded and final, job still running."""
    run_in_transaction(
        ctx.engine,
        lambda s: s.execute(update(Job).where(Job.id == job_id).values(status="running", finished_at=None)),
    )


def test_a_redelivered_page_costs_two_short_reads(ctx: WorkContext, tmp_path: Path) -> None:
    """Page bookkeeping is per page, so its database round trips are counted here.

    A page whose result exists (a redelivery) reads its state and the file's completion: two
    connections, two statements (it was three connections and five statements). A page that is
    OCR'd adds only its insert transaction to these. Still correct: True once the set is complete.
    """
    from sqlalchemy import event

    from ocr.models import PageOcr

    scan = text_pdf(tmp_path / "hai.pdf", "HAI")
    job_id = _job(ctx, Upload("hai.pdf", scan))
    assert prepare_file(ctx, job_id, 0).todo == [0]
    sha = hash_file(scan).sha256
    row = PageResult(
        sha256=sha,
        page_number=1,
        ocr=page_to_json(PageOcr(1, 10, 10, 300.0, False)),
        worker="w0",
        seconds=0.0,
    )
    run_in_transaction(ctx.engine, lambda s: s.add(row))
    statements: list[str] = []
    checkouts: list[object] = []

    def on_execute(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    def on_checkout(*_args: object) -> None:
        checkouts.append(1)

    event.listen(ctx.engine, "before_cursor_execute", on_execute)
    event.listen(ctx.engine, "checkout", on_checkout)
    try:
        complete = run_page(ctx, job_id, 0, 0)
    finally:
        event.remove(ctx.engine, "before_cursor_execute", on_execute)
        event.remove(ctx.engine, "checkout", on_checkout)
    assert complete is True
    work = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(work) == 2, statements
    assert len(checkouts) == 2
    with pytest.raises(Exception, match="unknown job or file"):
        run_page(ctx, job_id, 7, 0)
