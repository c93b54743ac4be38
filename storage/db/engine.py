"""Engine and session helpers.

SQLite is the embedded default, so it is set up for several processes (hot folder, CLI, API)
sharing one file: WAL so readers never wait for the writer, a busy timeout instead of instant
"database is locked" failures, foreign keys on (off by default in SQLite). Write transactions
start with ``BEGIN IMMEDIATE`` so they take the write lock up front and cannot deadlock while
upgrading a read lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings
from storage.db.errors import DatabaseError

SQLITE_BUSY_TIMEOUT_MS = 30_000
_IMMEDIATE = "sohoa_immediate"

T = TypeVar("T")


def make_engine(settings: Settings, *, url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``settings.database_url`` (or ``url``), configured for its dialect."""
    target = make_url(url or settings.database_url)
    if target.get_backend_name() == "sqlite":
        if target.database and target.database != ":memory:":
            Path(target.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            target, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(target, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how transactions start (pysqlite's own
        # implicit BEGIN is deferred and happens too late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def write_session(engine: Engine, *, recorded_read: bool = False) -> Iterator[Session]:
    """One write transaction: committed on success, rolled back on any error.

    ``recorded_read``: a read of personal data whose only writes are its access records. On
    PostgreSQL each of its statements then commits on its own, so the record costs one round
    trip (its INSERT) and no COMMIT, the same count as a read transaction's ROLLBACK; on SQLite
    the read is a read and its rows are written when it ends
    (``storage.db.access_rows.sqlite_recorded_read``). Either way they are committed when this
    returns. The options are set on the session's connection, not by ``Engine.execution_options``
    (a new engine object on every call, tens of microseconds on the hot path of every lookup).
    """
    if recorded_read and engine.dialect.name == "sqlite":
        from storage.db.access_rows import sqlite_recorded_read

        with sqlite_recorded_read(engine) as session:
            yield session
        return
    options: dict[str, Any] = {_IMMEDIATE: True}
    if recorded_read and engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    with (
        Session(bind=engine, expire_on_commit=False, execution_options=options) as session,
        session.begin(),
    ):
        yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(bind=engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


def is_transient(exc: BaseException) -> bool:
    """Lock contention or serialisation conflicts: the transaction may simply be retried."""
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower()
        if "locked" in text or "busy" in text:
            return True
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return code in {"40001", "40P01"}  # serialization_failure, deadlock_detected
    return False


def run_recorded_read(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run ``work``, a read that appends access records (``write_session(recorded_read=True)``),
    with the retries of ``run_in_transaction``. The records are committed when this returns."""
    return run_in_transaction(engine, work, recorded_read=True)


def run_in_transaction(
    engine: Engine,
    work: Callable[[Session], T],
    *,
    attempts: int = 8,
    backoff: float = 0.05,
    recorded_read: bool = False,
) -> T:
    """Run ``work`` in a write transaction, retrying on lock/serialisation conflicts."""
    sqlite_recorded = recorded_read and engine.dialect.name == "sqlite"
    if sqlite_recorded:
        from storage.db.access_rows import run_sqlite_recorded_read
    for attempt in range(1, attempts + 1):
        try:
            if sqlite_recorded:
                return run_sqlite_recorded_read(engine, work)
            with write_session(engine, recorded_read=recorded_read) as session:
                return work(session)
        except DBAPIError as exc:
            if is_transient(exc) and attempt < attempts:
                time.sleep(backoff * attempt)
                continue
            if isinstance(exc, OperationalError):
                raise DatabaseError(
                    f"Lỗi cơ sở dữ liệu (database error): {type(exc.orig).__name__}"
                ) from exc
            raise
    raise AssertionError("unreachable")
