"""Appending rows to ``personal_data_access`` cheaply: one prepared statement per request.

The record sits on the hot path of every lookup, so it skips the ORM and SQL compilation: one
fixed INSERT run on the DBAPI cursor of the caller's own transaction (``executemany`` when a
request shows several people), which psycopg prepares server-side after a few runs.

Guarantee (the one the callers state): the row is committed with the request's transaction
*before* the answer leaves, so no answer is ever sent without its record, and a crash of sohoa, of
its client or of the connection loses nothing a caller was answered for. The commit does not wait
for the disk flush: on PostgreSQL ``synchronous_commit`` is off for that transaction (set in the
same statement, no extra round trip), on SQLite the WAL runs with ``synchronous=NORMAL`` (as for
every write of sohoa). What a crash of the *database host* (power, kernel) may lose is the newest
records, never an older one and never a corrupt row: on PostgreSQL at most 3 x ``wal_writer_delay``
(0.6 s by default; a crash of the PostgreSQL server process likewise), on SQLite the commits since
the WAL was last synced (its checkpoints), as for all of sohoa's data there. Waiting for the flush
would cost one fsync per lookup: 4.0 ms median on the reference machine, where a PostgreSQL lookup
takes 1-3 ms and a SQLite one 0.2-1 ms, so up to several times the lookup (the 10 % target). A
deployment that needs power-loss durability of every record sets PostgreSQL's
``synchronous_commit`` for the sohoa role and removes the ``set_config`` below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.orm import Session

from storage.db.models import utcnow
from storage.db.security_models import PersonalDataAccess

COLUMNS = (
    "at", "actor", "action", "owner_id", "dossier_code", "legal_basis", "legal_reference", "document_id",
    "fields", "documents", "page",
)
_PG_CASTS = (
    "timestamptz", "varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "bigint", "json",
    "integer", "integer",
)


@dataclass(frozen=True)
class AccessRow:
    """One read of one person's data, as recorded."""

    actor: str
    action: str
    owner_id: str
    fields: Sequence[str]
    documents: int
    dossier_code: str | None = None
    legal_basis: str | None = None
    legal_reference: str | None = None
    document_id: int | None = None
    page: int | None = None
    at: datetime = field(default_factory=utcnow)


@lru_cache(maxsize=4)
def _statement(dialect: Dialect) -> tuple[str, tuple[Callable[[Any], Any] | None, ...]]:
    """The INSERT in the driver's paramstyle and each column's bind processor (built once)."""
    table = PersonalDataAccess.__table__
    name = PersonalDataAccess.__tablename__
    processors = tuple(table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in COLUMNS)
    names = ", ".join(COLUMNS)
    if dialect.name == "postgresql":
        values = ", ".join(f"%s::{cast}" for cast in _PG_CASTS)
        sql = (
            f"INSERT INTO {name} ({names}) SELECT {values} "
            "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed_flush"
        )
    else:
        marks = "?" if dialect.paramstyle == "qmark" else "%s"
        sql = f"INSERT INTO {name} ({names}) VALUES ({', '.join([marks] * len(COLUMNS))})"
    return sql, processors


def append_access_rows(session: Session, rows: Sequence[AccessRow]) -> None:
    """Insert ``rows`` in the session's transaction, in one driver call."""
    if not rows:
        return
    connection = session.connection()
    sql, processors = _statement(connection.dialect)
    params = []
    for row in rows:
        raw = (
            row.at, row.actor[:128], row.action, row.owner_id, row.dossier_code, row.legal_basis,
            row.legal_reference, row.document_id, sorted(set(row.fields)), row.documents, row.page,
        )
        params.append(tuple(p(v) if p is not None else v for p, v in zip(processors, raw, strict=True)))
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)
    finally:
        cursor.close()
