"""Running the Alembic migrations from code, so the CLI brings a fresh database up to date itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from config.settings import Settings
from storage.db.engine import make_engine
from storage.db.errors import DatabaseError
from storage.db.registry import metadata

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine``; a no-op when it is already at ``revision``."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def upgrade_database(settings: Settings, engine: Engine | None = None) -> Engine:
    """Bring the configured database to the latest schema and return an engine on it."""
    engine = engine or make_engine(settings)
    try:
        upgrade_engine(engine)
    except OperationalError as exc:
        raise DatabaseError(
            f"Không mở được cơ sở dữ liệu (cannot open the database): {type(exc.orig).__name__}"
        ) from exc
    return engine


def _described(name: str | None, type_: str, _parents: Any) -> bool:
    """The full-text index objects (FTS5 tables, the GIN index) are the migration's, not models'."""
    from storage.db.document_text import is_index_object

    return not (type_ in ("table", "index") and is_index_object(name))


def schema_differences(engine: Engine) -> list[Any]:
    """What Alembic would still have to change to match the models: empty when in step."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "target_metadata": metadata(), "include_name": _described},
        )
        return list(compare_metadata(context, metadata()))
