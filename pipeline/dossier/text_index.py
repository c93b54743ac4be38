"""Filling the full-text index for documents digitised before it existed (``sohoa db reindex-text``).

Intake keeps the OCR text of every new document; older documents have only their searchable PDF
(page image plus the invisible OCR text layer), so the text is read back from that PDF with
poppler's ``pdftotext``. A PDF that cannot be read, or whose object is missing or corrupted, is
counted and skipped (the run goes on; an unreachable store stops it); an interrupted run resumes
where it stopped, since only documents without text are taken.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage.db.document_text import store_text, untexted_documents
from storage.db.engine import read_session, run_in_transaction
from storage.objects.base import Bucket, ObjectStore
from storage.objects.errors import ObjectCorruptedError, ObjectNotFoundError

PDFTOTEXT_TIMEOUT = 120


@dataclass
class ReindexSummary:
    indexed: int = 0
    empty: int = 0  # a searchable PDF without a text layer (blank or image-only pages)
    failed: int = 0


def pdf_text(path: Path) -> str:
    """The text layer of a PDF, in reading order; raises ``RuntimeError`` when poppler cannot read it."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        timeout=PDFTOTEXT_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.decode(errors="replace").strip()[:300] or "pdftotext failed")
    return result.stdout.decode(errors="replace").replace("\f", "\n")


def _keep(session: Session, *, document_id: int, body: str) -> None:
    store_text(session, document_id, body)


def reindex_texts(engine: Engine, store: ObjectStore, *, batch: int = 100) -> ReindexSummary:
    """Give every document with a searchable copy and no text its text; returns the counts."""
    summary = ReindexSummary()
    after = 0
    with tempfile.TemporaryDirectory(prefix="sohoa-text-") as tmp:
        while True:
            with read_session(engine) as session:
                todo = untexted_documents(session, after_id=after, limit=batch)
            if not todo:
                return summary
            for document_id, bucket, key in todo:
                after = max(after, document_id)
                try:
                    path = store.get_file(Bucket(bucket), key, Path(tmp) / f"{document_id}.pdf")
                    body = pdf_text(path).strip()
                    path.unlink(missing_ok=True)
                except (ObjectNotFoundError, ObjectCorruptedError, RuntimeError, subprocess.TimeoutExpired):
                    summary.failed += 1
                    continue
                if not body:
                    summary.empty += 1
                    continue
                run_in_transaction(engine, partial(_keep, document_id=document_id, body=body))
                summary.indexed += 1
