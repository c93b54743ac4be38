"""0880: the version kind's check constraint takes ``staged`` and still refuses anything else;
the downgrade removes staged versions (and the queue's pointers to them) and restores the old
constraint, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import Engine, MetaData, select
from sqlalchemy.exc import IntegrityError

from storage.db.migrate import alembic_config, upgrade_engine
from tests.db.fixtures import Database

DIGEST = "a" * 64
AT = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def _insert_version(engine: Engine, id_: int, kind: str) -> None:
    meta = MetaData()
    meta.reflect(engine, only=["document_versions"])
    with engine.begin() as conn:
        conn.execute(
            meta.tables["document_versions"].insert(),
            [
                {
                    "id": id_,
                    "document_id": 1,
                    "kind": kind,
                    "bucket": "digitised",
                    "object_key": f"{id_:064d}",
                    "sha256": DIGEST,
                    "size": 1,
                    "created_at": AT,
                }
            ],
        )


def _kinds(engine: Engine) -> list[str]:
    meta = MetaData()
    meta.reflect(engine, only=["document_versions"])
    table = meta.tables["document_versions"]
    with engine.connect() as conn:
        return list(conn.scalars(select(table.c.kind).order_by(table.c.id)))


def test_staged_kind_allowed_then_removed_by_the_downgrade(empty_db: Database) -> None:
    engine = empty_db.engine
    upgrade_engine(engine, "0880")
    meta = MetaData()
    meta.reflect(engine, only=["documents"])
    with engine.begin() as conn:
        conn.execute(
            meta.tables["documents"].insert(),
            [
                {
                    "id": 1,
                    "sha256": DIGEST,
                    "doc_type": "result",
                    "pages": [],
                    "page_count": 0,
                    "source": "signed",
                    "confidence": 1.0,
                    "created_at": AT,
                }
            ],
        )
    _insert_version(engine, 1, "original")
    _insert_version(engine, 2, "staged")
    with pytest.raises(IntegrityError):
        _insert_version(engine, 3, "draft")  # the constraint is still there
    assert _kinds(engine) == ["original", "staged"]

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0870")
    assert _kinds(engine) == ["original"]
    with pytest.raises(IntegrityError):
        _insert_version(engine, 4, "staged")
    upgrade_engine(engine)
