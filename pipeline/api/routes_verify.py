"""``POST /verify``: a PDF in, the report of ``sohoa verify --json`` out (same ``verify_pdf``)."""

from __future__ import annotations

import shutil
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from pipeline.api.auth import require_scope
from pipeline.api.context import ApiContext, get_context
from pipeline.api.errors import ApiError
from pipeline.api.uploads import limit_bytes, receive_pdf
from pipeline.principals import Principal
from signing.verify import VerifyInputError, verify_pdf

router = APIRouter(tags=["verify"])

VERIFY_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


def verification_json(ctx: ApiContext, path: Any) -> dict[str, Any]:
    s = ctx.settings.signing
    try:
        report = verify_pdf(path, trust_roots=list(s.trust_roots), revocation=s.revocation, tz=s.timezone)
    except VerifyInputError as exc:
        raise ApiError(422, exc.message) from None
    return report.model_dump(mode="json")


@router.post(
    "/verify",
    openapi_extra=VERIFY_OPENAPI,
    summary="Kiểm tra chữ ký số của một PDF (validate every signature)",
    responses={413: {"description": "quá lớn"}, 422: {"description": "không phải PDF"}},
)
async def post_verify(
    request: Request,
    ctx: Annotated[ApiContext, Depends(get_context)],
    _principal: Annotated[Principal, Depends(require_scope("verify"))],
) -> dict[str, Any]:
    dest = ctx.settings.data_dir / "tmp" / f"verify-{uuid.uuid4().hex}"
    try:
        upload = await receive_pdf(request, dest, limit_bytes(ctx.settings.api.max_upload_mb))
        return await run_in_threadpool(verification_json, ctx, upload.path)
    finally:
        shutil.rmtree(dest, ignore_errors=True)
