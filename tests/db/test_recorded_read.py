"""``run_recorded_read``: a read of personal data whose access rows are committed when it returns.

On SQLite the read used to run inside ``BEGIN IMMEDIATE``: every lookup, document, dossier, review
and search answer took the database's write lock for its whole read, and waited for any writer
(hot-folder intake) before reading anything. Now it reads as a read does, and only its INSERT
takes the lock.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from storage.db.access_rows import AccessRow, append_access_rows
from storage.db.engine import make_engine, run_recorded_read, write_session
from storage.db.models import Agency
from storage.db.security_models import PersonalDataAccess
from tests.db.fixtures import Database, access_row_with_every_column, sqlite_only

OWNER = "027095001234"


def _rows(url: str) -> list[tuple[Any, ...]]:
    """The rows as another process sees them: a new engine, so nothing uncommitted shows."""
    from config.settings import Settings

    engine = make_engine(Settings(), url=url)
    try:
        with engine.connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(
                    select(
                        PersonalDataAccess.actor,
                        PersonalDataAccess.action,
                        PersonalDataAccess.page,
                        PersonalDataAccess.legal_reference,
                        PersonalDataAccess.fields,
                    ).order_by(PersonalDataAccess.id)
                )
            ]
    finally:
        engine.dispose()


def _record(session: Session, actor: str, *, count: int = 1) -> int:
    agencies = session.scalar(select(func.count()).select_from(Agency)) or 0
    append_access_rows(
        session,
        [
            AccessRow(actor, "document.page", OWNER, ["page_image"], 1, page=n, legal_reference="Điều 11")
            for n in range(1, count + 1)
        ],
    )
    return agencies


def test_rows_are_committed_when_it_returns(db: Database) -> None:
    assert run_recorded_read(db.engine, lambda s: _record(s, "one")) >= 0
    run_recorded_read(db.engine, lambda s: _record(s, "three", count=3))  # one statement for all
    assert _rows(db.url) == [
        ("one", "document.page", 1, "Điều 11", ["page_image"]),
        ("three", "document.page", 1, "Điều 11", ["page_image"]),
        ("three", "document.page", 2, "Điều 11", ["page_image"]),
        ("three", "document.page", 3, "Điều 11", ["page_image"]),
    ]


def test_write_session_as_a_recorded_read_commits_its_rows(db: Database) -> None:
    """The context-manager form (``write_session(recorded_read=True)``) shares the path."""
    with write_session(db.engine, recorded_read=True) as session:
        _record(session, "context")
    assert [r[0] for r in _rows(db.url)] == ["context"]


def _hold_write_lock(engine: Engine) -> Any:
    """Another writer, mid-transaction: SQLite's write lock, or PostgreSQL's table lock that
    every INSERT into the access log waits for."""
    conn = engine.connect()
    if engine.dialect.name == "sqlite":
        conn = conn.execution_options(sohoa_immediate=True)  # storage.db.engine: BEGIN IMMEDIATE
        conn.execute(text("SELECT 1"))
    else:
        conn.execute(text("LOCK TABLE personal_data_access IN EXCLUSIVE MODE"))
    return conn


def test_the_read_does_not_wait_for_a_writer_and_its_record_does(db: Database) -> None:
    writer = _hold_write_lock(db.engine)
    read_done = threading.Event()
    outcome: list[object] = []

    def work(session: Session) -> int:
        agencies = session.scalar(select(func.count()).select_from(Agency)) or 0
        read_done.set()
        _record(session, "during-intake")
        return agencies

    def reader() -> None:
        try:
            outcome.append(run_recorded_read(db.engine, work))
        except Exception as exc:  # reported by the assertions below
            outcome.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        # Before, BEGIN IMMEDIATE waited up to the 30 s busy timeout before reading anything.
        assert read_done.wait(20), "the read waited for the other writer"
        thread.join(0.5)
        assert thread.is_alive(), "answered before its record could be written"
        assert _rows(db.url) == []
    finally:
        writer.commit() if db.engine.dialect.name == "sqlite" else writer.rollback()
        writer.close()
    thread.join(30)
    assert outcome and isinstance(outcome[0], int), outcome
    assert [r[0] for r in _rows(db.url)] == ["during-intake"]


def test_a_recorded_read_that_writes_anything_else_is_refused(db: Database) -> None:
    """On SQLite the read is rolled back: another write there would be lost, so it is an error."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL runs a recorded read in autocommit: its writes are not lost")

    def work(session: Session) -> None:
        _record(session, "sneaky")
        session.execute(text("INSERT INTO agencies (code, name) VALUES ('X.1', 'x')"))

    with pytest.raises(RuntimeError, match="only its access rows"):
        run_recorded_read(db.engine, work)
    assert _rows(db.url) == []


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 2, 16, 45, 1, 305811, tzinfo=UTC),
        datetime(2026, 1, 1, 0, 0, 0, 0, tzinfo=UTC),  # microseconds still written
        datetime(2026, 6, 30, 23, 59, 59, 1, tzinfo=timezone(timedelta(hours=7))),  # Vietnam time
        datetime(2026, 6, 30, 23, 59, 59, 999999),  # naive: taken as UTC, as UtcDateTime does
    ],
)
def test_sqlite_time_text_is_what_the_column_type_writes(moment: datetime) -> None:
    """The record's own formatter must store ``at`` byte for byte as ``UtcDateTime`` would, or
    the access log would sort and compare wrongly against rows the ORM wrote."""
    from sqlalchemy.dialects import sqlite

    from storage.db.access_rows import sqlite_utc_text

    dialect = sqlite.dialect()
    column = PersonalDataAccess.__table__.c["at"]
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    assert processor is not None
    assert sqlite_utc_text(moment) == processor(moment)


def test_recorded_time_reads_back_as_written(db: Database) -> None:
    at = datetime(2026, 6, 30, 23, 59, 59, 123456, tzinfo=timezone(timedelta(hours=7)))
    run_recorded_read(
        db.engine, lambda s: append_access_rows(s, [AccessRow("t", "lookup", OWNER, ["name"], 1, at=at)])
    )
    with Session(db.engine) as session:
        stored = session.scalar(select(PersonalDataAccess.at))
    assert stored == at and stored.utcoffset() == timedelta(0)


def _statements(engine: Engine) -> list[str]:
    """What the pool's SQLite connections send from now on (the trace of pysqlite), first words."""
    sent: list[str] = []
    with engine.connect() as conn:
        driver: Any = conn.connection.driver_connection
        driver.set_trace_callback(lambda sql: sent.append(" ".join(sql.split()[:3]).upper()))
    return sent


@sqlite_only
def test_on_sqlite_the_row_is_committed_inside_the_read(db: Database) -> None:
    """Before, the read was ended and its row written in autocommit: a new snapshot (the WAL
    read lock taken and dropped again), about 10-20 µs of a 0.7 ms lookup."""
    db.engine.pool.dispose()  # one connection from here on, the traced one
    sent = _statements(db.engine)
    run_recorded_read(db.engine, lambda s: _record(s, "in-read"))
    writes = [s for s in sent if not s.startswith("SELECT")]
    assert writes == ["BEGIN", "INSERT INTO PERSONAL_DATA_ACCESS", "COMMIT"], sent
    assert [r[0] for r in _rows(db.url)] == ["in-read"]


def _other_engine(db: Database) -> Engine:
    from config.settings import Settings

    return make_engine(Settings(), url=db.url)


@sqlite_only
def test_on_sqlite_a_snapshot_gone_stale_is_written_after_the_read(db: Database) -> None:
    """Another connection committed while the read ran: SQLite refuses to turn the read into a
    write (SQLITE_BUSY_SNAPSHOT) and the row goes in after the read, once, without waiting."""
    db.engine.pool.dispose()
    sent = _statements(db.engine)
    other = _other_engine(db)

    def work(session: Session) -> int:
        agencies = session.scalar(select(func.count()).select_from(Agency)) or 0  # the snapshot
        with other.begin() as conn:
            conn.execute(text("INSERT INTO agencies (code, name) VALUES ('X.2', 'other writer')"))
        _record(session, "stale")
        return agencies

    try:
        assert run_recorded_read(db.engine, work) >= 0
    finally:
        other.dispose()
    writes = [s for s in sent if not s.startswith("SELECT")]
    assert writes == [
        "BEGIN",
        "INSERT INTO PERSONAL_DATA_ACCESS",  # refused: the snapshot is stale
        "ROLLBACK",
        "INSERT INTO PERSONAL_DATA_ACCESS",  # autocommit, after the read
    ], sent
    assert [r[0] for r in _rows(db.url)] == ["stale"]


@sqlite_only
def test_a_recorded_read_with_a_pending_object_is_refused(db: Database) -> None:
    def work(session: Session) -> None:
        _record(session, "sneaky")
        session.add(Agency(code="X.3", name="never flushed"))

    with pytest.raises(RuntimeError, match="only its access rows"):
        run_recorded_read(db.engine, work)
    assert _rows(db.url) == []


@pytest.mark.parametrize(
    "row",
    [
        AccessRow("key:a", "lookup", OWNER, ["b", "a", "a"], 2),
        AccessRow("x" * 200, "lookup", OWNER, [], 0, at=datetime(2026, 1, 1, 0, 0, 0)),  # naive, long actor
        access_row_with_every_column(OWNER),
    ],
)
def test_the_sqlite_row_values_are_the_generic_ones(row: AccessRow) -> None:
    """``_sqlite_values`` writes out what ``_params`` computes through the column processors."""
    from sqlalchemy.dialects import sqlite

    from storage.db import access_rows

    _sql, processors = access_rows._statement(sqlite.dialect())
    assert access_rows._sqlite_values(row) == access_rows._params([row], processors)[0]
