"""Dossier codes: national format, daily sequence per agency, unique under concurrency."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from config.errors import ExitCode
from storage.db.dossiers import create_dossier, receipt_day
from storage.db.engine import read_session
from storage.db.errors import BadInputError, NotFoundError
from storage.db.models import AuditEntry, Dossier, is_agency_code
from tests.db.fixtures import Database

AGENCY = "000.00.53.H48"


def test_codes_follow_the_format_and_count_per_day(db: Database) -> None:
    day1 = datetime(2022, 9, 21, 3, 0, tzinfo=UTC)
    day2 = datetime(2022, 9, 22, 3, 0, tzinfo=UTC)
    codes = [create_dossier(db.engine, AGENCY, received_at=day1, actor="t") for _ in range(3)]
    assert codes == [f"{AGENCY}-220921-000{i}" for i in (1, 2, 3)]
    assert create_dossier(db.engine, AGENCY, received_at=day2, actor="t") == f"{AGENCY}-220922-0001"
    # Another agency has its own sequence.
    assert create_dossier(db.engine, "H55.242", received_at=day1, actor="t") == "H55.242-220921-0001"
    with read_session(db.engine) as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert actions.count("dossier.received") == 5


def test_receipt_day_is_vietnam_time() -> None:
    # 18:30 UTC on the 21st is already the 22nd in Hà Nội (+07:00).
    assert receipt_day(datetime(2022, 9, 21, 18, 30, tzinfo=UTC)).isoformat() == "2022-09-22"


def test_concurrent_intake_gets_distinct_consecutive_codes(db: Database) -> None:
    received = datetime(2024, 1, 2, 2, 0, tzinfo=UTC)
    workers, per_worker = 6, 8

    def issue(_: int) -> list[str]:
        return [create_dossier(db.engine, AGENCY, received_at=received, actor="t") for _ in range(per_worker)]

    with ThreadPoolExecutor(workers) as pool:
        codes = [c for batch in pool.map(issue, range(workers)) for c in batch]
    assert len(set(codes)) == workers * per_worker
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
    assert numbers == list(range(1, workers * per_worker + 1))
    with read_session(db.engine) as session:
        assert session.query(Dossier).count() == workers * per_worker


def test_bad_agency_codes_refused(db: Database) -> None:
    for code in ["", "h55.242", "H55..242", ".H55", "H55.242.", "H55 242", "A" * 36, "H55;DROP", "Đ55"]:
        assert not is_agency_code(code), code
        with pytest.raises(BadInputError) as info:
            create_dossier(db.engine, code, actor="t")
        assert info.value.exit_code == ExitCode.BAD_ARGS, code
    with read_session(db.engine) as session:
        assert session.query(Dossier).count() == 0  # nothing half-created


def test_good_agency_codes(db: Database) -> None:
    for code in ["H55.242", "000.00.53.H48", "A" * 35]:
        assert re.fullmatch(rf"{re.escape(code)}-\d{{6}}-0001", create_dossier(db.engine, code, actor="t"))


def test_unknown_procedure_refused(db: Database) -> None:
    with pytest.raises(NotFoundError):
        create_dossier(db.engine, AGENCY, procedure_code="9.999999", actor="t")
    with pytest.raises(BadInputError):
        create_dossier(db.engine, AGENCY, procedure_code="1.00'; --", actor="t")
