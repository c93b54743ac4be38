"""Presigned downloads of the directory store (MinIO serves its own presigned URLs).

No credential here: the HMAC signature and expiry in the URL are the authorisation, checked by
the store's ``verify_presigned``; a forged, altered or expired link is a 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from pipeline.api.context import ApiContext, get_context
from pipeline.api.downloads import stream_chunks
from pipeline.api.errors import ApiError
from storage.objects.base import Bucket

router = APIRouter(tags=["results"])


@router.get(
    "/objects/{bucket}/{key}",
    summary="Tải theo liên kết có thời hạn (presigned download)",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/pdf": {}}}, 403: {"description": "liên kết sai/hết hạn"}},
)
def presigned_download(
    bucket: str,
    key: str,
    request: Request,
    ctx: Annotated[ApiContext, Depends(get_context)],
) -> StreamingResponse:
    verify = getattr(ctx.store, "verify_presigned", None)
    if verify is None:
        raise ApiError(404, "Không có (not found)")
    granted_bucket, granted_key = verify(f"{request.url.path}?{request.url.query}")
    if (granted_bucket.value, granted_key) != (bucket, key):
        raise ApiError(403, "Liên kết tải về không hợp lệ (download link is invalid)")
    stat = ctx.store.stat(Bucket(granted_bucket), granted_key)
    if stat is None:
        raise ApiError(404, "Không có (not found)")
    return StreamingResponse(
        stream_chunks(ctx.store.open(Bucket(granted_bucket), granted_key)),
        media_type=stat.content_type or "application/octet-stream",
        headers={"Content-Length": str(stat.size), "Cache-Control": "private, no-store"},
    )
