"""The staff page's dossier workflow over HTTP: catalogue, dossier case, reuse, transitions,
receipt slip, a document's PDF and search. Each route is one call into ``pipeline.dossier``
(the same functions ``sohoa dossier …`` runs); access is the caller's agencies.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pipeline.access import visible_document, visible_dossier
from pipeline.api.auth import forbidden, require_scope
from pipeline.api.context import ApiContext, get_context
from pipeline.api.errors import ApiError
from pipeline.api.types import RowIdPath
from pipeline.dossier.catalogue import ensure_default_catalogue
from pipeline.dossier.lifecycle import State, transition
from pipeline.dossier.receive import DossierView, dossier_view, reuse_components
from pipeline.dossier.search import SearchHit, search_dossiers
from pipeline.principals import ALL, Principal
from storage.db.engine import read_session, run_in_transaction
from storage.db.models import Procedure, VersionKind
from storage.objects.base import Bucket

router = APIRouter(tags=["dossiers"])

Code = Annotated[str, Path(max_length=64)]
# The copy a clerk opens: the signed one if any, else the searchable PDF, else the scan itself.
PDF_SOURCES = (VersionKind.SIGNED.value, VersionKind.SEARCHABLE.value, VersionKind.ORIGINAL.value)
MAX_INLINE = 64 * 1024 * 1024


class ComponentOut(BaseModel):
    doc_type: str
    label: str | None
    original_required: bool


class ProcedureOut(BaseModel):
    code: str
    name: str
    level: int | None
    processing_days: int | None
    fee_vnd: int | None
    components: list[ComponentOut]


class ReuseBody(BaseModel):
    components: list[str] = Field(
        default_factory=list, max_length=50, description="loại giấy tờ; rỗng: tất cả"
    )


class TransitionBody(BaseModel):
    state: Literal["processing", "supplement_requested", "finished", "returned", "rejected", "withdrawn"]
    reason: str | None = Field(None, max_length=1000)


class SearchResult(BaseModel):
    query: str
    items: list[SearchHit]


def _staff(principal: Principal) -> Principal:
    if principal.kind != "staff":
        raise forbidden()
    return principal


def _catalogue(ctx: ApiContext) -> None:
    if not ctx.extras.get("catalogue_ready"):  # the shipped procedures, completed once per process
        run_in_transaction(ctx.engine, ensure_default_catalogue)
        ctx.extras["catalogue_ready"] = True


def _view(ctx: ApiContext, code: str, principal: Principal) -> DossierView:
    with read_session(ctx.engine) as session:
        visible_dossier(session, code, principal)
        return dossier_view(session, code)


@router.get(
    "/procedures", response_model=list[ProcedureOut], summary="Danh mục thủ tục (procedure catalogue)"
)
def list_procedures(
    ctx: Annotated[ApiContext, Depends(get_context)],
    _principal: Annotated[Principal, Depends(require_scope("documents:read"))],
) -> list[ProcedureOut]:
    _catalogue(ctx)
    with read_session(ctx.engine) as session:
        rows = session.scalars(
            select(Procedure).options(selectinload(Procedure.requirements)).order_by(Procedure.code)
        )
        return [
            ProcedureOut(
                code=p.code,
                name=p.name,
                level=p.level,
                processing_days=p.processing_days,
                fee_vnd=p.fee_vnd,
                components=[
                    ComponentOut(doc_type=r.doc_type, label=r.label, original_required=r.original_required)
                    for r in p.requirements
                ],
            )
            for p in rows
        ]


@router.get(
    "/dossiers/{code}/case",
    response_model=DossierView,
    summary="Hồ sơ một cửa: thành phần, trạng thái, lịch sử (dossier case with timeline)",
)
def get_case_view(
    code: Code,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:read"))],
) -> DossierView:
    return _view(ctx, code, principal)


@router.post(
    "/dossiers/{code}/reuse",
    response_model=DossierView,
    summary="Dùng lại giấy tờ đã có cho hồ sơ (confirm reuse of held documents)",
)
def post_reuse(
    code: Code,
    body: ReuseBody,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("intake"))],
) -> DossierView:
    _staff(principal)

    def work(session: Session) -> None:
        visible_dossier(session, code, principal)
        reuse_components(session, code, body.components or None, actor=principal.actor)

    run_in_transaction(ctx.engine, work)
    return _view(ctx, code, principal)


@router.post(
    "/dossiers/{code}/transitions",
    response_model=DossierView,
    summary="Chuyển trạng thái hồ sơ: xử lý, yêu cầu bổ sung, có kết quả, trả, từ chối (transition)",
)
def post_transition(
    code: Code,
    body: TransitionBody,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:write"))],
) -> DossierView:
    _staff(principal)

    def work(session: Session) -> None:
        visible_dossier(session, code, principal)
        transition(session, code, State(body.state), actor=principal.actor, reason=body.reason)

    run_in_transaction(ctx.engine, work)
    return _view(ctx, code, principal)


@router.get(
    "/dossiers/{code}/slip.pdf",
    summary="Giấy tiếp nhận hồ sơ và hẹn trả kết quả (receipt slip PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_slip(
    code: Code,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("intake"))],
    download: bool = False,
) -> Response:
    from pipeline.dossier.slip import render_slip
    from signing.pades import check_organisation

    view = _view(ctx, code, principal)
    organisation = check_organisation(ctx.settings.signing.organisation or view.agency_name or "")
    if not organisation:
        raise ApiError(
            409,
            "Chưa có tên cơ quan để in giấy tiếp nhận: đặt SOHOA_SIGNING__ORGANISATION "
            "(organisation unknown)",
        )
    data = render_slip(
        view, organisation=organisation, base_url=ctx.settings.api.base_url, font=ctx.settings.signing.font
    )
    disposition = "attachment" if download else "inline"
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'{disposition}; filename="giay-hen-{code}.pdf"'},
    )


@router.get(
    "/documents/{document_id}/pdf",
    summary="Bản PDF của tài liệu để xem hoặc tải về (document PDF: signed, searchable or scan)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, 404: {"description": "không có bản lưu"}},
)
def get_document_pdf(
    document_id: RowIdPath,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:read"))],
    download: bool = False,
) -> Response:
    with read_session(ctx.engine) as session:
        document = visible_document(session, document_id, principal)
        versions = {v.kind: v for v in document.versions}
        source = next((versions[k] for k in PDF_SOURCES if k in versions), None)
        if source is None:
            raise ApiError(404, "Tài liệu chưa có bản lưu (no stored copy)")
        bucket, key, size = source.bucket, source.object_key, source.size
    if size > MAX_INLINE:
        raise ApiError(413, "Tài liệu quá lớn để xem trên trang (too large): dùng sohoa export")
    stat = ctx.store.stat(Bucket(bucket), key)
    content_type = (stat.content_type if stat else None) or "application/pdf"
    with ctx.store.open(Bucket(bucket), key) as reader:
        data = reader.read()
    disposition = "attachment" if download else "inline"
    extension = "pdf" if content_type == "application/pdf" else "bin"
    return Response(
        data,
        media_type=content_type,
        headers={"Content-Disposition": f'{disposition}; filename="tai-lieu-{document_id}.{extension}"'},
    )


@router.get(
    "/search",
    response_model=SearchResult,
    summary="Tìm hồ sơ theo mã, số định danh, họ tên hoặc nội dung giấy tờ (staff search)",
)
def get_search(
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:read"))],
    q: Annotated[str, Query(min_length=1, max_length=200, description="mã hồ sơ, số định danh, họ tên, từ")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchResult:
    agencies: Any = None if principal.all_agencies else frozenset(principal.agencies - {ALL})
    with read_session(ctx.engine) as session:
        items = search_dossiers(session, q, agencies=agencies, limit=limit)
    return SearchResult(query=q, items=items)
