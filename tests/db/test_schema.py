"""The migrations build exactly the models' schema, and the audit log refuses changes."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from storage.db.dossiers import audit
from storage.db.engine import write_session
from storage.db.migrate import current_revision, head_revision, schema_differences, upgrade_engine
from storage.db.registry import metadata
from tests.db.fixtures import Database


def test_migrations_match_models(db: Database) -> None:
    assert current_revision(db.engine) == head_revision()
    assert schema_differences(db.engine) == []
    tables = set(inspect(db.engine).get_table_names())
    assert set(metadata().tables) <= tables


def test_upgrade_is_idempotent(db: Database) -> None:
    upgrade_engine(db.engine)
    upgrade_engine(db.engine)
    assert current_revision(db.engine) == head_revision()


def test_lookup_indexes_exist(db: Database) -> None:
    inspector = inspect(db.engine)
    pk = inspector.get_pk_constraint("document_owners")
    assert pk["constrained_columns"][0] == "owner_id"
    uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("extracted_fields")}
    assert ("document_id", "key") in uniques


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"])
def test_audit_log_is_append_only(db: Database, statement: str) -> None:
    with write_session(db.engine) as session:
        audit(session, "test.action", actor="clerk")
    with pytest.raises(DBAPIError, match="append-only"), write_session(db.engine) as session:
        session.execute(text(statement))
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT actor, action FROM audit_log")).all()
    assert [tuple(r) for r in rows] == [("clerk", "test.action")]


def test_audit_log_truncate_refused_on_postgres(db: Database) -> None:
    if db.backend != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    with write_session(db.engine) as session:
        audit(session, "test.action", actor="clerk")
    with pytest.raises(DBAPIError, match="append-only"), write_session(db.engine) as session:
        session.execute(text("TRUNCATE audit_log"))


def test_sqlite_pragmas(db: Database) -> None:
    if db.backend != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_certification_acts_are_append_only(db: Database) -> None:
    with write_session(db.engine) as session:
        session.execute(
            text(
                "INSERT INTO certification_books (code, year, number_suffix, last_number, created_at) "
                "VALUES ('01/2026-SCT/BS', 2026, 'ĐT', 1, CURRENT_TIMESTAMP)"
            )
        )
        session.execute(
            text(
                "INSERT INTO certification_acts (book_id, year, number, certified_on, document_sha256, "
                "document_name, requester, official, created_at) VALUES ((SELECT id FROM "
                "certification_books), 2026, 1, CURRENT_DATE, :h, 'x.pdf', 'r', 'o', CURRENT_TIMESTAMP)"
            ),
            {"h": "0" * 64},
        )
    with pytest.raises(DBAPIError, match="append-only"), write_session(db.engine) as session:
        session.execute(text("UPDATE certification_acts SET number = 2"))


def test_downgrade_to_base_and_back(db: Database) -> None:
    from alembic import command

    from storage.db.migrate import alembic_config

    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade_engine(db.engine)
    assert schema_differences(db.engine) == []
