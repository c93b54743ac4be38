"""document texts and their full-text index

Revision ID: 0830
Revises: 0210
Written by hand: the OCR text of each document and the database's own full-text index on it
(SQLite FTS5 external-content table kept in step by triggers; PostgreSQL GIN index on
to_tsvector('simple', body)). Intake writes the text of each new document; documents digitised
before this revision get theirs from `sohoa db reindex-text` (a migration does not read the store).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0830'
down_revision: str | None = '0210'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE fts_document_texts USING fts5("
    "body, content='document_texts', content_rowid='document_id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER fts_document_texts_ai AFTER INSERT ON document_texts BEGIN "
    "INSERT INTO fts_document_texts(rowid, body) VALUES (new.document_id, new.body); END",
    "CREATE TRIGGER fts_document_texts_ad AFTER DELETE ON document_texts BEGIN "
    "INSERT INTO fts_document_texts(fts_document_texts, rowid, body) "
    "VALUES ('delete', old.document_id, old.body); END",
    "CREATE TRIGGER fts_document_texts_au AFTER UPDATE ON document_texts BEGIN "
    "INSERT INTO fts_document_texts(fts_document_texts, rowid, body) "
    "VALUES ('delete', old.document_id, old.body); "
    "INSERT INTO fts_document_texts(rowid, body) VALUES (new.document_id, new.body); END",
)


def upgrade() -> None:
    op.create_table(
        'document_texts',
        sa.Column('document_id', BigId, nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ['document_id'], ['documents.id'],
            name=op.f('fk_document_texts_document_id_documents'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('document_id', name=op.f('pk_document_texts')),
    )
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        op.execute(
            "CREATE INDEX ix_document_texts_fts ON document_texts "
            "USING gin (to_tsvector('simple', body))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("fts_document_texts_ai", "fts_document_texts_ad", "fts_document_texts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS fts_document_texts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_document_texts_fts")
    op.drop_table('document_texts')
