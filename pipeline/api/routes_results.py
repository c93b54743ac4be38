"""Downstream systems fetch signed e-results: the PDF streamed, or a short-lived presigned URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from pipeline.access import visible_dossier
from pipeline.api.auth import require_scope
from pipeline.api.context import ApiContext, get_context
from pipeline.api.downloads import stream_chunks
from pipeline.api.paging import Page, Window100
from pipeline.api.types import DocumentId, RowIdPath, Timestamp
from pipeline.errors import not_found
from pipeline.principals import Principal
from storage.db.dossier_cases import DossierResult, ResultStage
from storage.db.engine import read_session
from storage.db.models import Agency, Document, DocumentVersion, Dossier, DossierComponent, VersionKind
from storage.objects.base import Bucket

router = APIRouter(prefix="/results", tags=["results"])

SMALL_RESULT = 4 * 1024 * 1024  # sent in one piece; larger results are streamed

Redirect = Annotated[
    Literal["presigned"] | None,
    Query(description="'presigned': chuyển hướng 307 tới liên kết tải có thời hạn ngắn"),
]


@dataclass(frozen=True)
class VersionRef:
    bucket: str
    key: str
    size: int
    sha256: str


def _latest_signed(session: Session, document_ids: list[int]) -> VersionRef | None:
    if not document_ids:
        return None
    version = session.scalar(
        select(DocumentVersion)
        .where(
            DocumentVersion.document_id.in_(document_ids),
            DocumentVersion.kind == VersionKind.SIGNED.value,
        )
        .order_by(DocumentVersion.created_at.desc(), DocumentVersion.id.desc())
        .limit(1)
    )
    if version is None:
        return None
    return VersionRef(version.bucket, version.object_key, version.size, version.sha256)


# A result still on its way to its signers (signed by the official, not sealed) is not served.
_NOT_ISSUED = select(DossierResult.document_id).where(DossierResult.stage != ResultStage.ISSUED.value)

_RESULT_BY_DOCUMENT = (
    select(
        Agency.code.label("agency"),
        DocumentVersion.bucket,
        DocumentVersion.object_key,
        DocumentVersion.size,
        DocumentVersion.sha256,
        DossierResult.stage,
    )
    .select_from(Document)
    .outerjoin(Dossier, Dossier.id == Document.dossier_id)
    .outerjoin(Agency, Agency.id == Dossier.agency_id)
    .outerjoin(DossierResult, DossierResult.document_id == Document.id)
    .outerjoin(
        DocumentVersion,
        and_(DocumentVersion.document_id == Document.id, DocumentVersion.kind == VersionKind.SIGNED.value),
    )
    .where(Document.id == bindparam("document_id"))
    .order_by(DocumentVersion.created_at.desc(), DocumentVersion.id.desc())
    .limit(1)
)


def _deliver(ctx: ApiContext, version: VersionRef, redirect: str | None, filename: str) -> Response:
    bucket = Bucket(version.bucket)
    if redirect == "presigned":
        url = ctx.store.presigned_get_url(
            bucket, version.key, timedelta(seconds=ctx.settings.storage.presign_seconds)
        )
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Sohoa-Sha256": version.sha256,
    }
    reader = ctx.store.open(bucket, version.key)
    if version.size <= SMALL_RESULT:
        # Most results are a few hundred KiB: one read (hash checked at its end), one response.
        with reader:
            return Response(reader.read(), media_type="application/pdf", headers=headers)
    headers["Content-Length"] = str(version.size)
    return StreamingResponse(stream_chunks(reader), media_type="application/pdf", headers=headers)


PDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "PDF đã ký"},
    307: {"description": "liên kết tải có thời hạn"},
    404: {"description": "không có / không được cấp quyền"},
}


@router.get(
    "/documents/{document_id}",
    summary="Kết quả điện tử đã ký của một tài liệu (signed e-result by document id)",
    response_class=Response,
    responses=PDF_RESPONSES,
)
def result_by_document(
    document_id: RowIdPath,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("results:read"))],
    redirect: Redirect = None,
) -> Response:
    # The hot path of downstream systems: one Core query (document, agency, newest signed copy).
    with ctx.engine.connect() as conn:
        row = conn.execute(_RESULT_BY_DOCUMENT, {"document_id": document_id}).first()
    if row is None or not principal.may_see(row.agency):
        raise not_found()
    if row.object_key is None or row.stage not in (None, ResultStage.ISSUED.value):
        raise not_found("kết quả đã ký (signed result)")
    version = VersionRef(row.bucket, row.object_key, row.size, row.sha256)
    return _deliver(ctx, version, redirect, f"{document_id}.pdf")


@router.get(
    "/dossiers/{code}",
    summary="Kết quả điện tử đã ký mới nhất của hồ sơ (latest signed e-result of a dossier)",
    response_class=Response,
    responses=PDF_RESPONSES,
)
def result_by_dossier(
    code: Annotated[str, Path(max_length=64)],
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("results:read"))],
    redirect: Redirect = None,
) -> Response:
    with read_session(ctx.engine) as session:
        dossier = visible_dossier(session, code, principal)
        ids = list(session.scalars(select(Document.id).where(Document.dossier_id == dossier.id)))
        components = select(DossierComponent.document_id).where(DossierComponent.dossier_id == dossier.id)
        ids += list(session.scalars(components))
        drafts = set(session.scalars(_NOT_ISSUED.where(DossierResult.dossier_id == dossier.id)))
        version = _latest_signed(session, sorted(set(ids) - drafts))
    if version is None:
        raise not_found("kết quả đã ký (signed result)")
    return _deliver(ctx, version, redirect, f"{code}.pdf")


class ResultItem(BaseModel):
    document_id: DocumentId
    doc_type: str
    version_id: int
    sha256: str
    size: int
    signed_by: str | None
    created_at: Timestamp
    url: str


@router.get(
    "",
    response_model=Page[ResultItem],
    summary="Danh sách kết quả đã ký của hồ sơ (signed results of a dossier)",
)
def list_results(
    window: Window100,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("results:read"))],
    dossier: Annotated[str, Query(max_length=64)],
) -> Page[ResultItem]:
    with read_session(ctx.engine) as session:
        found = visible_dossier(session, dossier, principal)
        query = (
            select(DocumentVersion, Document.doc_type)
            .join(Document, Document.id == DocumentVersion.document_id)
            .where(
                Document.dossier_id == found.id,
                DocumentVersion.kind == VersionKind.SIGNED.value,
                Document.id.not_in(_NOT_ISSUED.where(DossierResult.dossier_id == found.id)),
            )
        )
        rows, total = window.rows(session, query.order_by(DocumentVersion.id), scalars=False)
        items = [
            ResultItem(
                document_id=v.document_id,
                doc_type=doc_type,
                version_id=v.id,
                sha256=v.sha256,
                size=v.size,
                signed_by=v.signed_by,
                created_at=v.created_at,
                url=f"/api/v1/results/documents/{v.document_id}",
            )
            for v, doc_type in rows
        ]
        return window.page(items, total=total)
