"""The OCR text of each document, kept so staff can find a dossier by any word of its papers.

One row per document (``document_texts``). The full-text index is the database's own:
SQLite FTS5 (an external-content table ``fts_document_texts`` kept in step by triggers, the
``unicode61`` tokenizer folds case and strips diacritics, so "nguyen" finds "Nguyễn"), and on
PostgreSQL a GIN index on ``to_tsvector('simple', body)`` ('simple': no stemming, right for
Vietnamese, whose words are syllables). Both are created by migration 0830; they are not in the
models' metadata, so the schema check skips them by name (``INDEX_OBJECTS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, Text, column, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db.base import Base
from storage.db.models import DocumentVersion, VersionKind

BigRef = BigInteger().with_variant(Integer(), "sqlite")
MAX_TEXT = 200_000  # characters kept per document (a 50-page land file is ~150 000)
MAX_QUERY = 200
FTS_TABLE = "fts_document_texts"
PG_INDEX = "ix_document_texts_fts"
# Database objects of the full-text index that the models do not describe.
INDEX_OBJECTS = (FTS_TABLE, PG_INDEX)
_WORD = re.compile(r"\w+", re.UNICODE)


class DocumentText(Base):
    __tablename__ = "document_texts"

    document_id: Mapped[int] = mapped_column(
        BigRef, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[str] = mapped_column(Text)


def is_index_object(name: str | None) -> bool:
    """True for the FTS5 table, its shadow tables and the PostgreSQL GIN index."""
    return bool(name) and any(str(name).startswith(prefix) for prefix in INDEX_OBJECTS)


def store_text(session: Session, document_id: int, body: str | None) -> None:
    """Keep the OCR text of a document (flush only); empty text keeps nothing."""
    body = (body or "").strip()[:MAX_TEXT]
    if not body:
        return
    existing = session.get(DocumentText, document_id)
    if existing is None:
        session.add(DocumentText(document_id=document_id, body=body))
    else:
        existing.body = body
    session.flush()


def untexted_documents(session: Session, *, after_id: int, limit: int) -> list[tuple[int, str, str]]:
    """(document id, bucket, key) of searchable copies whose document has no text yet, by id."""
    rows = session.execute(
        select(DocumentVersion.document_id, DocumentVersion.bucket, DocumentVersion.object_key)
        .outerjoin(DocumentText, DocumentText.document_id == DocumentVersion.document_id)
        .where(
            DocumentVersion.kind == VersionKind.SEARCHABLE.value,
            DocumentVersion.document_id > after_id,
            DocumentText.document_id.is_(None),
        )
        .order_by(DocumentVersion.document_id, DocumentVersion.id)
        .limit(limit)
    )
    return [(int(d), str(b), str(k)) for d, b, k in rows]


def query_words(query: str) -> list[str]:
    """The words of a typed query; punctuation and FTS operators never reach the index."""
    return _WORD.findall(query[:MAX_QUERY])[:12]


@dataclass(frozen=True)
class TextHit:
    document_id: int
    snippet: str


def search_texts(session: Session, query: str, *, document_ids: Any = None, limit: int = 50) -> list[TextHit]:
    """Documents whose text holds every word of ``query``, best first, with a short snippet.

    ``document_ids``: an optional SQL subquery of document ids the caller may see, applied in
    the database so the limit counts only visible hits.
    """
    words = query_words(query)
    if not words:
        return []
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        # Each word quoted: a phrase of one token, implicit AND between them.
        q = " ".join(f'"{w}"' for w in words)
        sql = (
            f"SELECT rowid AS document_id, snippet({FTS_TABLE}, 0, '[', ']', '…', 12) AS snippet, "
            f"rank AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q"
        )
    else:
        q = " ".join(words)
        sql = (
            "SELECT document_id, ts_headline('simple', body, plainto_tsquery('simple', :q), "
            "'StartSel=[,StopSel=],MaxWords=14,MinWords=6') AS snippet, "
            "-ts_rank(to_tsvector('simple', body), plainto_tsquery('simple', :q)) AS score "
            "FROM document_texts WHERE to_tsvector('simple', body) @@ plainto_tsquery('simple', :q)"
        )
    hits = (
        text(sql)
        .bindparams(q=q)
        .columns(column("document_id", Integer), column("snippet", Text), column("score", Float))
        .subquery("hits")
    )
    found = select(hits.c.document_id, hits.c.snippet)
    if document_ids is not None:
        found = found.where(hits.c.document_id.in_(document_ids))
    found = found.order_by(hits.c.score, hits.c.document_id.desc()).limit(limit)
    return [TextHit(int(r.document_id), str(r.snippet or "")) for r in session.execute(found)]
