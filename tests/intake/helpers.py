"""Helpers of the intake tests: sample scans, settings per backend, store/DB consistency."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from config.settings import Settings, load_settings
from storage.db.engine import read_session
from storage.db.models import DocumentVersion, PendingObject, Scan
from storage.objects.base import Bucket, ObjectStore
from tests.db.fixtures import Database
from tests.storage.moto_fixture import minio_settings_for


@dataclass(frozen=True)
class Sample:
    path: Path
    truth: dict[str, Any]

    @property
    def fields(self) -> dict[str, str]:
        return dict(self.truth["documents"][0]["fields"])


def copy_sample(sample: Sample, dest: Path, name: str | None = None) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / (name or sample.path.name)
    shutil.copy2(sample.path, target)
    return target


def build_settings(db: Database, data_dir: Path, store_backend: str, endpoint: str | None) -> Settings:
    ocr = {"jobs": 1}
    if store_backend == "minio":
        assert endpoint is not None
        base = minio_settings_for(endpoint, data_dir)
        return load_settings(
            data_dir=data_dir, database={"url": db.url}, storage=base.storage.model_dump(), ocr=ocr
        )
    return db.settings(data_dir, storage={"backend": "directory"}, ocr=ocr)


def store_keys(store: ObjectStore, bucket: Bucket) -> set[str]:
    return set(store.list_keys(bucket))


def consistency(db: Database, store: ObjectStore) -> dict[str, int]:
    """Every DB reference exists in the store, every stored object is referenced, no pending rows."""
    with read_session(db.engine) as session:
        scans = set(session.scalars(select(Scan.sha256)))
        versions = {
            (b, k) for b, k in session.execute(select(DocumentVersion.bucket, DocumentVersion.object_key))
        }
        pending = session.scalar(select(func.count()).select_from(PendingObject)) or 0
    originals = store_keys(store, Bucket.ORIGINALS)
    digitised = store_keys(store, Bucket.DIGITISED)
    referenced_digitised = {k for b, k in versions if b == Bucket.DIGITISED.value}
    referenced_originals = scans | {k for b, k in versions if b == Bucket.ORIGINALS.value}
    assert referenced_originals <= originals, "a row points to a missing original"
    assert referenced_digitised <= digitised, "a row points to a missing searchable PDF"
    assert originals <= referenced_originals, "orphan original objects"
    assert digitised <= referenced_digitised, "orphan digitised objects"
    assert pending == 0, "pending intent rows left"
    return {"scans": len(scans), "originals": len(originals), "digitised": len(digitised)}
