"""The certification book on SQLite and PostgreSQL: concurrent numbering, yearly restart, no renumbering."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.db.certification import (
    Allocated,
    CertificationAct,
    acts_of_book,
    allocate_number,
    ensure_tables,
    record_act,
)
from storage.db.engine import run_in_transaction, write_session
from tests.db.fixtures import Database

BOOK = "01/2026-SCT/BS"


def _take(database: Database, year: int = 2026, requester: str = "Nguyễn Văn Bảy") -> Allocated:
    def work(session):  # type: ignore[no-untyped-def]
        book_id, alloc = allocate_number(session, BOOK, year)
        time.sleep(0.005)  # widen the race window while the number is held
        record_act(
            session,
            book_id,
            alloc,
            certified_on=date(year, 11, 21),
            document_sha256="ab" * 32,
            document_name="giay-khai-sinh.pdf",
            requester=requester,
            official="Nguyễn Văn An",
        )
        return alloc

    return run_in_transaction(database.engine, work, attempts=50)


def test_concurrent_allocations_are_distinct_and_consecutive(db: Database) -> None:
    ensure_tables(db.engine)
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            for _ in range(5):
                n = _take(db).number
                with lock:
                    results.append(n)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(results) == list(range(1, 31))
    with write_session(db.engine) as s:
        assert [a.number for a in acts_of_book(s, BOOK, 2026)] == list(range(1, 31))


def test_numbers_restart_each_year_and_rollback_leaves_no_hole(db: Database) -> None:
    ensure_tables(db.engine)
    assert _take(db).number == 1
    assert _take(db).number == 2
    with pytest.raises(RuntimeError), write_session(db.engine) as s:
        allocate_number(s, BOOK, 2026)
        raise RuntimeError("signing failed")
    assert _take(db).number == 3  # the rolled-back number was never taken
    assert _take(db, year=2027).number == 1
    assert Allocated(BOOK, 2026, 125, "ĐT").label == "125/ĐT"


def test_acts_cannot_be_renumbered_or_deleted(db: Database) -> None:
    ensure_tables(db.engine)
    _take(db)
    with pytest.raises(PermissionError), write_session(db.engine) as s:
        act = s.query(CertificationAct).one()
        act.number = 99
        s.flush()
    with pytest.raises(PermissionError), write_session(db.engine) as s:
        s.delete(s.query(CertificationAct).one())
        s.flush()
    # the database itself refuses, whatever client writes to it
    for stmt in ("UPDATE certification_acts SET number = 99", "DELETE FROM certification_acts"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(stmt))
    with write_session(db.engine) as s:
        assert [a.number for a in s.query(CertificationAct)] == [1]
