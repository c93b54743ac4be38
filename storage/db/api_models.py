"""Tables of the HTTP API: credentials, background jobs and the per-official signing queue.

Secrets are never stored: an API key or a bearer token is kept as its SHA-256 (they are long
random strings, so a fast hash is enough), a staff password as a salted scrypt hash.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.db.base import Base
from storage.db.models import BigId, utcnow
from storage.db.types import UtcDateTime


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class QueueStatus(StrEnum):
    PENDING = "pending"  # waiting for the official's token
    SIGNED = "signed"  # a verified signed copy was accepted
    CANCELLED = "cancelled"


def _check(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


class ApiKey(Base):
    """A downstream system's key: ``prefix`` finds the row, ``key_hash`` proves the secret."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)  # "*" = every agency
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class StaffUser(Base):
    """A commune staff account; an official also has the certificate of their signing token."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)  # "*" = every agency
    cert_sha256: Mapped[str | None] = mapped_column(String(64))  # DER fingerprint of the token cert
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StaffToken(Base):
    """A bearer token issued at login (or to a signing client), stored as its SHA-256."""

    __tablename__ = "staff_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Job(Base):
    """An intake job; a worker (thread of the API or ``sohoa worker``) claims queued rows."""

    __tablename__ = "api_jobs"
    __table_args__ = (
        CheckConstraint(_check("status", JobStatus), name="status"),
        Index("ix_api_jobs_status_created", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), default="intake")
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value)
    actor: Mapped[str] = mapped_column(String(128))
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)  # who may read it
    dossier_code: Mapped[str | None] = mapped_column(String(64))
    procedure_code: Mapped[str | None] = mapped_column(String(64))
    agency_code: Mapped[str | None] = mapped_column(String(35))
    workdir: Mapped[str] = mapped_column(String(500))
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    files_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_total: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SigningQueueItem(Base):
    """A document waiting for one official's signature, with the exact bytes to be signed."""

    __tablename__ = "signing_queue"
    __table_args__ = (
        CheckConstraint(_check("status", QueueStatus), name="status"),
        Index("ix_signing_queue_official_status", "official_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    status: Mapped[str] = mapped_column(String(16), default=QueueStatus.PENDING.value)
    title: Mapped[str] = mapped_column(String(255), default="")
    bucket: Mapped[str] = mapped_column(String(32))
    object_key: Mapped[str] = mapped_column(String(64))  # the prepared, unsigned PDF
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    queued_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    signed_sha256: Mapped[str | None] = mapped_column(String(64))
    signed_version_id: Mapped[int | None] = mapped_column(ForeignKey("document_versions.id"))
    stamp: Mapped[str | None] = mapped_column(String(16))
    """how the official's client signs it (``pipeline.dossier.queue.STAMPS``); none: by the title"""
