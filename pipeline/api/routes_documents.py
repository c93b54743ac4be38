"""Dossiers, documents and their fields: read, search, and staff corrections (audited).

Corrections go through ``storage.db.records.correct_field`` (the value OCR read stays in
``original_value``; the audit log records who and when); a document-type correction is recorded
in the audit log with the previous type.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pipeline.access import dossier_agency, visible_document, visible_dossier
from pipeline.api.auth import forbidden, require_scope
from pipeline.api.context import ApiContext, get_context
from pipeline.api.errors import ApiError
from pipeline.api.paging import Page, Window50, Window100
from pipeline.api.types import DocumentId, RowIdPath, Timestamp
from pipeline.corrections import correct_checked
from pipeline.personal_data import Shown, owners_of, record_document_read, record_shown
from pipeline.principals import ALL, Principal
from pipeline.reuse import validate_owner_id
from storage.db.dossiers import audit
from storage.db.engine import read_session, run_in_transaction, run_recorded_read
from storage.db.models import (
    Agency,
    AuditEntry,
    Document,
    DocumentOwner,
    Dossier,
    DossierComponent,
    ExtractedField,
)

router = APIRouter(tags=["documents"])

DOC_TYPE_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
FIELD_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


class FieldView(BaseModel):
    key: str
    value: str | None
    confidence: float
    needs_review: bool
    reviewed: bool
    reviewed_by: str | None = None
    reviewed_at: Timestamp | None = None
    original_value: str | None = None


class VersionView(BaseModel):
    id: int
    kind: str
    bucket: str
    sha256: str
    size: int
    signed_by: str | None = None
    created_at: Timestamp


class DocumentSummary(BaseModel):
    id: DocumentId
    doc_type: str
    dossier: str | None
    pages: list[int]
    owner_id: str | None
    source: str
    confidence: float
    signed: bool = False
    needs_review: int = 0


class DocumentView(DocumentSummary):
    issue_date: date | None = None
    expiry_date: date | None = None
    owners: list[dict[str, str]] = Field(default_factory=list)
    fields: list[FieldView] = Field(default_factory=list)
    versions: list[VersionView] = Field(default_factory=list)


class DossierView(BaseModel):
    code: str
    agency: str
    procedure: str | None
    status: str
    received_at: Timestamp
    promised_date: date | None
    finished_at: Timestamp | None
    documents: list[DocumentSummary]


class FieldCorrection(BaseModel):
    value: str = Field(max_length=2000)


class DocumentCorrection(BaseModel):
    doc_type: str = Field(pattern=DOC_TYPE_PATTERN)


class HistoryEntry(BaseModel):
    at: Timestamp
    actor: str
    action: str
    details: dict[str, Any]


def _dossier_codes(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Dossier.id, Dossier.code).where(Dossier.id.in_(ids))).all())


def _summary(document: Document, dossier_code: str | None) -> DocumentSummary:
    return DocumentSummary(
        id=document.id,
        doc_type=document.doc_type,
        dossier=dossier_code,
        pages=list(document.pages or []),
        owner_id=document.owner_id,
        source=document.source,
        confidence=document.confidence,
        # a signed copy held, not the source alone: a result on its way to its signers has none yet
        signed=any(v.kind == "signed" for v in document.versions),
        needs_review=sum(1 for f in document.fields if f.needs_review),
    )


def document_view(session: Session, document: Document) -> DocumentView:
    code = _dossier_codes(session, {document.dossier_id} if document.dossier_id else set())
    summary = _summary(document, code.get(document.dossier_id) if document.dossier_id else None)
    return DocumentView(
        **summary.model_dump(),
        issue_date=document.issue_date,
        expiry_date=document.expiry_date,
        owners=[{"owner_id": o.owner_id, "role": o.role} for o in document.owners],
        fields=[FieldView.model_validate(f, from_attributes=True) for f in document.fields],
        versions=[VersionView.model_validate(v, from_attributes=True) for v in document.versions],
    )


def _agency_filter(query: Any, principal: Principal) -> Any:
    if principal.all_agencies:
        return query
    return query.join(Dossier, Dossier.id == Document.dossier_id).join(
        Agency, Agency.id == Dossier.agency_id
    ).where(Agency.code.in_(sorted(principal.agencies - {ALL})))


@router.get("/documents", response_model=Page[DocumentSummary], summary="Tìm tài liệu (search documents)")
def search_documents(
    window: Window50,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:read"))],
    dossier: Annotated[str | None, Query(max_length=64)] = None,
    owner: Annotated[str | None, Query(max_length=64)] = None,
    doc_type: Annotated[str | None, Query(pattern=DOC_TYPE_PATTERN)] = None,
) -> Page[DocumentSummary]:
    owner_id = validate_owner_id(owner) if owner is not None else None

    def work(session: Session) -> Page[DocumentSummary]:
        query = select(Document)
        if dossier is not None:
            dossier_id = session.scalar(select(Dossier.id).where(Dossier.code == dossier))
            if dossier_id is None:
                return window.page([], total=0)
            query = query.where(
                (Document.dossier_id == dossier_id)
                | Document.id.in_(
                    select(DossierComponent.document_id).where(DossierComponent.dossier_id == dossier_id)
                )
            )
        if owner_id is not None:
            query = query.where(
                Document.id.in_(select(DocumentOwner.document_id).where(DocumentOwner.owner_id == owner_id))
            )
        if doc_type is not None:
            query = query.where(Document.doc_type == doc_type)
        query = _agency_filter(query, principal)
        documents, total = window.rows(session, query.order_by(Document.id.desc()))
        codes = _dossier_codes(session, {d.dossier_id for d in documents if d.dossier_id})
        items = [_summary(d, codes.get(d.dossier_id) if d.dossier_id else None) for d in documents]
        _record_summaries(session, principal, "document.search", items, searched=owner_id)
        return window.page(items, total=total)

    return run_recorded_read(ctx.engine, work)


SUMMARY_FIELDS = frozenset({"owner_id"})  # the personal field a DocumentSummary shows


def _record_summaries(
    session: Session,
    principal: Principal,
    action: str,
    items: list[DocumentSummary],
    *,
    searched: str | None = None,
) -> None:
    """A summary shows its main owner's id number: recorded for that person (and a searched one)."""
    shown = [
        Shown(int(i.id), i.dossier, frozenset(o for o in (i.owner_id, searched) if o), SUMMARY_FIELDS)
        for i in items
    ]
    record_shown(session, principal.actor, action, shown, searched=searched)


@router.get("/documents/{document_id}", response_model=DocumentView, summary="Một tài liệu (one document)")
def get_document(
    document_id: RowIdPath,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:read"))],
) -> DocumentView:
    def work(session: Session) -> DocumentView:
        document = visible_document(session, document_id, principal)
        view = document_view(session, document)
        record_document_read(session, principal.actor, document, [f.key for f in view.fields])
        return view

    return run_recorded_read(ctx.engine, work)


@router.get("/dossiers/{code}", response_model=DossierView, summary="Một hồ sơ (one dossier)")
def get_dossier_view(
    code: Annotated[str, Path(max_length=64)],
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:read"))],
) -> DossierView:
    def work(session: Session) -> DossierView:
        dossier = visible_dossier(session, code, principal)
        ids = [c.document_id for c in dossier.components]
        documents = list(
            session.scalars(
                select(Document)
                .where((Document.dossier_id == dossier.id) | Document.id.in_(ids))
                .order_by(Document.id)
            )
        )
        summaries = [_summary(d, dossier.code if d.dossier_id == dossier.id else None) for d in documents]
        # Read in this dossier's context: every row names it, whichever dossier scanned the paper.
        shown = [
            Shown(d.id, dossier.code, frozenset({d.owner_id}), SUMMARY_FIELDS)
            for d in documents
            if d.owner_id
        ]
        record_shown(session, principal.actor, "dossier.read", shown)
        return DossierView(
            code=dossier.code,
            agency=dossier.agency.code,
            procedure=dossier.procedure.code if dossier.procedure else None,
            status=dossier.status,
            received_at=dossier.received_at,
            promised_date=dossier.promised_date,
            finished_at=dossier.finished_at,
            documents=summaries,
        )

    return run_recorded_read(ctx.engine, work)


def _staff_writer(principal: Principal) -> Principal:
    if principal.kind != "staff":
        raise forbidden()
    return principal


@router.patch(
    "/documents/{document_id}/fields/{key}",
    response_model=FieldView,
    summary="Sửa hoặc xác nhận một trường (correct or confirm a field)",
)
def patch_field(
    document_id: RowIdPath,
    key: Annotated[str, Path(pattern=FIELD_KEY_PATTERN)],
    body: FieldCorrection,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:write"))],
) -> FieldView:
    _staff_writer(principal)

    def work(session: Session) -> FieldView:
        visible_document(session, document_id, principal)
        record = correct_checked(session, document_id, key, body.value, actor=principal.actor)
        return FieldView.model_validate(record, from_attributes=True)

    return run_in_transaction(ctx.engine, work)


@router.patch(
    "/documents/{document_id}",
    response_model=DocumentView,
    summary="Sửa loại giấy tờ (correct the document type)",
)
def patch_document(
    document_id: RowIdPath,
    body: DocumentCorrection,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:write"))],
) -> DocumentView:
    _staff_writer(principal)
    from pipeline.documents.types import BY_NAME  # the registry of document types

    if body.doc_type not in BY_NAME:
        raise ApiError(422, "Loại giấy tờ không có trong danh mục (unknown document type)")

    def work(session: Session) -> DocumentView:
        document = visible_document(session, document_id, principal)
        previous = document.doc_type
        if previous != body.doc_type:
            document.doc_type = body.doc_type
            session.execute(
                update(DossierComponent)
                .where(DossierComponent.document_id == document.id, DossierComponent.doc_type == previous)
                .values(doc_type=body.doc_type)
            )
            audit(
                session,
                "document.doc_type",
                actor=principal.actor,
                dossier_id=document.dossier_id,
                document_id=document.id,
                previous=previous,
                doc_type=body.doc_type,
            )
            session.flush()
        return document_view(session, document)

    return run_in_transaction(ctx.engine, work)


@router.get(
    "/documents/{document_id}/history",
    response_model=Page[HistoryEntry],
    summary="Nhật ký của tài liệu, cũ nhất trước (audit log of a document, oldest first)",
)
def document_history(
    window: Window100,
    document_id: RowIdPath,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:read"))],
) -> Page[HistoryEntry]:
    with read_session(ctx.engine) as session:
        visible_document(session, document_id, principal)
        query = select(AuditEntry).where(AuditEntry.document_id == document_id).order_by(AuditEntry.id)
        rows, total = window.rows(session, query)
        items = [HistoryEntry(at=r.at, actor=r.actor, action=r.action, details=r.details or {}) for r in rows]
        return window.page(items, total=total)


class ReviewItem(BaseModel):
    document_id: DocumentId
    doc_type: str
    dossier: str | None
    pages: list[int]
    field: FieldView


@router.get(
    "/review",
    response_model=Page[ReviewItem],
    summary="Trường cần kiểm tra lại (fields waiting for review)",
)
def review_queue(
    window: Window100,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:write"))],
    dossier: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[ReviewItem]:
    def work(session: Session) -> Page[ReviewItem]:
        query: Any = (
            select(ExtractedField, Document)
            .join(Document, Document.id == ExtractedField.document_id)
            .where(ExtractedField.needs_review.is_(True))
        )
        if dossier is not None:
            query = query.where(
                Document.dossier_id == select(Dossier.id).where(Dossier.code == dossier).scalar_subquery()
            )
        query = _agency_filter(query, principal)
        rows, total = window.rows(session, query.order_by(Document.id, ExtractedField.id), scalars=False)
        codes = _dossier_codes(session, {d.dossier_id for _, d in rows if d.dossier_id})
        items = [
            ReviewItem(
                document_id=d.id,
                doc_type=d.doc_type,
                dossier=codes.get(d.dossier_id) if d.dossier_id else None,
                pages=list(d.pages or []),
                field=FieldView.model_validate(f, from_attributes=True),
            )
            for f, d in rows
        ]
        by_id = {d.id: d for _, d in rows}
        owners = owners_of(session, by_id.values())
        fields: dict[int, set[str]] = {}
        for f, d in rows:
            fields.setdefault(d.id, set()).add(f.key)
        shown = [
            Shown(d.id, codes.get(d.dossier_id) if d.dossier_id else None, owners[d.id], frozenset(keys))
            for d, keys in ((by_id[i], keys) for i, keys in fields.items())
        ]
        record_shown(session, principal.actor, "review.read", shown)
        return window.page(items, total=total)

    return run_recorded_read(ctx.engine, work)


class DossierListItem(BaseModel):
    code: str
    agency: str
    status: str
    received_at: Timestamp
    components: int


@router.get("/dossiers", response_model=Page[DossierListItem], summary="Danh sách hồ sơ (list dossiers)")
def list_dossiers(
    window: Window50,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:read"))],
    code: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> Page[DossierListItem]:
    with read_session(ctx.engine) as session:
        query = select(Dossier.code, Agency.code, Dossier.status, Dossier.received_at).join(
            Agency, Agency.id == Dossier.agency_id
        )
        if not principal.all_agencies:
            query = query.where(Agency.code.in_(sorted(principal.agencies - {ALL})))
        if code is not None:
            query = query.where(Dossier.code == code)
        if status is not None:
            query = query.where(Dossier.status == status)
        rows, total = window.rows(session, query.order_by(Dossier.id.desc()), scalars=False)
        counts = dict(
            session.execute(
                select(Dossier.code, func.count(DossierComponent.id))
                .join(DossierComponent, DossierComponent.dossier_id == Dossier.id)
                .where(Dossier.code.in_([r[0] for r in rows]))
                .group_by(Dossier.code)
            ).all()
        ) if rows else {}
        items = [
            DossierListItem(code=c, agency=a, status=s, received_at=r, components=counts.get(c, 0))
            for c, a, s, r in rows
        ]
        return window.page(items, total=total)


__all__ = ["dossier_agency", "router"]
