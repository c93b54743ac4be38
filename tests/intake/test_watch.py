"""The hot folder: settle, claim, done/failed with reasons, resume, one watcher per folder."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline.intake import Intake, Status
from pipeline.watch import LOCK_NAME, HotFolder, WatchError
from storage.db.engine import read_session
from storage.db.models import Scan
from tests.db.fixtures import Database
from tests.intake.helpers import Sample, consistency, copy_sample


def test_watch_once_sorts_files_into_done_and_failed(
    db: Database, make_intake, samples: dict[str, Sample], tmp_path: Path
) -> None:
    intake: Intake = make_intake()
    inbox = tmp_path / "scanner"
    good = copy_sample(samples["cccd"], inbox)
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.7\ntruncated")
    (inbox / ".hidden.pdf").write_bytes(b"ignored")
    (inbox / "upload.pdf.part").write_bytes(b"still being written")

    stats = HotFolder(inbox, intake, settle_seconds=0.3).run_once()
    assert (stats.ingested, stats.failed) == (1, 1)
    assert (inbox / "done" / good.name).is_file()
    assert (inbox / "failed" / "broken.pdf").is_file()
    reason = (inbox / "failed" / "broken.pdf.reason.txt").read_text(encoding="utf-8")
    assert reason.startswith("reason: ") and "message: " in reason
    assert not list((inbox / "processing").iterdir())
    left = sorted(p.name for p in inbox.iterdir() if p.is_file())
    assert left == [".hidden.pdf", LOCK_NAME, "upload.pdf.part"]
    consistency(db, intake.store)

    # The same scan dropped again is recognised, not stored twice.
    copy_sample(samples["cccd"], inbox, "again" + good.suffix)
    stats = HotFolder(inbox, intake, settle_seconds=0.3).run_once()
    assert stats.duplicates == 1 and stats.ingested == 0
    assert (inbox / "done" / ("again" + good.suffix)).is_file()
    with read_session(db.engine) as session:
        assert session.scalar(select(func.count()).select_from(Scan)) == 1


def test_a_growing_file_is_taken_only_once_complete(make_intake, tmp_path: Path) -> None:
    intake: Intake = make_intake()
    inbox = tmp_path / "scanner"
    inbox.mkdir()
    target = inbox / "slow.pdf"
    chunks = 8

    def scanner() -> None:
        with open(target, "ab") as f:
            for _ in range(chunks):
                f.write(os.urandom(1000))
                f.flush()
                time.sleep(0.15)

    writer = threading.Thread(target=scanner)
    target.write_bytes(b"")
    writer.start()
    try:
        stats = HotFolder(inbox, intake, settle_seconds=0.6).run_once()
    finally:
        writer.join()
    assert stats.failed == 1  # random bytes are not a PDF, but the WHOLE file was examined
    assert (inbox / "failed" / "slow.pdf").stat().st_size == chunks * 1000


def test_restart_resumes_claimed_files_without_double_ingest(
    db: Database, make_intake, samples: dict[str, Sample], tmp_path: Path
) -> None:
    intake: Intake = make_intake()
    inbox = tmp_path / "scanner"
    # Killed after the commit but before the move to done/: the file is still in processing/.
    claimed = copy_sample(samples["cccd"], inbox / "processing", "card" + samples["cccd"].path.suffix)
    assert intake.ingest_file(claimed).status == Status.INGESTED
    # Killed right after the claim, before anything was stored.
    form = copy_sample(
        samples["application_form"], inbox / "processing", "form" + samples["application_form"].path.suffix
    )

    stats = HotFolder(inbox, intake, settle_seconds=0.2).run_once()
    assert (stats.duplicates, stats.ingested, stats.failed) == (1, 1, 0)
    assert sorted(p.name for p in (inbox / "done").iterdir()) == sorted([claimed.name, form.name])
    with read_session(db.engine) as session:
        assert session.scalar(select(func.count()).select_from(Scan)) == 2
    consistency(db, intake.store)


def test_one_watcher_per_folder(make_intake, tmp_path: Path) -> None:
    intake: Intake = make_intake()
    inbox = tmp_path / "scanner"
    inbox.mkdir()
    first = HotFolder(inbox, intake, settle_seconds=0.1)
    first.prepare()
    with first.locked(), pytest.raises(WatchError):
        HotFolder(inbox, intake, settle_seconds=0.1).run_once()


def test_missing_folder_is_a_clear_error(make_intake, tmp_path: Path) -> None:
    with pytest.raises(WatchError):
        HotFolder(tmp_path / "nope", make_intake()).run_once()


def test_run_forever_picks_up_files_dropped_later(make_intake, tmp_path: Path) -> None:
    intake: Intake = make_intake()
    inbox = tmp_path / "scanner"
    inbox.mkdir()
    folder = HotFolder(inbox, intake, settle_seconds=0.2)
    deadline = time.monotonic() + 60

    def drop_later() -> None:
        time.sleep(0.5)
        (inbox / "late.pdf").write_bytes(b"%PDF-1.4 not really")

    dropper = threading.Thread(target=drop_later)
    dropper.start()
    stats = folder.run_forever(
        poll_seconds=0.1,
        should_stop=lambda: (inbox / "failed" / "late.pdf").exists() or time.monotonic() > deadline,
    )
    dropper.join()
    assert stats.failed == 1
    assert (inbox / "failed" / "late.pdf.reason.txt").is_file()


def _failed_scan(
    inbox: Path, name: str, reason: str, attempts: int, body: bytes = b"%PDF-1.7\nbroken"
) -> Path:
    failed = inbox / "failed"
    failed.mkdir(parents=True, exist_ok=True)
    scan = failed / name
    scan.write_bytes(body + name.encode())
    sha = hashlib.sha256(scan.read_bytes()).hexdigest()
    (failed / f"{name}.reason.txt").write_text(
        f"reason: {reason}\nmessage: x\nfile: {name}\nsha256: {sha}\nat: 2026-11-22T00:00:00\n"
        f"attempts: {attempts}\n",
        encoding="utf-8",
    )
    return scan


def test_files_failed_by_an_outage_go_back_in_and_bad_scans_stay(make_intake, tmp_path: Path) -> None:
    intake: Intake = make_intake()
    inbox = tmp_path / "scanner"
    _failed_scan(inbox, "outage.pdf", "storage_unavailable", 1)
    _failed_scan(inbox, "db.pdf", "database", 2)
    _failed_scan(inbox, "tried_enough.pdf", "storage_unavailable", 3)
    _failed_scan(inbox, "bad.pdf", "corrupt_pdf", 1)
    (inbox / "failed" / "orphan.pdf.reason.txt").write_text("reason: storage_unavailable\n")
    folder = HotFolder(inbox, intake, settle_seconds=0.1, max_attempts=3)
    folder.prepare()

    back = folder.requeue_failed()
    assert sorted(p.name for p in back) == ["db.pdf", "outage.pdf"]
    assert all(p.parent == inbox and p.is_file() for p in back)
    left = sorted(p.name for p in (inbox / "failed").iterdir())
    assert left == [
        "bad.pdf",
        "bad.pdf.reason.txt",
        "orphan.pdf.reason.txt",
        "tried_enough.pdf",
        "tried_enough.pdf.reason.txt",
    ]

    # They go through intake again; these two are broken PDFs, so they fail for good this time,
    # and the reason file counts the attempt.
    stats = folder.run_once()
    assert stats.failed == 2
    reason = (inbox / "failed" / "outage.pdf.reason.txt").read_text(encoding="utf-8")
    assert "reason: storage_unavailable" not in reason and "attempts: 2" in reason
    assert folder.requeue_failed() == []


def test_desk_subfolders_have_their_own_done_and_failed(make_intake, tmp_path: Path) -> None:
    intake: Intake = make_intake()
    inbox = tmp_path / "scanner"
    desk = inbox / "desk1"
    desk.mkdir(parents=True)
    (desk / "broken.pdf").write_bytes(b"%PDF-1.7\ntruncated")
    (inbox / "done").mkdir()  # the areas of DIR are not desks
    folder = HotFolder(inbox, intake, settle_seconds=0.2)
    stats = folder.run_once()
    assert stats.failed == 1
    assert (desk / "failed" / "broken.pdf").is_file()
    assert (desk / "failed" / "broken.pdf.reason.txt").is_file()
    assert not (inbox / "failed" / "broken.pdf").exists()
    assert not (inbox / "done" / "processing").exists()  # done/ was not taken for a desk
    assert (desk / LOCK_NAME).is_file()  # each desk is locked as DIR is
