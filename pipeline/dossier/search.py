"""Staff search: one box for a dossier code, an id number, a name or any word of the OCR'd papers.

What is typed decides what is tried: a dossier code (or its start), a 9/12-digit id number
(the applicant's, or an owner of a document in the dossier), the applicant's name, and the
full text of the documents (``storage.db.document_text``: FTS5 on SQLite, ``tsvector`` on
PostgreSQL). Every query is limited, in the database, to the caller's agencies; hits are one
per dossier, the most specific match first. Names and text match without accents or đ
("nguyen van an" finds "Nguyễn Văn An", as does "Nguyển Văn An"); what matches as typed comes first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from pipeline.dossier.lifecycle import LABELS_VI, State
from storage.db.document_text import search_texts
from storage.db.dossier_cases import DossierCase
from storage.db.errors import BadInputError
from storage.db.models import Agency, Document, DocumentOwner, Dossier, DossierComponent, Procedure
from storage.db.text_fold import fold

MAX_QUERY = 200
CODE_LIKE = re.compile(r"^[0-9A-Za-z.]+-[0-9-]*$|^[A-Za-z][0-9A-Za-z]*\.[0-9A-Za-z.]+$")
ID_NUMBER = re.compile(r"^[0-9]{9}$|^[0-9]{10}$|^[0-9]{12}$|^[0-9]{13}$")
STATUS_LABELS = {
    "received": "Đã tiếp nhận",
    "processing": "Đang xử lý",
    "finished": "Đã có kết quả",
    "returned": "Đã trả kết quả",
    "rejected": "Từ chối giải quyết",
}


class SearchHit(BaseModel):
    code: str
    agency: str
    procedure: str | None
    procedure_name: str | None
    applicant_id: str | None
    applicant_name: str | None
    state: str
    state_label: str
    received_at: datetime
    promised_date: date | None
    matched: str  # "code" | "id_number" | "name" | "text"
    document_id: int | None = None
    snippet: str | None = None


def _contains(typed: str) -> str:
    """A LIKE pattern for ``typed`` anywhere, its wildcards escaped."""
    return "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _dossiers(agencies: frozenset[str] | None) -> Select[Dossier, DossierCase, str, Procedure]:
    query = (
        select(Dossier, DossierCase, Agency.code, Procedure)
        .join(Agency, Agency.id == Dossier.agency_id)
        .outerjoin(DossierCase, DossierCase.dossier_id == Dossier.id)
        .outerjoin(Procedure, Procedure.id == Dossier.procedure_id)
    )
    if agencies is not None:
        query = query.where(Agency.code.in_(sorted(agencies)))
    return query


def _visible_documents(agencies: frozenset[str] | None) -> Select[Any]:
    query: Select[Any] = select(Document.id).join(Dossier, Dossier.id == Document.dossier_id)
    if agencies is None:
        return query
    return query.join(Agency, Agency.id == Dossier.agency_id).where(Agency.code.in_(sorted(agencies)))


def _hit(row: tuple[Dossier, DossierCase | None, str, Procedure | None], matched: str) -> SearchHit:
    dossier, case, agency, procedure = row
    state = case.state if case is not None else dossier.status
    label = LABELS_VI[State(state)] if state in State._value2member_map_ else STATUS_LABELS.get(state, state)
    return SearchHit(
        code=dossier.code,
        agency=agency,
        procedure=procedure.code if procedure else None,
        procedure_name=procedure.name if procedure else None,
        applicant_id=case.applicant_id if case else None,
        applicant_name=case.applicant_name if case else None,
        state=state,
        state_label=label,
        received_at=dossier.received_at,
        promised_date=dossier.promised_date,
        matched=matched,
    )


def search_dossiers(
    session: Session, query: str, *, agencies: frozenset[str] | None, limit: int = 20
) -> list[SearchHit]:
    """Dossiers matching ``query`` that ``agencies`` may see (None: every agency)."""
    text = " ".join(query.split())
    if len(text) > MAX_QUERY:
        raise BadInputError("Chuỗi tìm kiếm quá dài (query longer than 200 characters)")
    if not text:
        return []
    hits: dict[str, SearchHit] = {}

    def add(rows: Sequence[Any], matched: str) -> None:
        for row in rows:
            if len(hits) >= limit:
                return
            hits.setdefault(row[0].code, _hit(tuple(row), matched))  # type: ignore[arg-type]

    base = _dossiers(agencies)
    newest = (Dossier.id.desc(),)
    compact = text.replace(" ", "")
    if CODE_LIKE.match(compact):
        code = compact.upper()
        add(list(session.execute(base.where(Dossier.code == code)).all()), "code")
        pattern = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        add(
            list(
                session.execute(
                    base.where(Dossier.code.like(pattern, escape="\\")).order_by(*newest).limit(limit)
                ).all()
            ),
            "code",
        )
    if ID_NUMBER.match(compact):
        owned = (
            select(Document.dossier_id)
            .join(DocumentOwner, DocumentOwner.document_id == Document.id)
            .where(DocumentOwner.owner_id == compact, Document.dossier_id.is_not(None))
        )
        reused = (
            select(DossierComponent.dossier_id)
            .join(DocumentOwner, DocumentOwner.document_id == DossierComponent.document_id)
            .where(DocumentOwner.owner_id == compact)
        )
        add(
            list(
                session.execute(
                    base.where(
                        or_(
                            DossierCase.applicant_id == compact, Dossier.id.in_(owned), Dossier.id.in_(reused)
                        )
                    )
                    .order_by(*newest)
                    .limit(limit)
                ).all()
            ),
            "id_number",
        )
    if any(ch.isalpha() for ch in text):
        # The name as typed first (exact accents rank first), then without accents or đ.
        for column, typed in (
            (DossierCase.applicant_name, text),
            (DossierCase.applicant_name_folded, fold(text)),
        ):
            if len(hits) >= limit:
                break
            add(
                list(
                    session.execute(
                        base.where(column.ilike(_contains(typed), escape="\\")).order_by(*newest).limit(limit)
                    ).all()
                ),
                "name",
            )
    if len(hits) < limit:
        found = search_texts(session, text, document_ids=_visible_documents(agencies), limit=limit * 3)
        owners: dict[int, int | None] = {
            document_id: dossier_id
            for document_id, dossier_id in session.execute(
                select(Document.id, Document.dossier_id).where(
                    Document.id.in_([f.document_id for f in found]), Document.dossier_id.is_not(None)
                )
            ).all()
        }
        rows = (
            {
                row[0].id: row
                for row in session.execute(base.where(Dossier.id.in_(set(owners.values())))).all()
            }
            if owners
            else {}
        )
        for item in found:
            row = rows.get(owners.get(item.document_id) or 0)
            if len(hits) >= limit:
                break
            if row is None or row[0].code in hits:
                continue
            hit = _hit(tuple(row), "text")  # type: ignore[arg-type]
            hit.document_id, hit.snippet = item.document_id, item.snippet
            hits[hit.code] = hit
    return list(hits.values())
