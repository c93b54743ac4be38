"""Appending rows to ``personal_data_access`` cheaply: one prepared statement per request.

The record sits on the hot path of every lookup, so it skips the ORM and SQL compilation. On
PostgreSQL a recorded read runs in autocommit (``storage.db.engine.write_session``), and its row
goes in by a statement prepared once per connection under a name of its own
(``sohoa_access_row``) and executed with text parameters through libpq: one round trip, no parse
or plan on the server, none of psycopg's per-statement work on the client. psycopg's own
automatic preparing never reached that statement: psycopg forgets its prepared statements on
every ROLLBACK (sending ``DEALLOCATE ALL`` when it had any), and every plain read ends with one, so
the INSERT was parsed and planned anew on every lookup. Should such a ``DEALLOCATE ALL`` drop the
statement, it is prepared again on the spot. Several rows (an answer showing several people), a
transaction other than a recorded read's, or a value libpq's text format cannot carry go through
the DBAPI cursor as before (``executemany`` for several rows). On SQLite a recorded read keeps
its rows and writes them when the read ends, committed inside the read's own transaction, or, when
SQLite refuses that, in one autocommit INSERT after it (``sqlite_recorded_read``: the read holds
no write lock while it reads).

Guarantee (the one the callers state): the row is committed *before* the answer leaves, so no
answer is ever sent without its record, and a crash of sohoa, of its client or of the connection
loses nothing a caller was answered for. (A crash between the record and the answer leaves a
record of an answer never sent: the log may say more than was shown, never less.) The commit does not wait
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

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

import psycopg
from psycopg import generators, pq
from sqlalchemy import Dialect, Engine
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection

from storage.db.models import utcnow
from storage.db.security_models import PersonalDataAccess

COLUMNS = (
    "at",
    "actor",
    "action",
    "owner_id",
    "dossier_code",
    "legal_basis",
    "legal_reference",
    "document_id",
    "fields",
    "documents",
    "page",
)
_PG_CASTS = (
    "timestamptz",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "bigint",
    "json",
    "integer",
    "integer",
)


@dataclass(slots=True)
class AccessRow:
    """One read of one person's data, as recorded. Not frozen: a frozen dataclass sets each of
    its eleven fields through ``object.__setattr__``, and one is built on every lookup (about
    8 µs of the record's cost at 1M documents, measured with caches as a lookup leaves them)."""

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
    processors: list[Callable[[Any], Any] | None] = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in COLUMNS
    ]
    names = ", ".join(COLUMNS)
    if dialect.name == "postgresql":
        sql = _pg_insert(["%s"] * len(COLUMNS))
    else:
        marks = "?" if dialect.paramstyle == "qmark" else "%s"
        sql = f"INSERT INTO {name} ({names}) VALUES ({', '.join([marks] * len(COLUMNS))})"
        if dialect.name == "sqlite":
            processors[COLUMNS.index("fields")] = _json_list
            processors[COLUMNS.index("at")] = sqlite_utc_text
    return sql, tuple(processors)


def _pg_insert(marks: Sequence[str]) -> str:
    """The PostgreSQL INSERT with ``marks`` as its parameters; ``synchronous_commit`` off for its
    transaction in the same statement (the module's docstring: the guarantee)."""
    values = ", ".join(f"{mark}::{cast}" for mark, cast in zip(marks, _PG_CASTS, strict=True))
    return (
        f"INSERT INTO {PersonalDataAccess.__tablename__} ({', '.join(COLUMNS)}) SELECT {values} "
        "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed_flush"
    )


PG_STATEMENT = "sohoa_access_row"  # the server-side name of the prepared INSERT
_PG_NAME = PG_STATEMENT.encode()
_PG_PREPARED_SQL = _pg_insert([f"${n}" for n in range(1, len(COLUMNS) + 1)]).encode()
_PG_PREPARED = "sohoa_access_row_prepared"  # pool connection info key: prepared on this connection
_UNDEFINED_STATEMENT = b"26000"  # invalid_sql_statement_name: not (or no longer) prepared
_DUPLICATE_STATEMENT = b"42P05"  # duplicate_prepared_statement: prepared already


T = TypeVar("T")
_DEFERRED = "sohoa_deferred_access_rows"  # Session.info key of a SQLite recorded read's rows


def _values(row: AccessRow) -> tuple[Any, ...]:
    """The row's values in ``COLUMNS`` order, before any driver encoding."""
    return (
        row.at,
        row.actor[:128],
        row.action,
        row.owner_id,
        row.dossier_code,
        row.legal_basis,
        row.legal_reference,
        row.document_id,
        tuple(sorted(set(row.fields))),
        row.documents,
        row.page,
    )


def _params(
    rows: Sequence[AccessRow], processors: Sequence[Callable[[Any], Any] | None]
) -> list[tuple[Any, ...]]:
    return [
        tuple(p(v) if p is not None else v for p, v in zip(processors, _values(row), strict=True))
        for row in rows
    ]


def sqlite_utc_text(moment: datetime) -> str:
    """``at`` as ``UtcDateTime`` stores it on SQLite (UTC, SQLAlchemy's DATETIME text format):
    that processor chain formats through a dict, about a third of the record's Python cost.
    A time already in UTC (``utcnow``: every record's default) skips ``astimezone``, half of
    what is left."""
    if moment.tzinfo is UTC:
        moment = moment.replace(tzinfo=None)
    elif moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(" ", "microseconds")


def _sqlite_values(row: AccessRow) -> tuple[Any, ...]:
    """``_params`` of one row on SQLite, written out: there only ``at`` and ``fields`` are
    encoded (``_statement``), and the generic loop over the processors is most of the Python
    between the read and its record (a test holds the two equal)."""
    at, *middle, fields, documents, page = _values(row)
    return (sqlite_utc_text(at), *middle, _json_list(fields), documents, page)


@lru_cache(maxsize=256)
def _json_list(fields: tuple[str, ...]) -> str:
    """The ``fields`` column on SQLite, as SQLAlchemy's JSON type writes it (``json.dumps``): the
    same few lists recur on every lookup, so each is encoded once."""
    return json.dumps(list(fields))


def append_access_rows(session: Session, rows: Sequence[AccessRow]) -> None:
    """Insert ``rows`` in the session's transaction, in one driver call; in a SQLite recorded read
    (``sqlite_recorded_read``), when its read ends; on PostgreSQL in autocommit (a recorded read),
    one row by the prepared statement (``_pg_insert_prepared``)."""
    if not rows:
        return
    deferred = session.info.get(_DEFERRED)
    if deferred is not None:
        deferred.extend(rows)
        return
    connection = session.connection()
    dialect = connection.dialect
    pooled = connection.connection
    driver: Any = pooled.driver_connection
    if dialect.name != "postgresql":
        _insert_by_cursor(driver, dialect, rows)
        return
    try:
        if len(rows) == 1 and driver.autocommit and _pg_insert_prepared(pooled, driver, rows[0]):
            return
        _insert_by_cursor(driver, dialect, rows)
    except psycopg.Error as exc:
        # As SQLAlchemy would raise it: an outage is an OperationalError (503), retries likewise.
        raise DBAPIError.instance(
            PG_STATEMENT, None, exc, psycopg.Error, hide_parameters=True, dialect=dialect
        ) from exc


def _insert_by_cursor(driver: Any, dialect: Dialect, rows: Sequence[AccessRow]) -> None:
    """The rows by the fixed INSERT on the DBAPI cursor (``executemany`` for several)."""
    sql, processors = _statement(dialect)
    params = _params(rows, processors)
    cursor = driver.cursor()
    try:
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)
    finally:
        cursor.close()


def _pg_insert_prepared(
    pooled: PoolProxiedConnection, driver: psycopg.Connection[Any], row: AccessRow
) -> bool:
    """One row by the named prepared INSERT: one round trip (Bind, Describe, Execute, Sync),
    committed when it returns (the connection is in autocommit). False, nothing sent, when a value
    cannot go as libpq text (a NUL character): the cursor then sends it, or refuses it as before.

    Prepared on the first use on each connection (one round trip more, once), and again should a
    ``DEALLOCATE ALL`` of psycopg's (after a ROLLBACK, when it had prepared statements of its own)
    have dropped it: the failed execution, in autocommit, has done nothing. Sent and awaited as
    psycopg's cursor does (``Connection.wait``: the GIL released while waiting, Ctrl-C cancels).
    """
    encoding = driver.info.encoding
    params = _pg_text_params(row, encoding)
    if params is None:
        return False
    values: Any = params  # None is NULL: psycopg's own calls pass it (its stubs omit it)
    with driver.lock:
        if not pooled.info.get(_PG_PREPARED):
            _pg_prepare(driver, encoding)
            pooled.info[_PG_PREPARED] = True
        result = _pg_run(driver, lambda pgconn: pgconn.send_query_prepared(_PG_NAME, values))
        if result.error_field(pq.DiagnosticField.SQLSTATE) == _UNDEFINED_STATEMENT:
            _pg_prepare(driver, encoding)
            result = _pg_run(driver, lambda pgconn: pgconn.send_query_prepared(_PG_NAME, values))
    _pg_check(result, encoding)
    return True


def _pg_run(driver: psycopg.Connection[Any], send: Callable[[pq.abc.PGconn], None]) -> pq.abc.PGresult:
    """Send one command on the connection and wait for its (single) result."""
    send(driver.pgconn)
    results = driver.wait(generators.execute(driver.pgconn))
    if len(results) != 1:
        raise psycopg.InternalError(f"{len(results)} results from one {PG_STATEMENT} command")
    return results[0]


def _pg_prepare(driver: psycopg.Connection[Any], encoding: str) -> None:
    result = _pg_run(driver, lambda pgconn: pgconn.send_prepare(_PG_NAME, _PG_PREPARED_SQL))
    if result.error_field(pq.DiagnosticField.SQLSTATE) != _DUPLICATE_STATEMENT:
        _pg_check(result, encoding)


def _pg_check(result: pq.abc.PGresult, encoding: str) -> None:
    """psycopg's own exception for a failed result (as its cursor would raise it)."""
    if result.status != pq.ExecStatus.COMMAND_OK:
        raise psycopg.errors.error_from_result(result, encoding=encoding)


def _pg_text_params(row: AccessRow, encoding: str) -> list[bytes | None] | None:
    """The row's values in libpq text format, in ``COLUMNS`` order (what the casts of
    ``_pg_insert`` read), or None if one holds a NUL (text parameters end at the first)."""
    at, *middle, document_id, fields, documents, page = _values(row)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # as UtcDateTime
    values = (
        at.isoformat(),
        *middle,
        None if document_id is None else str(int(document_id)),
        _json_list(fields),
        str(int(documents)),
        None if page is None else str(int(page)),
    )
    params = [None if v is None else v.encode(encoding) for v in values]
    if any(p is not None and b"\x00" in p for p in params):
        return None
    return params


@contextmanager
def sqlite_recorded_read(engine: Engine) -> Iterator[Session]:
    """A read of personal data on SQLite, then its access rows.

    The read runs as any read does (a deferred transaction: no write lock is held while it
    reads, and hot-folder intake is not held up by lookups); its rows are kept in the session and
    written when it ends, before the caller answers. First inside the read's own transaction,
    committed at once: the write lock is taken only for that INSERT and COMMIT, and the
    connection keeps the snapshot it already holds (ending the read and writing in autocommit
    costs a new snapshot, 10-20 µs of a 0.7 ms lookup at 1M documents). SQLite refuses that
    upgrade at once, without waiting, when another connection holds the write lock or has
    committed since the read began (SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT); the read is then ended
    and the rows go in one autocommit statement, which waits for the lock up to the busy
    timeout. Cheaper than one write transaction around both (SQLAlchemy's commit machinery, and
    ``BEGIN IMMEDIATE`` taken for the whole read). A read that wrote anything else would lose it
    or commit it unseen: refused as a programming error, before anything is written.
    """
    with Session(bind=engine, expire_on_commit=False, autoflush=False) as session:
        opened = _open_recorded(session)
        yield session
        _write_recorded(engine, session, opened)


def run_sqlite_recorded_read(engine: Engine, work: Callable[[Session], T]) -> T:
    """``work`` as ``sqlite_recorded_read`` runs it, without a generator around it (two fewer
    frames on the path of every lookup)."""
    with Session(bind=engine, expire_on_commit=False, autoflush=False) as session:
        opened = _open_recorded(session)
        result = work(session)
        _write_recorded(engine, session, opened)
        return result


def _open_recorded(session: Session) -> tuple[sqlite3.Connection, int, list[AccessRow]]:
    """Begin the read; its rows are kept in the session (``append_access_rows``)."""
    rows: list[AccessRow] = []
    session.info[_DEFERRED] = rows
    driver: sqlite3.Connection = session.connection().connection.driver_connection  # type: ignore[assignment]
    return driver, driver.total_changes, rows


def _write_recorded(
    engine: Engine, session: Session, opened: tuple[sqlite3.Connection, int, list[AccessRow]]
) -> None:
    """End the read with its rows committed (``sqlite_recorded_read``)."""
    driver, changes, rows = opened
    # _is_clean: nothing new, dirty or deleted, without building the three public IdentitySets.
    if driver.total_changes != changes or not session._is_clean():
        raise RuntimeError("a recorded read writes only its access rows")
    if rows and driver.in_transaction and _insert_in_read(driver, engine.dialect, rows):
        return
    # End the read (its snapshot) on the connection itself, which stays checked out; the
    # session's own rollback at close is then a no-op (pysqlite skips it outside a transaction).
    driver.rollback()
    if rows:
        _insert_now(driver, engine.dialect, rows)


def _insert_in_read(driver: sqlite3.Connection, dialect: Dialect, rows: Sequence[AccessRow]) -> bool:
    """The rows inside the open read transaction, committed; False, nothing written and the read
    still open, when SQLite refuses to make that transaction a write (``sqlite_recorded_read``)."""
    try:
        _execute(driver, dialect, rows)
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:  # the lock, or a stale snapshot
            return False
        raise _as_dbapi(exc) from exc
    except sqlite3.Error as exc:
        raise _as_dbapi(exc) from exc
    try:
        driver.execute("COMMIT")
    except sqlite3.Error as exc:
        driver.rollback()  # the rows are not committed: the caller must not answer
        raise _as_dbapi(exc, "COMMIT") from exc
    return True


def _as_dbapi(exc: sqlite3.Error, sql: str = "INSERT INTO personal_data_access") -> StatementError:
    """As SQLAlchemy would raise it: retries (lock timeouts) and error answers stay the same."""
    return DBAPIError.instance(sql, None, exc, sqlite3.Error, hide_parameters=True)


def _execute(driver: sqlite3.Connection, dialect: Dialect, rows: Sequence[AccessRow]) -> None:
    """One row by the INSERT with its empty columns written as NULL (``_with_nulls``), several by
    ``executemany``."""
    if len(rows) == 1:
        values = _sqlite_values(rows[0])
        driver.execute(_with_nulls(tuple(v is None for v in values)), [v for v in values if v is not None])
    else:
        sql, processors = _statement(dialect)
        driver.executemany(sql, _params(rows, processors))


@lru_cache(maxsize=64)
def _with_nulls(nulls: tuple[bool, ...]) -> str:
    """The SQLite INSERT with NULL written in for the empty columns: pysqlite adapts a bound None
    through a failed attribute lookup (an exception raised and dropped), about 1 µs each."""
    marks = ", ".join("NULL" if null else "?" for null in nulls)
    return f"INSERT INTO {PersonalDataAccess.__tablename__} ({', '.join(COLUMNS)}) VALUES ({marks})"


def _insert_now(driver: sqlite3.Connection, dialect: Dialect, rows: Sequence[AccessRow]) -> None:
    """The rows in one statement, committed when it returns (isolation_level None: autocommit)."""
    try:
        if len(rows) == 1:
            _execute(driver, dialect, rows)
            return
        driver.execute("BEGIN IMMEDIATE")
        try:
            _execute(driver, dialect, rows)
            driver.execute("COMMIT")
        except BaseException:
            if driver.in_transaction:
                driver.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise _as_dbapi(exc) from exc
