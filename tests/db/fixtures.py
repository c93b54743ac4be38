"""Database fixtures shared by the db and intake tests: every test runs on SQLite and PostgreSQL.

PostgreSQL: one database per test session and xdist worker (created from the ``postgres``
maintenance database, dropped at the end), and a fresh schema per test inside it, selected with
``search_path`` in the URL, so tests never see each other's rows and the append-only audit log
never needs truncating.

The Alembic migrations run for real once per session and backend (per xdist worker); every
further test gets that result without paying Alembic's 1–2 s again: a copy of the migrated SQLite
file (SQLite's backup API), or, on PostgreSQL, the exact statements the migration sent, replayed
into the test's new schema. The tests of the migrations themselves use ``empty_db``.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text

from config.settings import Settings, load_settings
from storage.db.access_rows import AccessRow
from storage.db.engine import make_engine
from storage.db.migrate import upgrade_engine

PG_HOST = os.environ.get("SOHOA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
DB_BACKENDS = ("sqlite", "postgresql")

# For a costly test whose subject is not the database (signature levels, certificates, refusals
# decided in Python): one run, on SQLite, instead of one per backend. Whatever is
# database-specific keeps both runs (or at least one on PostgreSQL).
sqlite_only = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


@dataclass
class Database:
    backend: str
    url: str
    engine: Engine

    def settings(self, data_dir: Path, **overrides: object) -> Settings:
        return load_settings(data_dir=data_dir, database={"url": self.url}, **overrides)


def _pg_admin() -> Engine:
    return create_engine(f"{PG_HOST}/postgres", isolation_level="AUTOCOMMIT")


def _pg_available() -> bool:
    try:
        with _pg_admin().connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_database(worker_id: str) -> Iterator[str | None]:
    """The name of this worker's scratch database, or None when PostgreSQL is not running."""
    if not _pg_available():
        yield None
        return
    name = f"sohoa_test_{worker_id}_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pg_schema_url(database: str, schema: str) -> str:
    return f"{PG_HOST}/{database}?options=-csearch_path%3D{schema}"


@dataclass
class Migrated:
    """What one real migration to head left behind, for the next tests of this session."""

    template_dir: Path
    sqlite_file: Path | None = None
    pg_statements: list[tuple[str, Any]] | None = None


_MIGRATED = pytest.StashKey[Migrated]()


def _new_schema(pg_database: str) -> str:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{PG_HOST}/{pg_database}", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return schema


def _record_migration(engine: Engine, schema: str) -> list[tuple[str, Any]]:
    """Migrate ``engine`` for real and return the statements sent, to replay in another schema."""
    sent: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        assert not many and schema not in statement, statement  # replayable into any empty schema
        sent.append((statement, dict(parameters) if isinstance(parameters, dict) else parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        upgrade_engine(engine)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # The cross-process migration lock only matters between real migrations of one database.
    return [(s, p) for s, p in sent if "pg_advisory_xact_lock" not in s]


def _replay(engine: Engine, statements: list[tuple[str, Any]]) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
        raw.commit()
    finally:
        raw.close()


def _migrated_sqlite(tmp_path: Path, done: Migrated) -> Engine:
    path = tmp_path / "sohoa.db"
    if done.sqlite_file is None:
        engine = make_engine(Settings(), url=f"sqlite:///{path}")
        upgrade_engine(engine)
        engine.dispose()
        template = done.template_dir / "migrated.db"
        _sqlite_copy(path, template)
        done.sqlite_file = template
    else:
        _sqlite_copy(done.sqlite_file, path)
    return make_engine(Settings(), url=f"sqlite:///{path}")


def _sqlite_copy(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def make_database(
    backend: str,
    tmp_path: Path,
    pg_database: str | None,
    migrate: bool = True,
    done: Migrated | None = None,
) -> Iterator[Database]:
    """A fresh database of ``backend``; migrated to head unless ``migrate`` is false.

    With ``done`` (the session's :class:`Migrated`) the first call migrates for real and later
    calls start from its result.
    """
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'sohoa.db'}"
        if migrate and done is not None:
            engine = _migrated_sqlite(tmp_path, done)
        else:
            engine = make_engine(Settings(), url=url)
            if migrate:
                upgrade_engine(engine)
        yield Database(backend, url, engine)
        engine.dispose()
        return
    if pg_database is None:
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    schema = _new_schema(pg_database)
    url = pg_schema_url(pg_database, schema)
    engine = make_engine(Settings(), url=url)
    if migrate and done is not None:
        if done.pg_statements is None:
            done.pg_statements = _record_migration(engine, schema)
        else:
            _replay(engine, done.pg_statements)
    elif migrate:
        upgrade_engine(engine)
    yield Database(backend, url, engine)
    engine.dispose()


@pytest.fixture(params=DB_BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path, pg_database: str | None) -> Iterator[Database]:
    done = request.config.stash.get(_MIGRATED, None)
    if done is None:
        factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
        done = request.config.stash[_MIGRATED] = Migrated(factory.mktemp("migrated"))
    yield from make_database(request.param, tmp_path, pg_database, done=done)


@pytest.fixture(params=DB_BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path, pg_database: str | None) -> Iterator[Database]:
    """An empty database (no schema, no Alembic revision): for tests of the migrations themselves."""
    yield from make_database(request.param, tmp_path, pg_database, migrate=False)


def access_row_with_every_column(owner: str) -> AccessRow:
    """An access row with every column set: a name with marks, fields given twice and out of
    order, an id past 2^53, a time in Vietnam's offset."""
    return AccessRow(
        "staff:Nguyễn Văn Á",
        "document.page",
        owner,
        ["place_of_residence", "full_name", "full_name"],
        2,
        dossier_code="HS-2026-000123",
        legal_basis="dossier",
        legal_reference="Điều 11 Nghị định 13/2023/NĐ-CP",
        document_id=9_007_199_254_740_993,
        page=4,
        at=datetime(2026, 6, 30, 23, 59, 59, 123456, tzinfo=timezone(timedelta(hours=7))),
    )
