"""Reuse: ``GET /lookup`` answers exactly the JSON of ``sohoa lookup --json`` (same function).

A lookup may name the dossier it serves or a legal basis (``pipeline.personal_data``): without
one, a caller limited to some agencies sees only their holdings. Every lookup is recorded.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from pipeline.api.auth import require_scope
from pipeline.api.context import ApiContext, get_context
from pipeline.personal_data import Purpose, Reader, governed_lookup
from pipeline.principals import Principal
from pipeline.reuse import lookup_json, validate_owner_id
from storage.db.dossiers import check_procedure_code
from storage.db.engine import run_recorded_read

router = APIRouter(tags=["reuse"])

REFERENCE_HELP = (
    "văn bản, điều khoản cụ thể làm căn cứ, ví dụ «Luật Cư trú 2020, Điều 11» (the specific law and "
    "article; recorded in the access log, with a legal basis or a dossier)"
)

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
    dossier: Annotated[
        str | None, Query(max_length=64, description="mã hồ sơ phục vụ (the dossier this lookup serves)")
    ] = None,
    legal_basis: Annotated[
        str | None, Query(max_length=255, description="căn cứ pháp lý khác (another declared legal basis)")
    ] = None,
    legal_reference: Annotated[str | None, Query(max_length=255, description=REFERENCE_HELP)] = None,
) -> Response:
    purpose = Purpose(dossier, legal_basis, legal_reference)
    return _lookup(ctx, principal, owner, procedure, purpose, versioned=_versioned(request))


class LookupRequest(BaseModel):
    owner: str = Field(max_length=64)
    procedure: str | None = Field(None, max_length=64)
    dossier: str | None = Field(None, max_length=64, description="mã hồ sơ phục vụ")
    legal_basis: str | None = Field(None, max_length=255, description="căn cứ pháp lý khác")
    legal_reference: str | None = Field(None, max_length=255, description=REFERENCE_HELP)


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
    return _lookup(
        ctx,
        principal,
        body.owner,
        body.procedure,
        Purpose(body.dossier, body.legal_basis, body.legal_reference),
        versioned=_versioned(request),
    )


def _versioned(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def reader_of(principal: Principal) -> Reader:
    return Reader(principal.actor, None if principal.all_agencies else frozenset(principal.agencies))


def _lookup(
    ctx: ApiContext,
    principal: Principal,
    owner: str,
    procedure: str | None,
    purpose: Purpose,
    *,
    versioned: bool,
) -> Response:
    owner_id = validate_owner_id(owner)
    if procedure is not None:
        check_procedure_code(procedure)
    reader = reader_of(principal)
    result = run_recorded_read(
        ctx.engine, lambda session: governed_lookup(session, reader, owner_id, procedure, purpose)
    )
    text = lookup_json(result)
    if versioned:
        # v1 types every document id as an integer, as storage does; the CLI's JSON (fixed by
        # interfaces.md) and the deprecated alias keep the string.
        data = json.loads(text)
        for held in data["held"]:
            held["document_id"] = int(held["document_id"])
        text = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(text, media_type="application/json")
