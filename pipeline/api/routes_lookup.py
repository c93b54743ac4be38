"""Reuse: ``GET /lookup`` answers exactly the JSON of ``sohoa lookup --json`` (same function)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
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
                    "document_id": {"type": "integer"},
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
    request: Request,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("lookup"))],
    owner: Annotated[str, Query(max_length=64, description="số định danh 12 chữ số / mã số doanh nghiệp")],
    procedure: Annotated[str | None, Query(max_length=64, description="mã thủ tục, ví dụ 1.001193")] = None,
) -> Response:
    return _lookup(ctx, owner, procedure, versioned=request.url.path.startswith("/api/"))


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
    request: Request,
    body: LookupRequest,
    ctx: Annotated[ApiContext, Depends(get_context)],
    principal: Annotated[Principal, Depends(require_scope("lookup"))],
) -> Response:
    return _lookup(ctx, body.owner, body.procedure, versioned=request.url.path.startswith("/api/"))


def _lookup(ctx: ApiContext, owner: str, procedure: str | None, *, versioned: bool) -> Response:
    owner_id = validate_owner_id(owner)
    if procedure is not None:
        check_procedure_code(procedure)
    with read_session(ctx.engine) as session:
        result = lookup(session, owner_id, procedure)
    text = lookup_json(result)
    if versioned:
        # v1 types every document id as an integer, as storage does; the CLI's JSON (fixed by
        # interfaces.md) and the deprecated alias keep the string.
        data = json.loads(text)
        for held in data["held"]:
            held["document_id"] = int(held["document_id"])
        text = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(text, media_type="application/json")
