"""The registry of document types: one module per type, listed here and nowhere else.

Adding a type is one new module here plus its entry in ``REGISTRY``; splitting, classification,
extraction, review, storage owners, the CLI and the web page all read from it.
"""

from __future__ import annotations

from pipeline.documents.spec import DocumentType
from pipeline.documents.types import (
    application_form,
    birth_certificate,
    business_registration,
    cccd,
    land_use_certificate,
    marriage_certificate,
    other,
)

# Types with fields, in the order classification weighs them; ``other`` last.
EXTRACTED: tuple[DocumentType, ...] = (
    cccd.TYPE,
    birth_certificate.TYPE,
    marriage_certificate.TYPE,
    land_use_certificate.TYPE,
    application_form.TYPE,
    business_registration.TYPE,
)
OTHER = other.TYPE
REGISTRY: tuple[DocumentType, ...] = (*EXTRACTED, OTHER)
BY_NAME: dict[str, DocumentType] = {t.name: t for t in REGISTRY}


def document_type(name: str) -> DocumentType:
    """The type called ``name``; an unknown name is ``other`` (it has no fields to read)."""
    return BY_NAME.get(name, OTHER)


def catalogue() -> list[dict[str, object]]:
    """What the web page and API clients show: names, display names, field names, owners."""
    return [
        {
            "doc_type": t.name,
            "display_name": t.display_name,
            "gloss": t.gloss,
            "fields": [{"key": k, "display_name": t.field_names.get(k, k)} for k, _ in t.spec.output_keys()],
            "owner_fields": [k for k, _ in t.owner_fields],
            "required": list(t.required_keys),
        }
        for t in REGISTRY
    ]
