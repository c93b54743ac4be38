"""The document-type catalogue (``GET /doc-types``), read from the registry.

The staff page takes its Vietnamese display names from here instead of a copy of its own; it is
public like the page shell, since it holds names only, no data.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from pipeline.documents.types import catalogue

router = APIRouter(tags=["documents"])


class DocTypeField(BaseModel):
    key: str
    display_name: str


class DocTypeView(BaseModel):
    doc_type: str
    display_name: str
    gloss: str
    fields: list[DocTypeField]
    owner_fields: list[str]
    required: list[str]


@router.get("/doc-types", summary="Danh mục loại giấy tờ (document types and their fields)")
def doc_types() -> list[DocTypeView]:
    return [DocTypeView.model_validate(entry) for entry in catalogue()]
