"""Helpers of the intake tests: sample scans, settings per backend, store/DB consistency."""

from __future__ import annotations

import copy
import hashlib
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from config.settings import Settings, load_settings
from ocr.models import PageOcr
from pipeline.documents.models import FileResult
from pipeline.executor import Executor
from pipeline.ocr_pages import ocr_pages
from pipeline.process import _safe_stem, attach_pdfs, build_result
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


class OcrOnce:
    """``process_file`` for intake tests that are not about OCR: real Tesseract once per scan.

    The first call for a scan (keyed by its SHA-256 and the OCR settings) runs the real OCR stage
    into ``keep``; later calls reuse those pages, their one-page searchable PDFs copied into the
    caller's workdir, and run splitting, classification, extraction and PDF merging as usual.
    Input errors are not kept: a bad file is refused by the real OCR stage every time.
    """

    def __init__(self, keep: Path) -> None:
        self.keep = keep
        self._pages: dict[tuple[str, str], list[PageOcr]] = {}
        self._lock = threading.Lock()

    def __call__(
        self,
        path: Path,
        settings: Settings,
        executor: Executor,
        workdir: Path,
        progress: Callable[[int, int], None] | None = None,
    ) -> FileResult:
        path, workdir = Path(path), Path(workdir)
        key = (hashlib.sha256(path.read_bytes()).hexdigest(), settings.ocr.model_dump_json(exclude={"jobs"}))
        with self._lock:
            known = self._pages.get(key)
        if known is None:
            known = ocr_pages(path, settings.ocr, executor, self.keep / uuid.uuid4().hex, progress)
            with self._lock:
                self._pages[key] = known
        elif progress is not None:
            for done in range(1, len(known) + 1):
                progress(done, len(known))
        pages = [self._copy(page, workdir / "pages") for page in known]
        result = build_result(path.name, pages, settings)
        attach_pdfs(result, pages, workdir, _safe_stem(path))
        return result

    @staticmethod
    def _copy(page: PageOcr, folder: Path) -> PageOcr:
        mine = copy.deepcopy(page)
        if page.pdf_path is not None:
            folder.mkdir(parents=True, exist_ok=True)
            mine.pdf_path = folder / Path(page.pdf_path).name
            shutil.copyfile(page.pdf_path, mine.pdf_path)
        return mine
