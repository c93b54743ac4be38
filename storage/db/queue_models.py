"""Tables of the distributed intake (Celery): the files of a job and the OCR of each page.

``api_jobs`` stays the record of a job (what the API reads); ``job_files`` says where each
uploaded file is in the incoming area of the object store and what became of it, and
``page_results`` holds one row per OCR'd page, keyed by the scan's SHA-256 and the page number,
so a page task that is delivered twice (its worker died before acknowledging it) stores its
result once. The page's searchable PDF is kept in the row until the file is assembled: nothing
but the store and the database is shared between workers.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.db.base import Base
from storage.db.models import BigId, utcnow
from storage.db.types import UtcDateTime


class FileStatus(StrEnum):
    QUEUED = "queued"  # stored in the incoming area, waiting for a worker
    RUNNING = "running"  # pages fanned out
    INGESTED = "ingested"
    DUPLICATE = "duplicate"
    FAILED = "failed"  # bad input (quarantined) or retries exhausted (dead letter): see reason


FINAL_FILE_STATUSES = frozenset({FileStatus.INGESTED, FileStatus.DUPLICATE, FileStatus.FAILED})


class JobFile(Base):
    """One uploaded file of an intake job, by its key in the store's incoming area."""

    __tablename__ = "job_files"
    __table_args__ = (
        UniqueConstraint("job_id", "position", name="uq_job_files_job_position"),
        CheckConstraint("status IN (" + ", ".join(repr(s.value) for s in FileStatus) + ")", name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("api_jobs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # = its key in the incoming bucket
    size: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default=FileStatus.QUEUED.value)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PageResult(Base):
    """The OCR of one page of one scan, whichever job asked for it."""

    __tablename__ = "page_results"
    __table_args__ = (UniqueConstraint("sha256", "page_number", name="uq_page_results_sha256_page"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    page_number: Mapped[int] = mapped_column(Integer)  # 1-based
    ocr: Mapped[dict[str, Any]] = mapped_column(JSON)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)  # one-page searchable PDF until assembled
    worker: Mapped[str] = mapped_column(String(255))  # Celery node name that OCR'd it
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
