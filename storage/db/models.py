"""The dossier database tables.

Lookups by owner are the hot path (the one-stop shop asks "what do we already hold for this
citizen?" on every new dossier), so ``document_owners`` is keyed by ``(owner_id, document_id)``:
a lookup is a primary-key range seek, then primary-key fetches of documents and of their fields
through ``(document_id, key)``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from storage.db.base import Base
from storage.db.types import UtcDateTime

AGENCY_CODE_RE = re.compile(r"^[0-9A-Z]+(\.[0-9A-Z]+)*$")
AGENCY_CODE_MAX = 35
PROCEDURE_CODE_RE = re.compile(r"^[0-9]+\.[0-9]{6}(\.[0-9A-Z]+)*$")
OWNER_ID_RE = re.compile(r"[0-9]{12}|[0-9]{10}(-[0-9]{3})?")

# BigInteger primary keys that are still SQLite rowids (SQLite only autoincrements INTEGER).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class DossierStatus(StrEnum):
    RECEIVED = "received"  # đã tiếp nhận
    PROCESSING = "processing"  # đang xử lý
    FINISHED = "finished"  # đã có kết quả
    RETURNED = "returned"  # đã trả kết quả
    REJECTED = "rejected"  # từ chối


class DocumentSource(StrEnum):
    DIGITISED = "digitised"  # scanned from paper here
    SIGNED = "signed"  # an electronic result signed here
    REUSED = "reused"  # taken over from another system's record


class VersionKind(StrEnum):
    ORIGINAL = "original"  # the scanner's file
    SEARCHABLE = "searchable"  # the OCR'd PDF of this document's pages
    SIGNED = "signed"  # a signed copy (digitised copy stamp, certified e-copy, result)
    STAGED = "staged"  # a result signed by the competent official, awaiting the seal: not published


def _enum_check(column: str, enum: type[StrEnum]) -> str:
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"


class Agency(Base):
    """A receiving agency, known by its national identifier code (mã định danh cơ quan)."""

    __tablename__ = "agencies"
    __table_args__ = (CheckConstraint(f"length(code) <= {AGENCY_CODE_MAX}", name="code_length"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(AGENCY_CODE_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")

    @validates("code")
    def _check_code(self, _key: str, code: str) -> str:
        if not is_agency_code(code):
            raise ValueError("agency code: dot-separated groups of [0-9A-Z], at most 35 characters")
        return code


def is_agency_code(code: str) -> bool:
    return len(code) <= AGENCY_CODE_MAX and AGENCY_CODE_RE.fullmatch(code) is not None


def is_procedure_code(code: str) -> bool:
    return len(code) <= 64 and PROCEDURE_CODE_RE.fullmatch(code) is not None


class Procedure(Base):
    """An administrative procedure (thủ tục hành chính) and the document types it needs."""

    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    level: Mapped[int | None] = mapped_column(Integer)  # mức độ dịch vụ công (online level)
    processing_days: Mapped[int | None] = mapped_column(Integer)  # working days
    fee_vnd: Mapped[int | None] = mapped_column(Integer)  # lệ phí; 0 = miễn phí
    result_doc_type: Mapped[str | None] = mapped_column(String(64))
    requirements: Mapped[list[ProcedureRequirement]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan", order_by="ProcedureRequirement.position"
    )

    @validates("code")
    def _check_code(self, _key: str, code: str) -> str:
        if not is_procedure_code(code):
            raise ValueError("procedure code: e.g. 1.001612 or 2.000815.000.00.00.H55")
        return code

    @property
    def required_doc_types(self) -> list[str]:
        return [r.doc_type for r in self.requirements]


class ProcedureRequirement(Base):
    __tablename__ = "procedure_requirements"

    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), primary_key=True
    )
    doc_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str | None] = mapped_column(String(255))  # as the catalogue names it
    original_required: Mapped[bool] = mapped_column(Boolean, default=False)  # bản chính để đối chiếu
    procedure: Mapped[Procedure] = relationship(back_populates="requirements")


class DailySequence(Base):
    """The last dossier number issued by an agency on a day; locked row = unique codes."""

    __tablename__ = "daily_sequences"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Dossier(Base):
    """A dossier (hồ sơ) received at the one-stop shop, with its system-issued code."""

    __tablename__ = "dossiers"
    __table_args__ = (CheckConstraint(_enum_check("status", DossierStatus), name="status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    promised_date: Mapped[date | None] = mapped_column(Date)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default=DossierStatus.RECEIVED.value)

    agency: Mapped[Agency] = relationship()
    procedure: Mapped[Procedure | None] = relationship()
    components: Mapped[list[DossierComponent]] = relationship(
        back_populates="dossier", order_by="DossierComponent.id"
    )


class Scan(Base):
    """A file as the scanner delivered it; its SHA-256 makes intake idempotent."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(BigInteger)
    pages: Mapped[int] = mapped_column(Integer)
    object_key: Mapped[str] = mapped_column(String(64))  # in the originals bucket
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    documents: Mapped[list[Document]] = relationship(back_populates="scan", order_by="Document.id")


class Document(Base):
    """One paper document (a file may hold several); ``sha256`` is its identity.

    For a digitised document the identity is the SHA-256 of ``<scan sha256>:<pages>``, so the
    same scan always yields the same documents; for a signed one it is the signed file's hash.
    """

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(_enum_check("source", DocumentSource), name="source"),
        Index("ix_documents_owner_id", "owner_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    doc_type: Mapped[str] = mapped_column(String(64))
    pages: Mapped[list[int]] = mapped_column(JSON, default=list)  # 1-based pages of the scan
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    owner_id: Mapped[str | None] = mapped_column(String(16))  # primary owner, see document_owners
    source: Mapped[str] = mapped_column(String(16), default=DocumentSource.DIGITISED.value)
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("scans.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    issue_date: Mapped[date | None] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    scan: Mapped[Scan | None] = relationship(back_populates="documents")
    dossier: Mapped[Dossier | None] = relationship()
    fields: Mapped[list[ExtractedField]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="ExtractedField.id"
    )
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="DocumentVersion.id"
    )
    owners: Mapped[list[DocumentOwner]] = relationship(
        back_populates="document", cascade="all, delete-orphan"
    )


class DocumentOwner(Base):
    """Who a document belongs to (a marriage certificate has two); staff may correct it."""

    __tablename__ = "document_owners"

    owner_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(32), default="holder")  # holder, husband, wife, ...
    corrected_by: Mapped[str | None] = mapped_column(String(128))

    document: Mapped[Document] = relationship(back_populates="owners")


class DocumentVersion(Base):
    """An object-store copy of a document: original, searchable PDF, each signed version."""

    __tablename__ = "document_versions"
    __table_args__ = (
        CheckConstraint(_enum_check("kind", VersionKind), name="kind"),
        UniqueConstraint("document_id", "kind", "object_key", name="uq_document_versions_object"),
        Index("ix_document_versions_object_key", "object_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    bucket: Mapped[str] = mapped_column(String(32))
    object_key: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    signed_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")


class ExtractedField(Base):
    """A field read from a document; a correction keeps the value OCR read in ``original_value``."""

    __tablename__ = "extracted_fields"
    __table_args__ = (UniqueConstraint("document_id", "key", name="uq_extracted_fields_document_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    original_value: Mapped[str | None] = mapped_column(Text)

    document: Mapped[Document] = relationship(back_populates="fields")


class DossierComponent(Base):
    """Which document fills which required type of a dossier; ``reused`` feeds Decision 766."""

    __tablename__ = "dossier_components"
    __table_args__ = (
        UniqueConstraint("dossier_id", "document_id", name="uq_dossier_components_document"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    reused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="components")
    document: Mapped[Document] = relationship()


class AuditEntry(Base):
    """Append-only: triggers (see the migrations) refuse UPDATE and DELETE on both databases."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PendingObject(Base):
    """Intent log: an object about to be stored for an intake not yet committed.

    Written (and committed) before the upload, deleted in the intake's own transaction; rows left
    by a crashed process name the objects that recovery may delete if nothing references them,
    once their lease has run out (a live intake renews it; no host or pid is trusted).
    """

    __tablename__ = "pending_objects"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32))
    object_key: Mapped[str] = mapped_column(String(64))
    holder: Mapped[str] = mapped_column(String(128), index=True)  # which intake (an identity only)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # renewed by its intake while it stores the objects; once past, recovery may take the row
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
