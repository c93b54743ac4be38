"""Reuse: ``GET /lookup`` answers exactly the JSON of ``sohoa lookup --json`` (same function)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from pipeline.api.auth import require_scope
from pipeline.api.context import ApiContext, get_context
from pipeline.principals import Principal
from pipeline.reuse import lookup, lookup_json, validate_owner_id
from storage.db.dossiers import check_procedure_code
from storage.db.engine import read_session

router = APIRouter(tags=["reuse"])

LOOKUP_SCHEMA = {
    "type": "object",
    "required": ["owner", "held", "missing"],
    "properties": {
        "owner": {"type": "string"},
        "held": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "doc_type": {"type": "string"},
                    "document_id": {"type": "string"},
                    "dossier": {"type": ["string", "null"]},
                    "signed": {"type": "boolean"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
        },
        "missing": {"type": "array", "items": {"type": "string"}},
    },
}


@router.get(
    "/lookup",
    summary="Giấy tờ đã có của một người hoặc doanh nghiệp (what the store already holds)",
    responses={200: {"content": {"application/json": {"schema": LOOKUP_SCHEMA}}}},
    response_class=Response,
)
def get_lookup(
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("lookup"))],
    owner: Annotated[str, Query(max_length=64, description="số định danh 12 chữ số / mã số doanh nghiệp")],
    procedure: Annotated[str | None, Query(max_length=64, description="mã thủ tục, ví dụ 1.001193")] = None,
) -> Response:
    return _lookup(ctx, owner, procedure)


class LookupRequest(BaseModel):
    owner: str = Field(max_length=64)
    procedure: str | None = Field(None, max_length=64)


@router.post(
    "/lookup",
    summary="Như GET /lookup, số định danh trong thân yêu cầu (id kept out of URLs and proxy logs)",
    responses={200: {"content": {"application/json": {"schema": LOOKUP_SCHEMA}}}},
    response_class=Response,
)
def post_lookup(
    body: LookupRequest,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("lookup"))],
) -> Response:
    return _lookup(ctx, body.owner, body.procedure)


def _lookup(ctx: ApiContext, owner: str, procedure: str | None) -> Response:
    owner_id = validate_owner_id(owner)
    if procedure is not None:
        check_procedure_code(procedure)
    with read_session(ctx.engine) as session:
        result = lookup(session, owner_id, procedure)
    return Response(lookup_json(result), media_type="application/json")
