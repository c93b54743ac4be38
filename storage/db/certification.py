"""The certification book (sổ chứng thực bản sao): one numbered act per certified e-copy.

Numbers run per book and year and restart at 1 each year. A number is taken by an atomic
``UPDATE ... RETURNING`` on the book row inside the transaction that records the act, so two
clerks never get the same number, and a rolled-back act (signing failed) gives its number back
instead of leaving a hole. Acts are append-only (ORM guard here, triggers in the database), so
an act can never be renumbered or rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Engine,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    event,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db.append_only import create_statements
from storage.db.base import Base
from storage.db.types import UtcDateTime

APPEND_ONLY_MESSAGE = "certification_acts is append-only"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CertificationBook(Base):
    """A book for one year; ``last_number`` is the last number handed out in it."""

    __tablename__ = "certification_books"
    __table_args__ = (
        UniqueConstraint("code", "year"),
        CheckConstraint("last_number >= 0", name="last_number_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    """as printed: ``01/2026-SCT/BS``"""
    year: Mapped[int] = mapped_column(Integer)
    number_suffix: Mapped[str] = mapped_column(String(16), default="ĐT")
    """printed after the number: ``125/ĐT``"""
    last_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_utcnow)


class CertificationAct(Base):
    """One certified copy: who asked, who certified, which document, under which number."""

    __tablename__ = "certification_acts"
    __table_args__ = (
        UniqueConstraint("book_id", "year", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("certification_books.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    certified_on: Mapped[date] = mapped_column(Date)
    document_sha256: Mapped[str] = mapped_column(String(64), index=True)
    """the original scan that was compared with the paper original"""
    document_name: Mapped[str] = mapped_column(String(255))
    output_sha256: Mapped[str | None] = mapped_column(String(64))
    """the signed e-copy handed to the requester"""
    requester: Mapped[str] = mapped_column(String(255))
    official: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_utcnow)


@event.listens_for(Session, "before_flush")
def _refuse_act_changes(session: Session, _ctx: object, _instances: object) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, CertificationAct) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionError(APPEND_ONLY_MESSAGE)


def ensure_tables(engine: Engine) -> None:
    """Create the two tables (and the append-only triggers) where no migration has yet.

    The database engineer's Alembic migrations own the schema; this only covers databases
    migrated before those revisions include the certification book.
    """
    existing = set(inspect(engine).get_table_names())
    if {"certification_books", "certification_acts"} <= existing:
        return
    Base.metadata.create_all(
        engine, tables=[CertificationBook.__table__, CertificationAct.__table__], checkfirst=True  # type: ignore[list-item]
    )
    if "certification_acts" not in existing and engine.dialect.name in ("sqlite", "postgresql"):
        statements = create_statements(engine.dialect.name, table="certification_acts")
        with engine.begin() as conn:
            for stmt in statements:
                conn.execute(text(stmt.replace("audit_log is append-only", APPEND_ONLY_MESSAGE)))


@dataclass(frozen=True)
class Allocated:
    book: str
    year: int
    number: int
    suffix: str

    @property
    def label(self) -> str:
        """As printed on the copy: ``125/ĐT``."""
        return f"{self.number}/{self.suffix}" if self.suffix else str(self.number)


def allocate_number(session: Session, book_code: str, year: int, suffix: str = "ĐT") -> tuple[int, Allocated]:
    """Take the next number of ``book_code`` for ``year`` in the caller's transaction.

    Returns the book id and the number. The caller records the act in the same transaction;
    if it rolls back, the number was never taken.
    """
    dialect = session.get_bind().dialect.name
    ins_mod = postgresql if dialect == "postgresql" else sqlite
    session.execute(
        ins_mod.insert(CertificationBook)
        .values(code=book_code, year=year, number_suffix=suffix, last_number=0, created_at=_utcnow())
        .on_conflict_do_nothing(index_elements=["code", "year"])
    )
    row = session.execute(
        update(CertificationBook)
        .where(CertificationBook.code == book_code, CertificationBook.year == year)
        .values(last_number=CertificationBook.last_number + 1)
        .returning(CertificationBook.id, CertificationBook.last_number, CertificationBook.number_suffix)
    ).one()
    return row[0], Allocated(book_code, year, row[1], row[2])


def record_act(
    session: Session,
    book_id: int,
    allocated: Allocated,
    *,
    certified_on: date,
    document_sha256: str,
    document_name: str,
    requester: str,
    official: str,
    output_sha256: str | None = None,
) -> CertificationAct:
    act = CertificationAct(
        book_id=book_id,
        year=allocated.year,
        number=allocated.number,
        certified_on=certified_on,
        document_sha256=document_sha256,
        document_name=document_name[:255],
        requester=requester[:255],
        official=official[:255],
        output_sha256=output_sha256,
    )
    session.add(act)
    session.flush()
    return act


def acts_of_book(session: Session, book_code: str, year: int) -> list[CertificationAct]:
    return list(
        session.scalars(
            select(CertificationAct)
            .join(CertificationBook, CertificationBook.id == CertificationAct.book_id)
            .where(CertificationBook.code == book_code, CertificationBook.year == year)
            .order_by(CertificationAct.number)
        )
    )
