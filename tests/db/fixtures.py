"""Database fixtures shared by the db and intake tests: every test runs on SQLite and PostgreSQL.

PostgreSQL: one database per test session and xdist worker (created from the ``postgres``
maintenance database, dropped at the end), and a fresh schema per test inside it, selected with
``search_path`` in the URL, so tests never see each other's rows and the append-only audit log
never needs truncating.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from config.settings import Settings, load_settings
from storage.db.engine import make_engine
from storage.db.migrate import upgrade_engine

PG_HOST = os.environ.get("SOHOA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
DB_BACKENDS = ("sqlite", "postgresql")


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


def make_database(
    backend: str, tmp_path: Path, pg_database: str | None, migrate: bool = True
) -> Iterator[Database]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'sohoa.db'}"
        engine = make_engine(Settings(), url=url)
        if migrate:
            upgrade_engine(engine)
        yield Database(backend, url, engine)
        engine.dispose()
        return
    if pg_database is None:
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with create_engine(f"{PG_HOST}/{pg_database}", isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = pg_schema_url(pg_database, schema)
    engine = make_engine(Settings(), url=url)
    if migrate:
        upgrade_engine(engine)
    yield Database(backend, url, engine)
    engine.dispose()


@pytest.fixture(params=DB_BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path, pg_database: str | None) -> Iterator[Database]:
    yield from make_database(request.param, tmp_path, pg_database)


@pytest.fixture(params=DB_BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path, pg_database: str | None) -> Iterator[Database]:
    """An empty database (no schema, no Alembic revision): for tests of the migrations themselves."""
    yield from make_database(request.param, tmp_path, pg_database, migrate=False)
