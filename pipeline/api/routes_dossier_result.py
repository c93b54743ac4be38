"""A dossier's result over HTTP: attach (PDF or template), follow it, cancel it, return it.

Each route is one call into ``pipeline.dossier.results``; the signatures themselves go through
the signing queue (``/signing/queue``) like any other item: the competent official's first,
then the seal holder's, each verified by the server before the next step.
"""

from __future__ import annotations

import shutil
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from pipeline.api.auth import forbidden, require_scope
from pipeline.api.context import ApiContext, get_context
from pipeline.api.routes_signing import PDF_BODY_OPENAPI
from pipeline.api.types import DocumentId, Timestamp
from pipeline.api.uploads import limit_bytes, receive_pdf
from pipeline.dossier.receive import DossierView, dossier_view
from pipeline.dossier.results import (
    ResultView,
    attach_result,
    cancel_result,
    generated_result,
    result_status,
    return_result,
)
from pipeline.errors import not_found
from pipeline.principals import Principal
from storage.db.engine import read_session

router = APIRouter(tags=["dossiers"])

Code = Annotated[str, Path(max_length=64)]
Username = Annotated[str, Query(min_length=2, max_length=64)]


class ResultOut(ResultView):
    # the workflow's view with the API's types: ids in range, times with their offset (no
    # docstring: it would become the schema's description)
    document_id: DocumentId
    stage: str = Field(description="awaiting_official | awaiting_seal | issued | cancelled")
    created_at: Timestamp
    issued_at: Timestamp | None


class GeneratedBody(BaseModel):
    content: str = Field(min_length=1, max_length=4000, description="nội dung kết quả (mẫu)")
    place: str | None = Field(None, max_length=100, description="địa danh")
    official: str = Field(min_length=2, max_length=64, description="cán bộ có thẩm quyền ký")
    seal: str = Field(min_length=2, max_length=64, description="cán bộ giữ dấu cơ quan")


class ReturnedOut(BaseModel):
    dossier: DossierView
    link: str = Field(description="trang tra cứu của công dân (mã hồ sơ và mã bí mật)")


def _out(view: ResultView) -> ResultOut:
    return ResultOut.model_validate(view, from_attributes=True)


def _staff(principal: Principal) -> Principal:
    if principal.kind != "staff":
        raise forbidden()
    return principal


@router.post(
    "/dossiers/{code}/result",
    status_code=201,
    response_model=ResultOut,
    openapi_extra=PDF_BODY_OPENAPI,
    summary="Đính kèm kết quả (PDF) và chuyển cán bộ có thẩm quyền ký, rồi đóng dấu (attach result)",
)
async def post_result(
    code: Code,
    request: Request,
    official: Username,
    seal: Username,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:write"))],
) -> ResultOut:
    _staff(principal)
    dest = ctx.settings.data_dir / "tmp" / f"result-{uuid.uuid4().hex}"
    try:
        upload = await receive_pdf(request, dest, limit_bytes(ctx.settings.api.max_upload_mb))
        data = upload.path.read_bytes()
        view = await run_in_threadpool(
            lambda: attach_result(ctx, code, data, official=official, seal=seal, principal=principal)
        )
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    return _out(view)


@router.post(
    "/dossiers/{code}/result/generated",
    status_code=201,
    response_model=ResultOut,
    summary="Tạo kết quả từ mẫu (giấy xác nhận đơn giản) và chuyển ký (generate result from template)",
)
def post_generated_result(
    code: Code,
    body: GeneratedBody,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:write"))],
) -> ResultOut:
    _staff(principal)
    data = generated_result(ctx, code, body.content, principal, place=body.place)
    view = attach_result(
        ctx, code, data, official=body.official, seal=body.seal, principal=principal, generated=True
    )
    return _out(view)


@router.get(
    "/dossiers/{code}/result",
    response_model=ResultOut,
    summary="Kết quả của hồ sơ đang ở bước nào: chờ ký, chờ đóng dấu, đã ban hành (result status)",
)
def get_result(
    code: Code,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:read"))],
) -> ResultOut:
    view = result_status(ctx, code, principal)
    if view is None:
        raise not_found("kết quả (result)")
    return _out(view)


@router.delete(
    "/dossiers/{code}/result",
    response_model=ResultOut,
    summary="Hủy kết quả đang chờ ký (cancel a result on its way)",
)
def delete_result(
    code: Code,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:write"))],
) -> ResultOut:
    return _out(cancel_result(ctx, code, _staff(principal)))


@router.post(
    "/dossiers/{code}/return",
    response_model=ReturnedOut,
    summary="Trả kết quả điện tử cho công dân (return: the citizen's page with the token)",
)
def post_return(
    code: Code,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:write"))],
) -> ReturnedOut:
    link = return_result(ctx, code, _staff(principal), base_url=ctx.settings.api.base_url)
    with read_session(ctx.engine) as session:
        view = dossier_view(session, code)
    return ReturnedOut(dossier=view, link=link)
