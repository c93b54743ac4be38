"""The personal-data access log is append-only on both databases, like the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from pipeline.personal_data import Purpose, Reader, accesses_of, governed_lookup
from storage.db.engine import read_session, write_session
from tests.db.fixtures import Database

OWNER = "027095001234"


@pytest.mark.parametrize(
    "statement",
    ["UPDATE personal_data_access SET actor = 'someone-else'", "DELETE FROM personal_data_access"],
)
def test_access_log_is_append_only(db: Database, statement: str) -> None:
    with write_session(db.engine) as session:
        governed_lookup(session, Reader("os:tester"), OWNER, None, Purpose())
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(statement))
    with read_session(db.engine) as session:
        assert [e.actor for e in accesses_of(session, OWNER)] == ["os:tester"]
