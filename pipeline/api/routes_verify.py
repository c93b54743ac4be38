"""``POST /verify``: a PDF in, the report of ``sohoa verify --json`` out (same ``verify_pdf``)."""

from __future__ import annotations

import enum
import shutil
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool

from pipeline.api.auth import require_scope
from pipeline.api.context import ApiContext, get_context
from pipeline.api.errors import ApiError
from pipeline.api.uploads import limit_bytes, receive_pdf
from pipeline.principals import Principal
from signing.trust import shipped_anchor_ids
from signing.verify import VerifyInputError, verify_configured

router = APIRouter(tags=["verify"])

#: the shipped anchors a request may switch on or off (ids of signing/trust_vn/manifest.json)
AnchorId = enum.Enum("AnchorId", {i: i for i in shipped_anchor_ids()}, type=str)  # type: ignore[misc]

TrustEnable = Annotated[
    list[AnchorId] | None,
    Query(
        max_length=16,
        description="bật thêm chứng thư gốc đi kèm (shipped anchor to trust as well, e.g. gov-root-g1); "
        "lặp lại được",
    ),
]
TrustDisable = Annotated[
    list[AnchorId] | None,
    Query(max_length=16, description="không tin chứng thư gốc đi kèm này (shipped anchor not to trust)"),
]

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


def verification_json(
    ctx: ApiContext, path: Any, trust_enable: list[str] | None = None, trust_disable: list[str] | None = None
) -> dict[str, Any]:
    """The configured trust list, plus or minus the shipped anchors this request names."""
    try:
        report = verify_configured(
            path, ctx.settings.signing, trust_enable=trust_enable or (), trust_disable=trust_disable or ()
        )
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
    trust_enable: TrustEnable = None,
    trust_disable: TrustDisable = None,
) -> dict[str, Any]:
    """The report names the shipped anchors it trusted (``trust_anchors``)."""
    enable = [a.value for a in trust_enable or ()]
    disable = [a.value for a in trust_disable or ()]
    dest = ctx.settings.data_dir / "tmp" / f"verify-{uuid.uuid4().hex}"
    try:
        upload = await receive_pdf(request, dest, limit_bytes(ctx.settings.api.max_upload_mb))
        return await run_in_threadpool(verification_json, ctx, upload.path, enable, disable)
    finally:
        shutil.rmtree(dest, ignore_errors=True)
