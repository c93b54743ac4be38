"""The JSON boundary of the documents stage (``sohoa ocr --json``, intake, the API).

Field names follow /work/shared/spec/interfaces.md exactly; extra keys are additions only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field


class FieldValue(BaseModel):
    """One extracted, normalised value with how much it can be trusted."""

    value: str
    confidence: float = Field(ge=0.0, le=1.0)
    needs_review: bool = False
    warnings: list[str] = Field(default_factory=list)
    source: str = "text"  # "text" (printed label), "mrz" (machine-readable zone), "text+mrz"


class PageInfo(BaseModel):
    """Per-page facts the clerk may need (bad resolution, blank pages kept in the record)."""

    page: int  # 1-based
    blank: bool = False
    dpi: float = 0.0
    dpi_estimated: bool = False
    rotation: int = 0
    skew: float = 0.0
    confidence: float = 0.0
    warnings: list[str] = Field(default_factory=list)


class DocumentResult(BaseModel):
    doc_type: str
    pages: list[int]  # 1-based page numbers of the input
    text: str
    confidence: float = Field(ge=0.0, le=1.0)
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    needs_review: bool = False
    classification_confidence: float = 0.0
    # The searchable PDF of these pages; a local file, never serialised.
    pdf_path: Path | None = Field(default=None, exclude=True)

    def field_values(self) -> dict[str, str]:
        return {key: fv.value for key, fv in self.fields.items()}


class FileResult(BaseModel):
    file: str
    pages: int
    documents: list[DocumentResult] = Field(default_factory=list)
    page_details: list[PageInfo] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    needs_review: bool = False

    def to_json_dict(self) -> dict[str, Any]:
        """The exact object ``sohoa ocr --json`` prints."""
        return self.model_dump(mode="json")
