"""Signing where the token is: queue, fetch the bytes to sign, upload the signed copy."""

from __future__ import annotations

import shutil
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from pipeline.api.auth import forbidden, require_scope
from pipeline.api.context import ApiContext, get_context
from pipeline.api.downloads import stream_chunks
from pipeline.api.paging import Page, Window100
from pipeline.api.types import DocumentId, RowIdPath, Timestamp
from pipeline.api.uploads import limit_bytes, receive_pdf
from pipeline.principals import Principal
from pipeline.signing_queue import accept_signed, cancel, enqueue, list_queue, own_item
from storage.db.engine import read_session
from storage.objects.base import Bucket

router = APIRouter(prefix="/signing", tags=["signing"])

ItemId = RowIdPath

PDF_BODY_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class EnqueueRequest(BaseModel):
    document_id: DocumentId
    official: str = Field(min_length=2, max_length=64, description="tên đăng nhập của cán bộ ký")


class QueueItem(BaseModel):
    id: int
    document_id: DocumentId
    doc_type: str | None = None
    title: str | None = None
    status: str
    sha256: str
    size: int
    queued_by: str | None = None
    created_at: Timestamp
    signed_at: Timestamp | None = None
    signed_sha256: str | None = None
    stamp: Literal["received", "result", "seal"] | None = Field(
        None, description="chữ ký cần có: bản số hóa, kết quả (chứng nhận), đóng dấu; rỗng: theo tiêu đề"
    )
    pdf_url: str
    upload_url: str
    official: str | None = None
    dossier: str | None = None


def _staff(principal: Principal) -> Principal:
    if principal.kind != "staff":
        raise forbidden()
    return principal


@router.post(
    "/queue",
    status_code=201,
    response_model=QueueItem,
    summary="Đưa tài liệu vào hàng đợi ký (queue for signature)",
)
def post_queue(
    body: EnqueueRequest,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("signing:queue"))],
) -> dict[str, Any]:
    return enqueue(ctx, body.document_id, body.official, _staff(principal))


@router.get(
    "/queue", response_model=Page[QueueItem], summary="Tài liệu chờ ký (what is waiting for signature)"
)
def get_queue(
    window: Window100,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("documents:read"))],
    official: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[Literal["pending", "signed", "cancelled"], Query()] = "pending",
) -> Page[QueueItem]:
    # One official's queue is short: filtered by visibility in the workflow, then cut here.
    rows = list_queue(ctx, _staff(principal), official=official, status=status)
    return window.cut([QueueItem.model_validate(r) for r in rows])


@router.get(
    "/queue/{item_id}/pdf",
    summary="Bản PDF cần ký (the exact bytes to sign)",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_item_pdf(
    item_id: ItemId,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("sign"))],
) -> StreamingResponse:
    with read_session(ctx.engine) as session:
        item = own_item(session, item_id, _staff(principal))
        bucket, key, size, sha = item.bucket, item.object_key, item.size, item.sha256
    reader = ctx.store.open(Bucket(bucket), key)
    return StreamingResponse(
        stream_chunks(reader),
        media_type="application/pdf",
        headers={"Content-Length": str(size), "X-Sohoa-Sha256": sha},
    )


@router.post(
    "/queue/{item_id}/signed",
    openapi_extra=PDF_BODY_OPENAPI,
    summary="Tải lên bản đã ký (upload the signed PDF; verified before it is accepted)",
    responses={409: {"description": "đã ký / đã hủy"}, 422: {"description": "chữ ký không hợp lệ"}},
)
async def post_signed(
    item_id: ItemId,
    request: Request,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("sign"))],
) -> JSONResponse:
    _staff(principal)
    with read_session(ctx.engine) as session:
        own_item(session, item_id, principal)  # 404 before reading a byte of someone else's item
    dest = ctx.settings.data_dir / "tmp" / f"signed-{uuid.uuid4().hex}"
    try:
        upload = await receive_pdf(request, dest, limit_bytes(ctx.settings.api.max_upload_mb))
        accepted = await run_in_threadpool(
            accept_signed, ctx, item_id, upload.path, upload.sha256, upload.size, principal
        )
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    return JSONResponse(
        {
            "item_id": accepted.item_id,
            "document_id": accepted.document_id,
            "version_id": accepted.version_id,
            "sha256": accepted.sha256,
            "replay": accepted.replay,
            "verification": accepted.report or None,
        },
        status_code=200 if accepted.replay else 201,
    )


@router.delete(
    "/queue/{item_id}", response_model=QueueItem, summary="Hủy mục chờ ký (cancel a queue item)"
)
def delete_item(
    item_id: ItemId,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("signing:queue"))],
) -> dict[str, Any]:
    return cancel(ctx, item_id, _staff(principal))
