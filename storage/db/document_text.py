"""The OCR text of each document, kept so staff can find a dossier by any word of its papers.

One row per document (``document_texts``). The full-text index is the database's own:
SQLite FTS5 (an external-content table ``fts_document_texts`` kept in step by triggers, the
``unicode61`` tokenizer folds case and strips diacritics, so "nguyen" finds "Nguyễn"; it keeps
đ, so a query word with d is also asked with đ), and on PostgreSQL a GIN index on
``to_tsvector('simple', sohoa_fold(body))`` (migration 0870; 'simple': no stemming, right for
Vietnamese, whose words are syllables; ``sohoa_fold`` is ``storage.db.text_fold.fold``). They are
not in the models' metadata, so the schema check skips them by name (``INDEX_OBJECTS``).

Hits are ranked by the index, then those holding the query's words with the accents as typed
come first; the snippet is cut from the text around the first folded match, in its own accents.
Both look at the first ``SCAN_CHARS`` characters of each hit only (a long land file matched
further in gets its opening lines as snippet and ranks as not typed-alike).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, Text, column, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db.base import Base
from storage.db.models import DocumentVersion, VersionKind
from storage.db.text_fold import fold, has_marks

BigRef = BigInteger().with_variant(Integer(), "sqlite")
MAX_TEXT = 200_000  # characters kept per document (a 50-page land file is ~150 000)
MAX_QUERY = 200
FTS_TABLE = "fts_document_texts"
PG_INDEX = "ix_document_texts_fold"
# Database objects of the full-text index that the models do not describe (0830's index too,
# for a database between the two revisions).
INDEX_OBJECTS = (FTS_TABLE, PG_INDEX, "ix_document_texts_fts")
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_D_VARIANTS = 9  # d/đ/ð spellings asked per query word on SQLite (Vietnamese has one d at most)
SNIPPET_BEFORE, SNIPPET_AFTER = 60, 140  # characters of context around the first match
# Characters of each hit read back for its snippet and the accents-as-typed check: bounds the
# Python work per hit (folding costs ~35 ns a character) whatever the document's length.
SCAN_CHARS = 20_000


class DocumentText(Base):
    __tablename__ = "document_texts"

    document_id: Mapped[int] = mapped_column(
        BigRef, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[str] = mapped_column(Text)


def is_index_object(name: str | None) -> bool:
    """True for the FTS5 table, its shadow tables and the PostgreSQL GIN index."""
    return bool(name) and any(str(name).startswith(prefix) for prefix in INDEX_OBJECTS)


def add_new_text(session: Session, document_id: int, body: str | None) -> None:
    """The OCR text of a document just inserted (nothing to replace): added, flushed with the rest."""
    body = (body or "").strip()[:MAX_TEXT]
    if body:
        session.add(DocumentText(document_id=document_id, body=body))


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


def _fts_word(folded: str) -> str:
    """One FTS5 term for a folded word: each d may stand for đ (or the eth ð that old encodings
    put for it), which unicode61 does not fold."""
    spots = [i for i, ch in enumerate(folded) if ch == "d"]
    variants = []
    for choice in itertools.islice(itertools.product("dđð", repeat=len(spots)), MAX_D_VARIANTS):
        chars = list(folded)
        for spot, ch in zip(spots, choice, strict=True):
            chars[spot] = ch
        variants.append('"' + "".join(chars) + '"')
    return variants[0] if len(variants) == 1 else "(" + " OR ".join(variants) + ")"


@dataclass(frozen=True)
class TextHit:
    document_id: int
    snippet: str


def _folded_view(body: str) -> tuple[str, str]:
    """(text to show, its folding) of equal length, so a match in one is a place in the other."""
    shown = unicodedata.normalize("NFC", body)
    folded = fold(shown)
    if len(folded) != len(shown):  # a mark that composes with nothing: drop it from the view
        shown = "".join(ch for ch in shown if not unicodedata.combining(ch))
        folded = fold(shown)
    return shown, folded


def _pattern(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


def snippet(body: str, folded_words: list[str]) -> str:
    """A short passage around the first match, matched words in [brackets], accents as stored."""
    shown, folded = _folded_view(body)
    if len(folded) != len(shown) or not folded_words:
        return shown[: SNIPPET_BEFORE + SNIPPET_AFTER]
    pattern = _pattern(folded_words)
    first = pattern.search(folded)
    at = first.start() if first else 0
    start, end = max(0, at - SNIPPET_BEFORE), min(len(shown), at + SNIPPET_AFTER)
    while start > 0 and not shown[start - 1].isspace() and at - start < SNIPPET_BEFORE + 20:
        start -= 1
    while end < len(shown) and not shown[end].isspace() and end - at < SNIPPET_AFTER + 20:
        end += 1
    parts, last = [], start
    for match in pattern.finditer(folded, start, end):
        parts += [shown[last : match.start()], "[", shown[match.start() : match.end()], "]"]
        last = match.end()
    parts.append(shown[last:end])
    text_out = " ".join("".join(parts).split())
    return ("…" if start > 0 else "") + text_out + ("…" if end < len(shown) else "")


def _has_word(haystack: str, word: str) -> bool:
    """``word`` occurs in ``haystack`` as a whole word (str.find: much faster than a regex)."""
    at = haystack.find(word)
    while at >= 0:
        end = at + len(word)
        starts = at == 0 or not haystack[at - 1].isalnum()
        if starts and (end == len(haystack) or not haystack[end].isalnum()):
            return True
        at = haystack.find(word, at + 1)
    return False


def _as_typed(body: str, words: list[str]) -> bool:
    """Every typed word is in the text with the accents it was typed with (any case)."""
    shown = unicodedata.normalize("NFC", body).casefold()
    return all(_has_word(shown, unicodedata.normalize("NFC", w).casefold()) for w in words)


def search_texts(session: Session, query: str, *, document_ids: Any = None, limit: int = 50) -> list[TextHit]:
    """Documents whose text holds every word of ``query`` (accents and đ ignored), best first.

    ``document_ids``: an optional SQL subquery of document ids the caller may see, applied in
    the database so the limit counts only visible hits.
    """
    words = query_words(query)
    folded = [f for f in (fold(w) for w in words) if f]
    if not folded:
        return []
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        q = " AND ".join(_fts_word(w) for w in folded)
        sql = f"SELECT rowid AS document_id, rank AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q"
    else:
        q = " ".join(folded)
        sql = (
            "SELECT document_id, "
            "-ts_rank(to_tsvector('simple', sohoa_fold(body)), plainto_tsquery('simple', sohoa_fold(:q))) "
            "AS score FROM document_texts "
            "WHERE to_tsvector('simple', sohoa_fold(body)) @@ plainto_tsquery('simple', sohoa_fold(:q))"
        )
    hits = (
        text(sql)
        .bindparams(q=q)
        .columns(column("document_id", Integer), column("score", Float))
        .subquery("hits")
    )
    found = select(hits.c.document_id)
    if document_ids is not None:
        found = found.where(hits.c.document_id.in_(document_ids))
    found = found.order_by(hits.c.score, hits.c.document_id.desc()).limit(limit)
    ranked = [int(d) for d in session.scalars(found)]
    if not ranked:
        return []
    head = func.substr(DocumentText.body, 1, SCAN_CHARS)
    bodies: dict[int, str] = {
        int(d): str(b)
        for d, b in session.execute(
            select(DocumentText.document_id, head).where(DocumentText.document_id.in_(ranked))
        )
    }
    if has_marks(" ".join(words)):  # typed with accents: the documents spelled that way first
        exact = {d for d in ranked if _as_typed(bodies.get(d, ""), words)}
        ranked.sort(key=lambda d: d not in exact)  # stable: index order within each group
    return [TextHit(d, snippet(bodies.get(d, ""), folded)) for d in ranked]
