"""The upgrade path: a database created at the oldest revision, with rows, migrated to the newest.

A province upgrading sohoa runs the new image against its existing database; every migration
since 0001 must keep what is there. The rows are written with the 0001 schema (reflected from
the database itself, not from today's models), then the database is upgraded to whatever head
the repository has, and both the raw rows and today's ORM models must read them back.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session

from storage.db.migrate import current_revision, head_revision, upgrade_engine
from storage.db.models import Document, Dossier
from tests.db.fixtures import Database

OLDEST = "0001"
AT = dt.datetime(2026, 1, 5, 9, 12, 3, tzinfo=dt.UTC)

ROWS: dict[str, list[dict[str, object]]] = {
    "agencies": [{"id": 1, "code": "000.00.31.H12", "name": "UBND xã Tân Phú"}],
    "procedures": [{"id": 1, "code": "1.001193", "name": "Đăng ký khai sinh"}],
    "dossiers": [{"id": 10, "code": "000.00.31.H12-260105-0001", "agency_id": 1, "procedure_id": 1,
                  "received_at": AT, "promised_date": dt.date(2026, 1, 8), "status": "received"}],
    "scans": [{"id": 20, "sha256": "a" * 64, "filename": "ho-so.pdf", "size": 1234, "pages": 2,
               "object_key": "a" * 64, "dossier_id": 10, "received_at": AT}],
    "documents": [{"id": 30, "sha256": "b" * 64, "doc_type": "birth_certificate", "pages": [1, 2],
                   "page_count": 2, "owner_id": "001086012345", "source": "digitised", "scan_id": 20,
                   "dossier_id": 10, "confidence": 0.93, "created_at": AT}],
    "document_owners": [{"owner_id": "001086012345", "document_id": 30, "role": "subject"}],
    "document_versions": [{"id": 40, "document_id": 30, "kind": "searchable", "bucket": "digitised",
                           "object_key": "b" * 64, "sha256": "b" * 64, "size": 999, "created_at": AT}],
    "audit_log": [{"id": 50, "at": AT, "actor": "nguyenvana", "action": "ingest", "dossier_id": 10,
                   "document_id": 30, "details": {"file": "ho-so.pdf"}}],
}


def _fill(row: dict[str, object], table_columns: set[str]) -> dict[str, object]:
    missing = set(row) - table_columns
    assert not missing, f"the 0001 schema has no columns {missing}: fix the test rows"
    return row


def test_rows_written_at_0001_survive_the_upgrade_to_head(empty_db: Database) -> None:
    engine = empty_db.engine
    upgrade_engine(engine, OLDEST)
    assert current_revision(engine) == OLDEST

    old = MetaData()
    old.reflect(engine)
    with engine.begin() as conn:
        for table, rows in ROWS.items():
            columns = {c.name for c in old.tables[table].columns}
            conn.execute(old.tables[table].insert(), [_fill(r, columns) for r in rows])

    upgrade_engine(engine, "heads")  # whatever the newest revision(s) are on this branch
    assert current_revision(engine) == head_revision() != OLDEST

    new = MetaData()
    new.reflect(engine)
    with engine.connect() as conn:
        for table, rows in ROWS.items():
            found = [dict(r._mapping) for r in conn.execute(select(new.tables[table]))]
            assert len(found) == len(rows), table
            for expected, got in zip(rows, found, strict=True):
                for key, value in expected.items():
                    if isinstance(value, dt.datetime):
                        got_value = got[key]
                        assert isinstance(got_value, dt.datetime)
                        if got_value.tzinfo is None:  # SQLite keeps naive UTC
                            got_value = got_value.replace(tzinfo=dt.UTC)
                        assert got_value == value, (table, key)
                    else:
                        assert got[key] == value, (table, key)

    with Session(engine) as session:  # today's models read yesterday's rows
        document = session.get(Document, 30)
        assert document is not None and document.doc_type == "birth_certificate"
        assert [v.kind for v in document.versions] == ["searchable"]
        dossier = session.get(Dossier, 10)
        assert dossier is not None and dossier.code == "000.00.31.H12-260105-0001"
