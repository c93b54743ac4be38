"""Intake: scans in, objects stored, records written, failures quarantined.

Order of writes, so that a crash at any moment leaves nothing inconsistent:

1. the scan is hashed; a scan already recorded is a duplicate (nothing else happens);
2. OCR and extraction run (nothing is stored yet);
3. the object keys about to be stored are written to ``pending_objects`` and committed;
4. the objects are stored (content-addressed, so a retry stores nothing new);
5. ONE database transaction writes the scan, documents, fields, owners, versions, dossier
   components and audit entries, and deletes the pending rows.

A crash before 5 leaves objects that nothing references, named by pending rows; ``recover``
deletes those (unless something else now references the same bytes). A crash after 5 leaves a
complete record; the next attempt finds the scan's hash and reports a duplicate. A database row
therefore never points to an object that was not stored first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, delete, exists, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from config.errors import SohoaError
from config.settings import Settings
from pipeline.documents.types import document_type
from pipeline.reuse import find_held_copy, today_in_vietnam
from pipeline.signed_source import signed_source_signatures
from storage.db.dossiers import create_dossier, get_dossier
from storage.db.engine import is_sqlite, make_engine, read_session, run_in_transaction, write_session
from storage.db.models import DocumentVersion, PendingObject, Scan, utcnow
from storage.db.records import (
    DocumentInput,
    FieldInput,
    ObjectRef,
    ScanInput,
    attach_scan_to_dossier,
    find_scan,
    link_held_copy,
    owners_from_fields,
    record_scan,
)
from storage.db.source_signatures import SignatureInput, record_source_signatures
from storage.objects.base import Bucket, ObjectStore
from storage.objects.errors import StorageUnavailableError
from storage.objects.keys import HashedFile, hash_file

log = logging.getLogger(__name__)

SCAN_SUFFIXES = frozenset({".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png"})
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
# An intent row unrenewed this long belongs to a dead intake: its objects are then orphans that
# recovery may delete. A live intake renews it every RENEW_EVERY from a thread while it stores
# objects, also during one long upload, so the lease only bounds how long a crash's leftovers wait.
PENDING_LEASE = timedelta(minutes=3)  # rides out a database away for ~2.5 min mid-upload
RENEW_EVERY = timedelta(seconds=30)
PARALLEL_PUTS = 4  # objects stored at once by one intake (the original and its documents' PDFs)
DEFAULT_AGENCY = "000.00.00.H00"  # placeholder until the commune configures its own code


class LeaseLostError(StorageUnavailableError):
    """Recovery took this intake's intent rows while it stored objects: record nothing, retry."""

    reason = "storage_unavailable"


class Status(StrEnum):
    INGESTED = "ingested"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass
class FileOutcome:
    path: Path
    status: Status
    sha256: str | None = None
    pages: int = 0
    doc_types: list[str] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)
    reason: str | None = None  # machine code of the failure (quarantine, reason files)
    message: str | None = None  # one line for the clerk
    quarantined: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    signatures: int = 0  # digital signatures the received file carries (kept, verified)


@dataclass
class BatchReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    dossier: str | None = None

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> int:
        return self.count(Status.FAILED)


class Processor(Protocol):
    def __call__(
        self,
        path: Path,
        settings: Settings,
        executor: Any,
        workdir: Path,
        progress: Callable[[int, int], None] | None = None,
    ) -> Any: ...


PageProgress = Callable[[int, int], None]
RecordHook = Callable[[Any, "FileOutcome"], None]  # (session, outcome) inside the recording transaction


def default_processor() -> Processor:
    from pipeline.process import process_file

    return process_file  # type: ignore[no-any-return]


def default_executor(settings: Settings) -> Any:
    from pipeline.executor import make_executor

    return make_executor(settings.ocr.jobs)


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named on the command line as given; folders walked for scan files, in name order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in SCAN_SUFFIXES
                    and not any(part.startswith(".") for part in child.relative_to(path).parts)
                ):
                    yield child
        else:
            yield path


def holder_id() -> str:
    """host:pid:token, for the logs; liveness is the lease, never this name (containers reuse pids)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def failure_reason(exc: BaseException) -> str:
    """A stable machine code: the error's own ``reason`` when it has one, else its kind."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str) and reason:
        return reason
    name = type(exc).__name__
    if name.endswith("Error"):
        name = name[: -len("Error")]
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_") or "error"


class Intake:
    """One intake context: settings, database, object store, OCR executor. Not thread-safe."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine,
        store: ObjectStore,
        executor: Any = None,
        processor: Processor | None = None,
        actor: str = "intake",
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.store = store
        self._executor = executor
        self._processor = processor
        self.actor = actor
        self.holder = holder_id()
        self.tmp_root = settings.data_dir / "tmp"
        self.quarantine_dir = settings.data_dir / "quarantine"

    @classmethod
    def open(cls, settings: Settings, **kwargs: Any) -> Intake:
        """Open the services for ``ingest`` and ``watch``.

        On the embedded SQLite default (a commune PC) the schema is migrated and the catalogue
        seeded here, so a clerk's first scan just works; a shared server database (PostgreSQL) is
        only checked: it is upgraded deliberately, with ``sohoa db upgrade``.
        """
        from pipeline.services import open_services

        engine = make_engine(settings)
        services = open_services(settings, migrate=is_sqlite(engine), check_schema=True, engine=engine)
        return cls(settings, engine=services.engine, store=services.store, **kwargs)

    @property
    def executor(self) -> Any:
        if self._executor is None:
            self._executor = default_executor(self.settings)
        return self._executor

    @property
    def processor(self) -> Processor:
        if self._processor is None:
            self._processor = default_processor()
        return self._processor

    def close(self) -> None:
        shutdown = getattr(self._executor, "shutdown", None) or getattr(self._executor, "close", None)
        if callable(shutdown):
            shutdown()
        self.engine.dispose()

    # -- batches ----------------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        dossier_code: str | None = None,
        procedure_code: str | None = None,
        agency_code: str | None = None,
        on_file: Callable[[FileOutcome], None] | None = None,
        on_start: Callable[[Path], None] | None = None,
        page_progress: PageProgress | None = None,
    ) -> BatchReport:
        """Ingest files and folders into one dossier (an existing one, or a new one)."""
        files = list(expand_paths(paths))
        try:
            self.recover(include_own=True)  # nothing of ours is in flight between batches
        except SohoaError as exc:  # store down: each file will say so; recovery runs next time
            log.warning("recovery postponed: %s", type(exc).__name__)
        if dossier_code is not None:
            with read_session(self.engine) as session:
                get_dossier(session, dossier_code)
        elif procedure_code is not None or agency_code is not None:
            dossier_code = create_dossier(
                self.engine,
                agency_code or DEFAULT_AGENCY,
                procedure_code=procedure_code,
                actor=self.actor,
            )
        report = BatchReport(dossier=dossier_code)
        for path in files:
            if on_start:
                on_start(path)
            outcome = self.ingest_file(path, dossier_code=dossier_code, page_progress=page_progress)
            report.outcomes.append(outcome)
            if on_file:
                on_file(outcome)
        return report

    # -- one file ---------------------------------------------------------------------------

    def ingest_file(
        self,
        path: Path,
        *,
        dossier_code: str | None = None,
        quarantine: bool = True,
        page_progress: PageProgress | None = None,
    ) -> FileOutcome:
        """Ingest one file; never raises for a bad file (the outcome says what went wrong)."""
        outcome = FileOutcome(path=path, status=Status.FAILED)
        workdir: Path | None = None
        try:
            started = time.perf_counter()
            if not path.is_file():
                raise SohoaError(f"Không tìm thấy tệp {path.name} (no such file)")
            source = hash_file(path)  # once: for the duplicate check and for the upload
            outcome.sha256 = source.sha256
            outcome.timings["hash"] = time.perf_counter() - started
            if self._handle_duplicate(outcome, dossier_code):
                return outcome
            self.tmp_root.mkdir(parents=True, exist_ok=True)
            workdir = Path(tempfile.mkdtemp(prefix="intake-", dir=self.tmp_root))
            started = time.perf_counter()
            result = self.processor(path, self.settings, self.executor, workdir, page_progress)
            outcome.timings["process"] = time.perf_counter() - started
            started = time.perf_counter()
            signatures = signed_source_signatures(path, self.settings)
            outcome.timings["verify"] = time.perf_counter() - started
            outcome.signatures = len(signatures or [])
            self._store_and_record(source, result, outcome, dossier_code, signatures)
        except SohoaError as exc:
            outcome.status, outcome.reason, outcome.message = Status.FAILED, failure_reason(exc), exc.message
        except Exception as exc:  # a bug or an unexpected library error: this file only
            log.exception("intake of %s failed", path.name)
            outcome.status, outcome.reason = Status.FAILED, "internal"
            outcome.message = f"Lỗi nội bộ (internal error): {type(exc).__name__}"
        finally:
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)
        if outcome.status == Status.FAILED and quarantine:
            try:
                outcome.quarantined = self.quarantine(path, outcome)
            except OSError as exc:  # the source stays where it was: nothing is lost
                log.error("could not quarantine %s: %s", path.name, exc.strerror)
        return outcome

    def _handle_duplicate(
        self, outcome: FileOutcome, dossier_code: str | None, in_transaction: RecordHook | None = None
    ) -> bool:
        """Whether the scan is already recorded (then attached to the dossier, outcome filled).

        ``in_transaction`` runs inside the same transaction once the outcome is known (the queue
        records the job file's outcome with it).
        """
        assert outcome.sha256 is not None
        sha = outcome.sha256

        def attach(session: Any) -> Scan | None:
            scan = find_scan(session, sha)
            if scan is None:
                return None
            if dossier_code is not None:
                attach_scan_to_dossier(session, scan, get_dossier(session, dossier_code), actor=self.actor)
            outcome.document_ids = [d.id for d in scan.documents]
            outcome.doc_types = [d.doc_type for d in scan.documents]
            outcome.pages = scan.pages
            outcome.status = Status.DUPLICATE
            outcome.message = "Đã có trong kho (already stored)"
            if in_transaction is not None:
                in_transaction(session, outcome)
            return scan

        if dossier_code is None and in_transaction is None:
            with read_session(self.engine) as session:
                scan = attach(session)
        else:
            scan = run_in_transaction(self.engine, attach)
        return scan is not None

    def _held_copies(self, documents: Iterable[Any]) -> dict[int, tuple[str, int]]:
        """Index → (type, held id) of the extracted documents that are rescans of held ones.

        Matched on the type registry's owner and number fields (``pipeline.reuse.find_held_copy``):
        different bytes, same paper.
        """
        found: dict[int, tuple[str, int]] = {}
        today = today_in_vietnam()
        with read_session(self.engine) as session:
            for index, doc in enumerate(documents):
                spec = document_type(doc.doc_type)
                if not spec.number_fields:
                    continue
                values = {k: str(fv.value or "") for k, fv in doc.fields.items()}
                owners = [o for o, _role in owners_from_fields(spec.owner_fields, values)]
                held = find_held_copy(session, doc.doc_type, owners, spec.number_fields, values, today=today)
                if held is not None:
                    found[index] = (doc.doc_type, held)
        return found

    def _link_held_copies(
        self,
        outcome: FileOutcome,
        dossier_code: str | None,
        held: list[tuple[str, int]],
        result: Any,
        in_transaction: RecordHook | None,
    ) -> None:
        """Every document of the scan is already held: link those, store nothing (no second copy).

        The rescan is not kept: the held digitised copy (signed by the receiving official) is
        the dossier's component, as a reused one; the rescan's hash stays in the audit log.
        """
        assert outcome.sha256 is not None
        sha = outcome.sha256
        outcome.document_ids = [held_id for _t, held_id in held]
        outcome.doc_types = [doc_type for doc_type, _id in held]
        outcome.pages = int(getattr(result, "pages", 0) or 0)
        outcome.status = Status.DUPLICATE
        outcome.message = "Trùng nội dung với giấy tờ đã lưu (same paper as a held document): dùng lại"

        def link(session: Any) -> None:
            if dossier_code is not None:
                dossier = get_dossier(session, dossier_code)
                for doc_type, held_id in held:
                    link_held_copy(session, dossier, held_id, doc_type, actor=self.actor, scan_sha256=sha)
            if in_transaction is not None:
                in_transaction(session, outcome)

        if dossier_code is not None or in_transaction is not None:
            run_in_transaction(self.engine, link)

    def record_result(
        self,
        source: HashedFile,
        result: Any,
        outcome: FileOutcome,
        dossier_code: str | None,
        in_transaction: RecordHook | None = None,
    ) -> None:
        """Store the objects of a processed scan and record it (or find it already recorded).

        The entry point of the queue's assemble task: the same writes, in the same order, as
        ``ingest_file``; ``in_transaction`` joins the one transaction that records the scan.
        """
        outcome.sha256 = source.sha256
        if self._handle_duplicate(outcome, dossier_code, in_transaction):
            return
        signatures = signed_source_signatures(source.path, self.settings)
        outcome.signatures = len(signatures or [])
        self._store_and_record(source, result, outcome, dossier_code, signatures, in_transaction)

    def _store_and_record(
        self,
        source: HashedFile,
        result: Any,
        outcome: FileOutcome,
        dossier_code: str | None,
        signatures: list[SignatureInput] | None = None,
        in_transaction: RecordHook | None = None,
    ) -> None:
        assert outcome.sha256 is not None
        path, size = source.path, source.size
        started = time.perf_counter()
        documents: list[DocumentInput] = []
        uploads: list[tuple[Bucket, HashedFile, str, dict[str, str]]] = []
        first_owner = ""
        held_copies = self._held_copies(result.documents)
        if held_copies and len(held_copies) == len(result.documents):
            self._link_held_copies(outcome, dossier_code, list(held_copies.values()), result, in_transaction)
            return
        for index, doc in enumerate(result.documents):
            if index in held_copies:  # a rescan of a held document: linked below, not stored again
                continue
            fields = {
                key: FieldInput(fv.value, float(fv.confidence), bool(fv.needs_review))
                for key, fv in doc.fields.items()
            }
            owner_fields = document_type(doc.doc_type).owner_fields
            owners = owners_from_fields(owner_fields, {k: f.value for k, f in fields.items()})
            first_owner = first_owner or (owners[0][0] if owners else "")
            searchable: ObjectRef | None = None
            pdf_path = getattr(doc, "pdf_path", None)
            if pdf_path is not None and Path(pdf_path).is_file():
                pdf = hash_file(Path(pdf_path))
                searchable = ObjectRef(Bucket.DIGITISED.value, pdf.sha256, pdf.sha256, pdf.size)
                meta = {"doc-type": doc.doc_type, **({"owner-id": owners[0][0]} if owners else {})}
                if dossier_code:
                    meta["dossier-code"] = dossier_code
                uploads.append((Bucket.DIGITISED, pdf, "application/pdf", meta))
            documents.append(
                DocumentInput(
                    doc_type=doc.doc_type,
                    pages=list(doc.pages),
                    confidence=float(doc.confidence),
                    fields=fields,
                    searchable=searchable,
                    owner_fields=owner_fields,
                    text=getattr(doc, "text", None),
                )
            )
        original = ObjectRef(Bucket.ORIGINALS.value, outcome.sha256, outcome.sha256, size)
        meta = {"filename": path.name[:200]}
        if dossier_code:
            meta["dossier-code"] = dossier_code
        if first_owner:
            meta["owner-id"] = first_owner
        content_type = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        uploads.insert(0, (Bucket.ORIGINALS, source, content_type, meta))
        keys = [(Bucket.ORIGINALS.value, outcome.sha256)] + [
            (d.searchable.bucket, d.searchable.key) for d in documents if d.searchable
        ]
        outcome.timings["prepare"] = time.perf_counter() - started

        started = time.perf_counter()
        pending_ids = self._write_intent(keys)
        outcome.timings["db"] = time.perf_counter() - started

        started = time.perf_counter()
        try:
            with self._lease_kept(pending_ids):
                self._put_all(uploads)
        except BaseException:
            self._try_cleanup(pending_ids)
            raise
        outcome.timings["store"] = time.perf_counter() - started

        started = time.perf_counter()
        data = ScanInput(
            sha256=outcome.sha256,
            filename=path.name,
            size=size,
            pages=int(getattr(result, "pages", 0) or 0),
            original=original,
            documents=documents,
        )

        def write(session: Any) -> list[int]:
            dossier = get_dossier(session, dossier_code) if dossier_code else None
            scan, docs = record_scan(session, data, dossier=dossier, actor=self.actor)
            if dossier is not None:
                for doc_type, held_id in held_copies.values():
                    link_held_copy(
                        session, dossier, held_id, doc_type, actor=self.actor, scan_sha256=data.sha256
                    )
            if signatures:  # a signed PDF, stored as it came: its signatures as verified
                record_source_signatures(session, scan, docs, signatures)
            taken = session.execute(delete(PendingObject).where(PendingObject.id.in_(pending_ids))).rowcount
            if taken != len(pending_ids):  # recovery took our lease (renewals failed): objects may be gone
                raise LeaseLostError(
                    "Bản lưu chưa được xác nhận, thử lại (stored objects lost their lease; retry)"
                )
            if in_transaction is not None:
                outcome.status, outcome.document_ids = Status.INGESTED, [d.id for d in docs]
                outcome.pages, outcome.doc_types = data.pages, [d.doc_type for d in documents]
                in_transaction(session, outcome)
            return [d.id for d in docs] + [held_id for _t, held_id in held_copies.values()]

        try:
            outcome.document_ids = run_in_transaction(self.engine, write)
            outcome.status = Status.INGESTED
        except IntegrityError:
            # Another intake recorded the same scan between our check and our commit.
            self._try_cleanup(pending_ids)
            if not self._handle_duplicate(outcome, None, in_transaction):
                raise
            return
        except LeaseLostError:
            # our rows went with the recovery, the objects stored after it did not: vouch for them
            # again, and remove what nothing else references
            self._try_cleanup(self._write_intent(keys))
            raise
        except BaseException:
            self._try_cleanup(pending_ids)  # nothing was recorded: the new objects are orphans
            raise
        outcome.timings["db"] += time.perf_counter() - started
        outcome.pages = data.pages
        outcome.doc_types = [d.doc_type for d in documents]

    # -- crash safety -----------------------------------------------------------------------

    def _write_intent(self, keys: list[tuple[str, str]]) -> list[int]:
        lease = utcnow() + PENDING_LEASE

        def work(session: Any) -> list[int]:
            lock_keys(session, [k for _, k in keys])
            rows = [
                PendingObject(bucket=b, object_key=k, holder=self.holder, lease_until=lease) for b, k in keys
            ]
            session.add_all(rows)
            session.flush()
            return [r.id for r in rows]

        return run_in_transaction(self.engine, work)

    def _renew(self, pending_ids: list[int]) -> datetime:
        now = utcnow()

        def work(session: Any) -> None:
            session.execute(
                update(PendingObject)
                .where(PendingObject.id.in_(pending_ids))
                .values(lease_until=now + PENDING_LEASE)
            )

        run_in_transaction(self.engine, work)
        return now

    def _put_all(self, uploads: list[tuple[Bucket, HashedFile, str, dict[str, str]]]) -> None:
        """Store the objects a few at a time: each put is a round trip the store mostly waits on.

        Every put is waited for, and the first failure raised once all have ended, so the caller's
        cleanup sees every object that may exist (the intent rows cover them all).
        """
        if len(uploads) <= 1:
            for bucket, hashed, content_type, metadata in uploads:
                self.store.put_file(bucket, hashed, content_type=content_type, metadata=metadata)
            return
        threads = min(PARALLEL_PUTS, len(uploads))
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sohoa-put") as pool:
            futures = [
                pool.submit(self.store.put_file, bucket, hashed, content_type=content_type, metadata=metadata)
                for bucket, hashed, content_type, metadata in uploads
            ]
            wait(futures)
        for future in futures:
            future.result()  # the first failure, in upload order

    @contextlib.contextmanager
    def _lease_kept(self, pending_ids: list[int]) -> Iterator[None]:
        """Renew the intent rows' lease every ``RENEW_EVERY`` while the body stores objects.

        From a thread, so one upload longer than the lease (a big scan on a slow link) is still
        vouched for. A renewal that fails (database away) is retried at the next tick; the
        lease is long enough to ride out a few.
        """
        stop = threading.Event()

        def keep() -> None:
            while not stop.wait(RENEW_EVERY.total_seconds()):
                try:
                    self._renew(pending_ids)
                except Exception as exc:
                    log.warning("lease of stored objects not renewed yet: %s", type(exc).__name__)

        keeper = threading.Thread(target=keep, name="intake-lease", daemon=True)
        keeper.start()
        try:
            yield
        finally:
            stop.set()
            keeper.join()

    def _try_cleanup(self, pending_ids: list[int]) -> None:
        try:
            self._cleanup(pending_ids)
        except Exception as exc:  # the store may be down: recovery finishes the job later
            log.warning("cleanup of unrecorded objects postponed: %s", type(exc).__name__)

    def _referenced(self, session: Any, bucket: str, key: str, exclude: list[int]) -> bool:
        version = exists().where(DocumentVersion.bucket == bucket, DocumentVersion.object_key == key)
        scan = exists().where(Scan.sha256 == key) if bucket == Bucket.ORIGINALS.value else None
        other_pending = exists().where(
            PendingObject.bucket == bucket,
            PendingObject.object_key == key,
            PendingObject.id.not_in(exclude) if exclude else PendingObject.id.is_not(None),
        )
        clauses = [version, other_pending] + ([scan] if scan is not None else [])
        return bool(session.scalar(select(or_(*clauses))))

    def _cleanup(self, pending_ids: list[int]) -> int:
        """Delete the objects of these pending rows that nothing references, then the rows."""
        if not pending_ids:
            return 0
        with read_session(self.engine) as session:
            rows = session.execute(
                select(PendingObject.id, PendingObject.bucket, PendingObject.object_key).where(
                    PendingObject.id.in_(pending_ids)
                )
            ).all()
        deleted = 0
        for _row_id, bucket, key in rows:
            with write_session(self.engine) as session:
                lock_keys(session, [key])
                if self._referenced(session, bucket, key, pending_ids):
                    continue
                if self.store.stat(Bucket(bucket), key) is not None:
                    self.store.delete(Bucket(bucket), key)
                    deleted += 1

        def drop(session: Any) -> None:
            session.execute(delete(PendingObject).where(PendingObject.id.in_(pending_ids)))

        run_in_transaction(self.engine, drop)
        return deleted

    def services_ready(self) -> bool:
        """Whether the object store and the database both answer (within the store's retry bound)."""
        try:
            self.store.stat(Bucket.ORIGINALS, "0" * 64)
            with read_session(self.engine) as session:
                session.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means "not yet": the caller tries again later
            log.info("services not ready: %s", type(exc).__name__)
            return False
        return True

    def recover(self, *, include_own: bool = False) -> int:
        """Delete orphan objects left by crashed intakes. Returns how many objects went.

        Takes the intent rows whose lease ran out: a live intake renews its lease while it
        stores objects, so no host name or pid is trusted (a container's process is pid 1 again
        after a restart, and its hostname may change). ``include_own`` also takes this intake's
        own leftovers (cleanups that failed while the store was down); only safe between files,
        when none of ours is in flight.
        """
        now = utcnow()
        with read_session(self.engine) as session:
            rows = session.execute(
                select(PendingObject.id, PendingObject.holder, PendingObject.lease_until)
            ).all()
        dead = [
            row_id
            for row_id, holder, lease in rows
            if (include_own and holder == self.holder) or (lease is not None and _aware(lease) < now)
        ]
        if not dead:
            return 0
        count = self._cleanup(dead)
        if count:
            log.info("recovery removed %d orphan object(s)", count)
        return count

    # -- quarantine -------------------------------------------------------------------------

    def quarantine(self, path: Path, outcome: FileOutcome) -> Path | None:
        """Copy a failed file aside with a ``.reason.txt``; the source is left untouched."""
        if not path.is_file():
            return None
        self.quarantine_dir.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S")
        target = _unique(self.quarantine_dir / f"{stamp}_{path.name}")
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copy2(path, tmp)
        write_reason(target, outcome)
        os.replace(tmp, target)
        return target


def lock_keys(session: Any, keys: list[str]) -> None:
    """Serialise intent-writing and orphan deletion per object key.

    SQLite's write lock (BEGIN IMMEDIATE) already does; PostgreSQL needs a transaction-scoped
    advisory lock, or recovery could delete an object another intake just decided to reuse.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _unique(target: Path) -> Path:
    candidate, n = target, 1
    while candidate.exists() or reason_path(candidate).exists():
        candidate = target.with_name(f"{target.stem}.{n}{target.suffix}")
        n += 1
    return candidate


REASON_SUFFIX = ".reason.txt"


def reason_path(target: Path) -> Path:
    return target.with_name(target.name + REASON_SUFFIX)


def read_reason(path: Path) -> dict[str, str]:
    """The ``key: value`` lines of a reason file (what ``write_reason`` wrote)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        key, sep, value = line.partition(": ")
        key = key.strip()
        if sep and key not in out:
            out[key] = value.strip()
    return out


def write_reason(target: Path, outcome: FileOutcome, *, attempts: int = 1) -> Path:
    """``<file>.reason.txt`` beside ``target``, written atomically: reason code, message, hash."""
    text = (
        f"reason: {outcome.reason or 'unknown'}\n"
        f"message: {outcome.message or ''}\n"
        f"file: {outcome.path.name}\n"
        f"sha256: {outcome.sha256 or ''}\n"
        f"at: {utcnow().isoformat(timespec='seconds')}\n"
        f"attempts: {attempts}\n"
    )
    out = reason_path(target)
    tmp = out.with_name(f".{out.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, out)
    return out
