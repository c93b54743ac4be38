"""Intake end to end with real OCR: idempotence, quarantine, crash safety, both DBs and stores."""

from __future__ import annotations

import os
import socket
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from pipeline.intake import Intake, Status, expand_paths, reason_path
from pipeline.reuse import lookup
from storage.db.engine import read_session, run_in_transaction
from storage.db.models import (
    AuditEntry,
    Document,
    DossierComponent,
    ExtractedField,
    PendingObject,
    Scan,
    utcnow,
)
from storage.objects.base import Bucket
from storage.objects.keys import hash_file
from tests.db.fixtures import Database
from tests.intake.helpers import Sample, consistency, copy_sample, store_keys


def test_ingest_is_idempotent_on_every_backend(
    db: Database, store_backend: str, make_intake, samples: dict[str, Sample], tmp_path: Path, request
) -> None:
    endpoint = request.getfixturevalue("moto_endpoint") if store_backend == "minio" else None
    intake: Intake = make_intake(store_backend, endpoint)
    scan = copy_sample(samples["cccd"], tmp_path / "in")
    report = intake.ingest([scan], procedure_code="1.001193", agency_code="H55.242")
    first = report.outcomes[0]
    assert first.status == Status.INGESTED, first.message
    assert "cccd" in first.doc_types
    assert report.dossier and report.dossier.startswith("H55.242-")

    again = intake.ingest([scan], dossier_code=report.dossier)
    assert again.outcomes[0].status == Status.DUPLICATE
    assert again.outcomes[0].document_ids == first.document_ids

    counts = consistency(db, intake.store)
    assert counts["scans"] == 1 and counts["originals"] == 1
    assert counts["digitised"] == len(first.document_ids)
    with read_session(db.engine) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == len(first.document_ids)
        components = session.scalars(select(DossierComponent)).all()
        assert {c.document_id for c in components} == set(first.document_ids)
        actions = set(session.scalars(select(AuditEntry.action)))
        assert {"dossier.received", "document.digitised", "scan.duplicate"} <= actions
        assert session.scalar(select(func.count()).select_from(ExtractedField)) > 0
    stat = intake.store.stat(Bucket.ORIGINALS, first.sha256 or "")
    assert stat is not None and stat.metadata.get("dossier-code") == report.dossier


def test_lookup_finds_what_intake_stored(
    db: Database, make_intake, samples: dict[str, Sample], tmp_path: Path
) -> None:
    intake: Intake = make_intake()
    sample = samples["cccd"]
    report = intake.ingest([copy_sample(sample, tmp_path / "in")], agency_code="H55.242")
    assert report.outcomes[0].status == Status.INGESTED, report.outcomes[0].message
    owner = sample.fields["id_number"]
    with read_session(db.engine) as session:
        result = lookup(session, owner, "1.001193")
    assert [h.doc_type for h in result.held] == ["cccd"]
    assert result.held[0].dossier == report.dossier
    assert result.held[0].fields.get("id_number") == owner
    assert result.missing == ["application_form", "birth_notice"]  # the shipped catalogue


def test_bad_files_are_quarantined_and_the_batch_goes_on(
    db: Database, make_intake, samples: dict[str, Sample], tmp_path: Path
) -> None:
    intake: Intake = make_intake()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_empty.pdf").write_bytes(b"")
    (folder / "b_garbage.pdf").write_bytes(b"%PDF-1.4\n this is not a pdf at all")
    (folder / "c_notes.txt").write_text("not a scan, skipped when a folder is walked")
    good_name = "d_good" + samples["cccd"].path.suffix
    good = copy_sample(samples["cccd"], folder, good_name)
    assert [p.name for p in expand_paths([folder])] == ["a_empty.pdf", "b_garbage.pdf", good_name]

    report = intake.ingest([folder], agency_code="H55.242")
    by_name = {o.path.name: o for o in report.outcomes}
    assert by_name[good_name].status == Status.INGESTED, by_name[good_name].message
    assert report.failed == 2
    for name in ("a_empty.pdf", "b_garbage.pdf"):
        outcome = by_name[name]
        assert outcome.status == Status.FAILED and outcome.reason and outcome.message
        assert outcome.quarantined is not None and outcome.quarantined.is_file()
        reason = reason_path(outcome.quarantined).read_text(encoding="utf-8")
        assert f"reason: {outcome.reason}" in reason
        assert (folder / name).exists(), "the source is never lost"
        assert outcome.quarantined.read_bytes() == (folder / name).read_bytes()
    assert good.exists()
    consistency(db, intake.store)


def test_scan_rewritten_during_ocr_is_quarantined_not_stored(
    db: Database, store_backend: str, make_intake, samples: dict[str, Sample], tmp_path: Path, request
) -> None:
    """Intake hashes a scan once; if the file changes before its upload, its key would lie."""
    from pipeline.intake import default_processor

    endpoint = request.getfixturevalue("moto_endpoint") if store_backend == "minio" else None
    ocr = default_processor()

    def ocr_then_scanner_rewrites(path: Path, *args: object) -> object:
        result = ocr(path, *args)
        with open(path, "ab") as f:
            f.write(b"\0")  # a scanner driver that appends to a file it has already closed
        return result

    intake: Intake = make_intake(store_backend, endpoint, processor=ocr_then_scanner_rewrites)
    scan = copy_sample(samples["cccd"], tmp_path / "in")
    outcome = intake.ingest_file(scan)
    assert outcome.status == Status.FAILED and outcome.reason == "source_changed", outcome.message
    assert outcome.quarantined is not None and outcome.quarantined.is_file()
    assert store_keys(intake.store, Bucket.ORIGINALS) == set()
    assert store_keys(intake.store, Bucket.DIGITISED) == set()
    counts = consistency(db, intake.store)
    assert counts["scans"] == 0


@pytest.mark.slow  # two full OCR passes: ~20-50 s on a shared 2-core machine
def test_failed_database_write_leaves_no_orphans(
    db: Database, make_intake, samples: dict[str, Sample], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Objects are stored first; if the transaction then fails they are removed again."""
    intake: Intake = make_intake()
    scan = copy_sample(samples["cccd"], tmp_path / "in")

    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("simulated database failure")

    monkeypatch.setattr("pipeline.intake.record_scan", broken)
    outcome = intake.ingest_file(scan)
    assert outcome.status == Status.FAILED and outcome.reason == "internal"
    assert store_keys(intake.store, Bucket.ORIGINALS) == set()
    assert store_keys(intake.store, Bucket.DIGITISED) == set()
    monkeypatch.undo()
    assert intake.ingest_file(scan).status == Status.INGESTED
    consistency(db, intake.store)


@pytest.mark.slow  # two full OCR passes: ~20-50 s on a shared 2-core machine
def test_recovery_removes_objects_of_a_crashed_intake(
    db: Database, make_intake, samples: dict[str, Sample], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process killed between storing objects and committing: the next one deletes them."""
    crashed: Intake = make_intake()
    crashed.holder = f"{socket.gethostname()}:1:deadbeef"  # pid 1: a container's restarted process

    def die(*_a: object, **_k: object) -> None:
        raise KeyboardInterrupt  # stands for SIGKILL: nothing after this point runs

    monkeypatch.setattr("pipeline.intake.record_scan", die)
    monkeypatch.setattr(Intake, "_try_cleanup", lambda self, ids: None)
    scan = copy_sample(samples["cccd"], tmp_path / "in")
    with pytest.raises(KeyboardInterrupt):
        crashed.ingest_file(scan)
    monkeypatch.undo()
    assert len(store_keys(crashed.store, Bucket.ORIGINALS)) == 1
    with read_session(db.engine) as session:
        assert session.scalar(select(func.count()).select_from(PendingObject)) >= 2
        assert session.scalar(select(func.count()).select_from(Scan)) == 0

    fresh: Intake = make_intake()
    assert fresh.recover() == 0  # the crashed intake's lease still holds: it might be alive
    run_in_transaction(  # ten minutes later, nothing renewed it
        db.engine,
        lambda s: s.execute(update(PendingObject).values(lease_until=utcnow() - timedelta(seconds=1))),
    )
    removed = fresh.recover()
    assert removed >= 2
    consistency(db, fresh.store)
    assert fresh.ingest_file(scan).status == Status.INGESTED
    consistency(db, fresh.store)


def test_lease_is_renewed_during_an_upload_longer_than_the_lease(
    db: Database, make_intake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live intake's objects survive another intake's recovery however long one upload takes."""
    monkeypatch.setattr("pipeline.intake.PENDING_LEASE", timedelta(seconds=1))
    monkeypatch.setattr("pipeline.intake.RENEW_EVERY", timedelta(seconds=0.2))
    intake: Intake = make_intake()
    other: Intake = make_intake()
    source = tmp_path / "scan.bin"
    source.write_bytes(os.urandom(4096))
    hashed = hash_file(source)
    ids = intake._write_intent([(Bucket.ORIGINALS.value, hashed.sha256)])
    with intake._lease_kept(ids):
        intake.store.put_file(Bucket.ORIGINALS, hashed, content_type="application/octet-stream")
        for _ in range(3):  # the upload goes on for three leases
            time.sleep(1.0)
            assert other.recover() == 0
    assert intake.store.stat(Bucket.ORIGINALS, hashed.sha256) is not None
    time.sleep(1.3)  # nothing renews it now: what a crashed intake leaves
    assert other.recover() == 1
    assert intake.store.stat(Bucket.ORIGINALS, hashed.sha256) is None


@pytest.mark.slow  # OCR of a card, then the same scan again: ~20-50 s on a shared 2-core machine
def test_scan_whose_lease_recovery_took_is_not_recorded(
    db: Database, make_intake, samples: dict[str, Sample], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renewals failed long enough for a recovery to take the objects: the scan is not recorded
    (it would name deleted objects); the file fails as a storage outage and goes in again."""
    intake: Intake = make_intake()
    other: Intake = make_intake()
    put = intake.store.put_file

    def put_then_lease_lost(*args: object, **kwargs: object) -> object:
        stored = put(*args, **kwargs)  # type: ignore[arg-type]
        run_in_transaction(
            db.engine,
            lambda s: s.execute(update(PendingObject).values(lease_until=utcnow() - timedelta(seconds=1))),
        )
        other.recover()
        return stored

    monkeypatch.setattr(intake.store, "put_file", put_then_lease_lost)
    scan = copy_sample(samples["cccd"], tmp_path / "in")
    outcome = intake.ingest_file(scan)
    assert outcome.status == Status.FAILED and outcome.reason == "storage_unavailable", outcome.message
    assert consistency(db, intake.store)["scans"] == 0
    monkeypatch.undo()
    assert intake.ingest_file(scan).status == Status.INGESTED
    consistency(db, intake.store)


@pytest.mark.slow  # two full OCR passes: ~20-50 s on a shared 2-core machine
def test_same_scan_ingested_concurrently_is_stored_once(
    db: Database, make_intake, samples: dict[str, Sample], tmp_path: Path
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.intake import default_processor

    # Real OCR in both: the two intakes must overlap for the claim on the scan to be tested.
    first: Intake = make_intake(processor=default_processor())
    second: Intake = make_intake(processor=default_processor())
    a = copy_sample(samples["cccd"], tmp_path / "a")
    b = copy_sample(samples["cccd"], tmp_path / "b")
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(lambda job: job[0].ingest_file(job[1]), [(first, a), (second, b)]))
    assert sorted(o.status.value for o in outcomes) == ["duplicate", "ingested"]
    assert outcomes[0].document_ids == outcomes[1].document_ids
    counts = consistency(db, first.store)
    assert counts["scans"] == 1 and counts["originals"] == 1
