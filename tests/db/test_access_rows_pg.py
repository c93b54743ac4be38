"""The PostgreSQL access record's prepared statement (``storage.db.access_rows``).

A recorded lookup's row goes in by a statement prepared once per connection: no Parse on the wire
after the first, one round trip for the row, and the recorded lookup costs no more round trips
than a bare one (pool ping, lookup, row: 3; the bare read's ping, BEGIN, lookup, ROLLBACK: 4).
Before, psycopg's ROLLBACK after every plain read reset its statement counts, so the INSERT was
parsed and planned on every lookup. The statement survives psycopg's ``DEALLOCATE ALL``, writes
what the cursor path writes, and a failure is raised as SQLAlchemy raises it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from psycopg import pq
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from config.settings import Settings
from pipeline.personal_data import Purpose, Reader, governed_lookup
from pipeline.reuse import lookup
from storage.db.access_rows import PG_STATEMENT, AccessRow, append_access_rows
from storage.db.engine import make_engine, read_session, run_recorded_read, write_session
from storage.db.errors import DatabaseError
from storage.db.security_models import PersonalDataAccess
from tests.db.fixtures import PG_HOST, Database, access_row_with_every_column

OWNER = "027095001234"


@pytest.fixture
def pg(db: Database) -> Iterator[Engine]:
    """The test's PostgreSQL schema through a pool of ONE connection: every call below runs on
    the same server session, as one worker's requests do."""
    if db.backend != "postgresql":
        pytest.skip("the prepared access record is PostgreSQL's")
    engine = make_engine(Settings(), url=db.url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _recorded_lookup(engine: Engine, actor: str = "key:test") -> None:
    reader = Reader(actor)
    run_recorded_read(engine, lambda s: governed_lookup(s, reader, OWNER, None, Purpose()))


def _append(row: AccessRow, session: Session) -> None:
    append_access_rows(session, [row])


def _bare_lookup(engine: Engine) -> None:
    with read_session(engine) as session:
        lookup(session, OWNER)


def _wire(engine: Engine, action: Callable[[], None]) -> list[str]:
    """What the client sent during ``action``: libpq's trace of the pooled connection, one line
    per message (``Query``, ``Parse``, ``Bind "" "name" …``, ``Sync``, …)."""
    raw = engine.raw_connection()
    pgconn = raw.driver_connection.pgconn  # type: ignore[union-attr]
    raw.close()  # back to the pool: ``action`` checks the same connection out
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trace"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT)
        try:
            pgconn.trace(fd)
            pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            action()
        finally:
            pgconn.untrace()
            os.close(fd)
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    # Frontend lines are "F<TAB>length<TAB>Type<TAB>details"; a statement's text may run on over
    # several lines, which do not start so.
    return [line.split("\t", 2)[2] for line in lines if line.startswith("F\t") and line.count("\t") >= 2]


def _round_trips(messages: list[str]) -> int:
    """Each simple Query and each Sync waits for the server's answer."""
    return sum(1 for m in messages if m.startswith(("Query", "Sync")))


def _rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(
                    PersonalDataAccess.at,
                    PersonalDataAccess.actor,
                    PersonalDataAccess.action,
                    PersonalDataAccess.owner_id,
                    PersonalDataAccess.dossier_code,
                    PersonalDataAccess.legal_basis,
                    PersonalDataAccess.legal_reference,
                    PersonalDataAccess.document_id,
                    PersonalDataAccess.fields,
                    PersonalDataAccess.documents,
                    PersonalDataAccess.page,
                ).order_by(PersonalDataAccess.id)
            )
        ]


def test_a_recorded_lookup_sends_its_row_prepared_in_one_round_trip(pg: Engine) -> None:
    _recorded_lookup(pg)  # the first on this connection prepares the statement
    recorded = _wire(pg, lambda: _recorded_lookup(pg))
    bare = _wire(pg, lambda: _bare_lookup(pg))

    assert not [m for m in recorded if m.startswith("Parse") and "personal_data_access" in m], recorded
    binds = [m for m in recorded if m.startswith("Bind")]
    assert len(binds) == 2 and f'"{PG_STATEMENT}"' in binds[1], binds  # the lookup, then the row
    assert _round_trips(recorded) == 3, recorded  # pool ping, lookup, row (autocommit: no COMMIT)
    assert _round_trips(bare) == 4, bare  # pool ping, BEGIN, lookup, ROLLBACK
    assert [r[1] for r in _rows(pg)] == ["key:test", "key:test"]


def test_the_statement_is_prepared_again_after_psycopgs_deallocate_all(pg: Engine) -> None:
    _recorded_lookup(pg, "first")
    # psycopg prepares a statement of its own, then a plain read's ROLLBACK makes it send
    # DEALLOCATE ALL, which drops ours too.
    raw = pg.raw_connection()
    try:
        for _ in range(2):
            raw.driver_connection.execute("SELECT 1", prepare=True)  # type: ignore[union-attr]
        raw.commit()
    finally:
        raw.close()
    sent = _wire(pg, lambda: _bare_lookup(pg))
    assert "DEALLOCATE ALL" in " ".join(sent), sent
    with pg.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM pg_prepared_statements")) == 0

    _recorded_lookup(pg, "after")
    _recorded_lookup(pg, "again")
    assert [r[1] for r in _rows(pg)] == ["first", "after", "again"]
    with pg.connect() as conn:
        names = conn.scalars(text("SELECT name FROM pg_prepared_statements")).all()
    assert PG_STATEMENT in names


def test_the_prepared_row_is_what_the_cursor_writes(pg: Engine) -> None:
    """Every column, NULL or not, through the prepared statement (a recorded read) and through
    the cursor (a write transaction): the same values, the same JSON text."""
    rows = [
        access_row_with_every_column(OWNER),
        AccessRow("os:x" * 40, "lookup", "0312345678-001", [], 0, at=datetime(2026, 1, 1, 0, 0, 0)),
    ]
    for row in rows:
        run_recorded_read(pg, partial(_append, row))  # autocommit: the prepared statement
    for row in rows:
        with write_session(pg) as session:  # a transaction: the cursor's INSERT
            append_access_rows(session, [row])
    stored = _rows(pg)
    assert stored[:2] == stored[2:]
    assert stored[0][0] == datetime(2026, 6, 30, 16, 59, 59, 123456, tzinfo=UTC)
    assert stored[0][8] == ["full_name", "place_of_residence"]
    assert stored[1][0] == datetime(2026, 1, 1, tzinfo=UTC) and len(stored[1][1]) == 128
    with pg.connect() as conn:
        texts = conn.scalars(text("SELECT fields::text FROM personal_data_access ORDER BY id")).all()
    assert texts[:2] == texts[2:]


def test_a_value_libpq_text_cannot_carry_is_refused_as_a_dbapi_error(pg: Engine) -> None:
    with pytest.raises(DataError, match="NUL"):
        run_recorded_read(
            pg, lambda s: append_access_rows(s, [AccessRow("key:a\x00b", "lookup", OWNER, [], 0)])
        )
    assert _rows(pg) == []


def test_no_answer_when_the_row_cannot_be_written(pg: Engine, db: Database) -> None:
    """The connection dies between the read and its row: the read raises (the API's 503),
    nothing is answered and nothing recorded."""
    admin = create_engine(f"{PG_HOST}/postgres", isolation_level="AUTOCOMMIT")

    def work(session: Session) -> str:
        lookup(session, OWNER)
        pid = session.connection().connection.driver_connection.info.backend_pid  # type: ignore[union-attr]
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        append_access_rows(session, [AccessRow("key:lost", "lookup", OWNER, [], 0)])
        return "answer"

    try:
        _recorded_lookup(pg, "warm")  # prepared on this connection
        with pytest.raises(DatabaseError):
            run_recorded_read(pg, work)
    finally:
        admin.dispose()
    assert [r[1] for r in _rows(pg)] == ["warm"]
