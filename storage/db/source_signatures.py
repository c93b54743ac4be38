"""Signatures found on a received file (a citizen's signed e-document, a signed letter).

A signed PDF is stored byte for byte as its scan's original; each of its signatures, as
verified on intake, is a row here. When every signature is intact the documents read from it
also get a ``signed`` version pointing at that same original, so the reuse lookup reports them
held with ``signed=true``: the state holds a signed copy and never asks for the paper again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db.base import Base
from storage.db.models import BigId, Document, DocumentVersion, Scan, VersionKind, utcnow
from storage.db.types import UtcDateTime


class SourceSignature(Base):
    __tablename__ = "source_signatures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 0-based, in signing order
    field: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    signer: Mapped[str | None] = mapped_column(String(500))  # subject of the signing certificate
    signer_name: Mapped[str | None] = mapped_column(String(255))
    signed_at: Mapped[str | None] = mapped_column(String(40))  # ISO 8601 as the verifier gave it
    intact: Mapped[bool] = mapped_column(Boolean)
    trusted: Mapped[bool] = mapped_column(Boolean)
    valid: Mapped[bool] = mapped_column(Boolean)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    coverage: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


@dataclass(frozen=True)
class SignatureInput:
    field: str
    kind: str
    signer: str | None
    signer_name: str | None
    signed_at: str | None
    intact: bool
    trusted: bool
    valid: bool
    revoked: bool = False
    coverage: str | None = None
    reason: str | None = None


def record_source_signatures(
    session: Session, scan: Scan, documents: list[Document], signatures: list[SignatureInput]
) -> None:
    """Rows for ``signatures``; a ``signed`` version per document when every one is intact."""
    for position, sig in enumerate(signatures):
        session.add(
            SourceSignature(
                scan_id=scan.id, position=position, field=sig.field[:255], kind=sig.kind,
                signer=(sig.signer or None) and sig.signer[:500],
                signer_name=(sig.signer_name or None) and sig.signer_name[:255],
                signed_at=sig.signed_at, intact=sig.intact, trusted=sig.trusted, valid=sig.valid,
                revoked=sig.revoked, coverage=sig.coverage, reason=sig.reason,
            )
        )  # fmt: skip
    if not signatures or not all(s.intact for s in signatures):
        return
    names = ", ".join(dict.fromkeys(s.signer_name or s.signer or "?" for s in signatures))[:255]
    for document in documents:
        original = next((v for v in document.versions if v.kind == VersionKind.ORIGINAL.value), None)
        if original is None:
            continue
        session.add(
            DocumentVersion(
                document_id=document.id, kind=VersionKind.SIGNED.value, bucket=original.bucket,
                object_key=original.object_key, sha256=original.sha256, size=original.size,
                signed_by=names,
            )
        )  # fmt: skip
    session.flush()


def signatures_of_scan(session: Session, scan_id: int) -> list[SourceSignature]:
    query = select(SourceSignature).where(SourceSignature.scan_id == scan_id)
    return list(session.scalars(query.order_by(SourceSignature.position)))
