"""Every timestamp read back carries its offset, on SQLite as on PostgreSQL (the published schema)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from storage.db.api_models import ApiKey
from storage.db.engine import read_session, write_session
from storage.db.models import Agency, AuditEntry, Dossier
from tests.db.fixtures import Database


def test_timestamps_come_back_aware_in_utc(db: Database) -> None:
    hanoi = timezone(timedelta(hours=7))
    written = datetime(2026, 5, 1, 9, 30, tzinfo=hanoi)
    with write_session(db.engine) as session:
        agency = Agency(code="000.00.01.H55", name="UBND")
        session.add(agency)
        session.flush()
        session.add(Dossier(code="D-1", agency_id=agency.id, received_at=written))
        session.add(AuditEntry(actor="t", action="x"))
        session.add(ApiKey(name="k", prefix="p", key_hash="h", scopes=[], agencies=[]))
    with read_session(db.engine) as session:
        dossier = session.scalar(select(Dossier))
        assert dossier is not None
        values = [
            dossier.received_at,
            session.scalar(select(AuditEntry.at)),
            session.scalar(select(ApiKey.created_at)),
        ]
    for value in values:
        assert value is not None and value.tzinfo is not None, value
        assert value.utcoffset() == timedelta(0)
    assert values[0] == written  # the instant is kept, whatever offset it was written with
    assert values[0].isoformat().endswith("+00:00")



def test_naive_timestamp_is_taken_as_utc(db: Database) -> None:
    with write_session(db.engine) as session:
        session.add(AuditEntry(actor="t", action="x", at=datetime(2026, 5, 1, 9, 30)))
    with read_session(db.engine) as session:
        at = session.scalar(select(AuditEntry.at))
    assert at == datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
