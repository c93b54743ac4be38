"""What a finished distributed job must look like in the database and the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from storage.db.models import Document, DocumentVersion, PendingObject, Scan
from storage.objects.base import Bucket, ObjectStore
from tests.queue.cluster import page_rows


def assert_recorded_once(
    engine: Engine,
    store: ObjectStore,
    job: dict[str, Any],
    sha256: str,
    pages: int,
) -> set[str]:
    """Every page once, every document once, nothing left in incoming, no orphan object.

    Returns the workers that OCR'd.
    """
    assert job["status"] == "done", job
    rows = page_rows(engine, sha256)
    assert [n for n, _ in rows] == list(range(1, pages + 1)), rows  # each page exactly once
    with Session(engine) as session:
        scans = session.scalars(select(Scan).where(Scan.sha256 == sha256)).all()
        assert len(scans) == 1
        documents = session.scalars(select(Document).where(Document.scan_id == scans[0].id)).all()
        assert sorted(d.id for d in documents) == sorted(d["document_id"] for d in job["result"]["documents"])
        assert session.scalar(select(func.count(PendingObject.id))) == 0
        versions = {(v.bucket, v.object_key) for v in session.scalars(select(DocumentVersion))}
    assert list(store.list_keys(Bucket.INCOMING)) == []  # a job seen done has released its upload
    assert list(store.list_keys(Bucket.ORIGINALS)) == [sha256]
    digitised = set(store.list_keys(Bucket.DIGITISED))
    assert digitised == {k for b, k in versions if b == Bucket.DIGITISED.value}  # no orphan PDF
    assert len(digitised) == len(documents)
    return {w for _, w in rows}
