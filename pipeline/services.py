"""The one start-up point: settings → database → object store (→ task queue) for every entry point.

Every command and the API open their services here, so "who migrates" is decided in one place:
``sohoa db upgrade`` (and, on the embedded default, the write commands ``ingest`` and ``watch``)
pass ``migrate=True``; ``serve``, ``worker`` and the read-only commands (``lookup``, ``report``,
``export``) pass ``check_schema=True`` and refuse to start on a database that is behind the code,
rather than changing a production schema as a side effect of a query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from config.errors import ExitCode, SohoaError
from config.settings import Settings
from pipeline.dossier.catalogue import ensure_default_catalogue
from storage.db.engine import make_engine, run_in_transaction
from storage.db.errors import DatabaseError
from storage.db.migrate import current_revision, head_revision, upgrade_database
from storage.objects.base import ObjectStore
from storage.objects.factory import open_object_store


class SchemaOutOfDateError(SohoaError):
    """The database schema is not the one this code expects; ``sohoa db upgrade`` fixes it."""

    exit_code = ExitCode.DATABASE


@dataclass
class Services:
    """What the workflow needs to run: nothing global beyond these."""

    settings: Settings
    engine: Engine
    store: ObjectStore
    # The distributed task queue (Celery) once configured; None runs everything in-process.
    queue: Any | None = None

    def close(self) -> None:
        self.engine.dispose()


def check_schema_current(engine: Engine) -> None:
    """Refuse, with the command that fixes it, unless the database is at the code's head revision."""
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"Không mở được cơ sở dữ liệu (cannot open the database): {type(exc).__name__}"
        ) from None
    head = head_revision()
    if current != head:
        raise SchemaOutOfDateError(
            f"Cơ sở dữ liệu chưa được nâng cấp (database schema {current or 'empty'} is not {head}): "
            "chạy sohoa db upgrade (run sohoa db upgrade first)"
        )


def upgrade(settings: Settings, engine: Engine | None = None) -> Engine:
    """Migrate to the latest schema and import the shipped procedure catalogue: ``sohoa db upgrade``.

    The catalogue is data (``pipeline/dossier/data/procedures.json``), imported by the same code
    as ``sohoa procedures import``; procedures already imported are left as they are.
    """
    engine = upgrade_database(settings, engine)
    run_in_transaction(engine, ensure_default_catalogue)
    return engine


def open_database(
    settings: Settings, *, migrate: bool = False, check_schema: bool = True, engine: Engine | None = None
) -> Engine:
    """The database alone (for the read-only commands): migrated, checked, or neither."""
    if migrate:
        return upgrade(settings, engine)
    owned = engine is None
    engine = engine or make_engine(settings)
    if check_schema:
        try:
            check_schema_current(engine)
        except SohoaError:
            if owned:
                engine.dispose()
            raise
    return engine


def open_services(
    settings: Settings,
    *,
    migrate: bool = False,
    check_schema: bool = True,
    engine: Engine | None = None,
    store: ObjectStore | None = None,
    queue: Any | None = None,
) -> Services:
    """Build the services; ``migrate`` upgrades the schema, else ``check_schema`` refuses a stale one.

    With ``SOHOA_QUEUE__BROKER_URL`` set the queue is the Celery application (it connects to the
    broker on first use); unset, ``queue`` stays None and the caller runs jobs in-process.
    """
    engine = open_database(settings, migrate=migrate, check_schema=check_schema, engine=engine)
    store = store or open_object_store(settings)
    store.ensure_buckets()
    if queue is None and settings.queue.broker_url:
        from pipeline.tasks.app import make_celery

        queue = make_celery(settings)
    return Services(settings=settings, engine=engine, store=store, queue=queue)
