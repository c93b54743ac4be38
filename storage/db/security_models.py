"""Tables of personal-data governance and account protection.

``personal_data_access`` is the record Decree 13/2023/NĐ-CP asks for: who read whose personal
data, when, for which dossier or legal basis, which fields. It is append-only (triggers, as the
audit log) so nobody with database write rights can quietly erase a read.

``login_throttle`` keeps failed log-ins per username and per client address in the database,
so every API process behind a balancer sees the same counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.db.base import Base
from storage.db.models import BigId, utcnow
from storage.db.types import UtcDateTime


class PersonalDataAccess(Base):
    """One read of one person's data (a lookup, or the personal fields of a document)."""

    __tablename__ = "personal_data_access"
    __table_args__ = (Index("ix_personal_data_access_owner_at", "owner_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))  # key:NAME, staff:USER, os:USER
    action: Mapped[str] = mapped_column(String(32))  # lookup, document.read
    owner_id: Mapped[str] = mapped_column(String(16))
    dossier_code: Mapped[str | None] = mapped_column(String(64))
    legal_basis: Mapped[str | None] = mapped_column(String(255))  # a code of pipeline.legal_bases
    legal_reference: Mapped[str | None] = mapped_column(String(255))  # the law and article cited
    document_id: Mapped[int | None] = mapped_column(BigInteger)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    documents: Mapped[int] = mapped_column(Integer, default=0)  # how many documents were shown
    page: Mapped[int | None] = mapped_column(Integer)  # the page a page image showed


class LoginThrottle(Base):
    """Failed log-ins of one username (``user:NAME``) or client address (``addr:IP``)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
