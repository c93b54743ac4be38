"""The object server going away mid-batch: bounded retries, affected files fail clearly, nothing
is recorded that is not stored, and the next run after the server returns finishes the job."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline.intake import FileOutcome, Intake, Status
from pipeline.watch import HotFolder
from storage.db.engine import read_session
from storage.db.models import PendingObject, Scan
from storage.objects.factory import open_object_store
from tests.db.fixtures import Database
from tests.intake.helpers import Sample, consistency, copy_sample
from tests.storage import moto_fixture
from tests.storage.moto_fixture import MotoServer

RETRY_SECONDS = 2.0


server = moto_fixture.own_moto_server  # stopped and restarted by the tests


def short_retry_intake(make_intake, server: MotoServer) -> Intake:
    """An intake on the MinIO backend that gives up after RETRY_SECONDS of outage."""
    intake: Intake = make_intake("minio", server.endpoint)
    intake.settings.storage.retry_seconds = RETRY_SECONDS
    intake.store = open_object_store(intake.settings)  # the store reads the bound when built
    intake.store.ensure_buckets()
    return intake


@pytest.mark.slow  # three OCR passes and a retry window
def test_store_outage_mid_batch(
    db: Database, make_intake, samples: dict[str, Sample], server: MotoServer, tmp_path: Path
) -> None:
    intake = short_retry_intake(make_intake, server)

    inbox = tmp_path / "in"
    first = copy_sample(samples["cccd"], inbox, "1_card" + samples["cccd"].path.suffix)
    second = copy_sample(
        samples["application_form"], inbox, "2_form" + samples["application_form"].path.suffix
    )
    timings: dict[str, float] = {}

    def on_start(path: Path) -> None:
        timings[path.name] = time.monotonic()

    def on_file(outcome: FileOutcome) -> None:
        timings[outcome.path.name] = time.monotonic() - timings[outcome.path.name]
        if outcome.path == first:
            server.stop()  # the server goes away between the two files

    report = intake.ingest([first, second], agency_code="H55.242", on_start=on_start, on_file=on_file)
    ok, failed = report.outcomes
    # Bounded: the retry window plus the file's own OCR, not an endless wait.
    assert timings[second.name] < RETRY_SECONDS * 3 + 90
    assert ok.status == Status.INGESTED
    assert failed.status == Status.FAILED
    assert failed.reason == "storage_unavailable", failed.reason
    assert failed.message and "(" in failed.message
    assert failed.quarantined is not None and failed.quarantined.is_file()
    with read_session(db.engine) as session:
        shas = set(session.scalars(select(Scan.sha256)))
        assert shas == {ok.sha256}, "nothing recorded for the file whose objects were not stored"
        # The cleanup could not reach the store: the intent rows stay for recovery.
        assert session.scalar(select(func.count()).select_from(PendingObject)) >= 1

    server.start()
    assert intake.recover(include_own=True) >= 0
    consistency(db, intake.store)
    assert intake.ingest_file(second).status == Status.INGESTED
    counts = consistency(db, intake.store)
    assert counts["scans"] == 2


@pytest.mark.slow  # two OCR passes and a retry window
def test_hot_folder_never_marks_done_what_was_not_stored(
    db: Database, make_intake, samples: dict[str, Sample], server: MotoServer, tmp_path: Path
) -> None:
    intake = short_retry_intake(make_intake, server)
    inbox = tmp_path / "scanner"
    copy_sample(samples["cccd"], inbox)
    server.stop()
    started = time.monotonic()
    stats = HotFolder(inbox, intake, settle_seconds=0.1).run_once()
    assert stats.failed == 1 and stats.ingested == 0
    assert time.monotonic() - started < 120
    assert not list((inbox / "done").iterdir())
    name = samples["cccd"].path.name
    assert "storage_unavailable" in (inbox / "failed" / f"{name}.reason.txt").read_text(encoding="utf-8")
    with read_session(db.engine) as session:
        assert session.scalar(select(func.count()).select_from(Scan)) == 0
    # Still down: nothing is sent back (no OCR is wasted on a file that cannot be stored).
    assert HotFolder(inbox, intake, settle_seconds=0.1).requeue_failed() == []
    assert (inbox / "failed" / name).is_file()
    server.start()
    # Back online: the next run sends the file back in by itself and it goes through.
    stats = HotFolder(inbox, intake, settle_seconds=0.1).run_once()
    assert stats.ingested == 1
    assert sorted(p.name for p in (inbox / "failed").iterdir()) == []
    assert (inbox / "done" / name).is_file()
    consistency(db, intake.store)
