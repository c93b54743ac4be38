"""What the one-stop shop knows about a dossier beyond its code: applicant, clock, token, result.

Kept beside ``dossiers`` (one row per dossier, same primary key) rather than as columns of it,
so the dossier table stays what intake needs. ``clock_start`` is the working day the time limit
counts from: the day of receipt, or the day a complete supplement came in (the time limit is
recounted from then, see ``pipeline.dossier.lifecycle``).

``state`` is the full lifecycle (``pipeline.dossier.lifecycle.State``: supplement requested and
withdrawn included); ``dossiers.status`` keeps the coarse status Decision 766 and intake read,
and is kept in step by every transition. (Widening the status CHECK of ``dossiers`` itself would
mean recreating that table on SQLite, which its foreign keys forbid on a database in use.)
``token`` is the unguessable half of the citizen's link (the QR code of the receipt slip); it is
compared in constant time. ``dossier_results`` follows a result from its attachment through the
official's signature and the seal to its filing (``pipeline.dossier.results``).
``applicant_name_folded`` is the name without accents
(``storage.db.text_fold``), kept by the model whenever the name is set, so "nguyen van an" finds
"Nguyễn Văn An" with the same query on both databases (an insert default for Core inserts, a
validator for later changes through the ORM).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from storage.db.base import Base
from storage.db.models import Document, Dossier, utcnow
from storage.db.text_fold import fold
from storage.db.types import UtcDateTime

BigRef = BigInteger().with_variant(Integer(), "sqlite")


def _stage_check() -> str:
    return f"stage IN ({', '.join(repr(m.value) for m in ResultStage)})"


def _folded_name(context: Any) -> str | None:
    """The insert default: a Core INSERT (receipt writes one) bypasses the ORM validator."""
    name = context.get_current_parameters().get("applicant_name")
    return fold(name)[:255] if name else None


class DossierCase(Base):
    __tablename__ = "dossier_cases"

    dossier_id: Mapped[int] = mapped_column(
        BigRef, ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(24), index=True)
    applicant_id: Mapped[str] = mapped_column(String(16), index=True)
    applicant_name: Mapped[str | None] = mapped_column(String(255))
    applicant_name_folded: Mapped[str | None] = mapped_column(String(255), default=_folded_name)
    applicant_phone: Mapped[str | None] = mapped_column(String(20))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    received_by: Mapped[str] = mapped_column(String(128))
    clock_start: Mapped[date] = mapped_column(Date)
    supplement_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    supplement_reason: Mapped[str | None] = mapped_column(String(1000))
    result_document_id: Mapped[int | None] = mapped_column(BigRef, ForeignKey("documents.id"))
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    dossier: Mapped[Dossier] = relationship()
    result: Mapped[Document | None] = relationship()

    @validates("applicant_name")
    def _keep_folded(self, _key: str, name: str | None) -> str | None:
        self.applicant_name_folded = fold(name)[:255] if name else None
        return name


class ResultStage(StrEnum):
    AWAITING_OFFICIAL = "awaiting_official"  # chờ cán bộ có thẩm quyền ký
    AWAITING_SEAL = "awaiting_seal"  # chờ đóng dấu cơ quan
    ISSUED = "issued"  # ký, đóng dấu, đã ghi là kết quả điện tử
    CANCELLED = "cancelled"


class DossierResult(Base):
    """A result on its way to the dossier: attached, signed by the official, then sealed.

    ``document_id`` is the result's document from the start (its queue items need one, and the
    agency checks of the queue follow its dossier); it has no owners, hence is held by no one,
    until the seal is verified and the document is filed as the dossier's e-result.
    """

    __tablename__ = "dossier_results"
    __table_args__ = (CheckConstraint(_stage_check(), name="stage"),)

    id: Mapped[int] = mapped_column(BigRef, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(BigRef, ForeignKey("dossiers.id"), index=True)
    document_id: Mapped[int] = mapped_column(BigRef, ForeignKey("documents.id"), unique=True)
    stage: Mapped[str] = mapped_column(String(24))
    official_id: Mapped[int] = mapped_column(BigRef, ForeignKey("staff_users.id"))
    seal_id: Mapped[int] = mapped_column(BigRef, ForeignKey("staff_users.id"))
    official_item_id: Mapped[int | None] = mapped_column(BigRef, ForeignKey("signing_queue.id"))
    seal_item_id: Mapped[int | None] = mapped_column(BigRef, ForeignKey("signing_queue.id"))
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
