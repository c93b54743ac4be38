"""Compatibility names for the document-type specs (the registry is ``pipeline.documents.types``)."""

from __future__ import annotations

from pipeline.documents.spec import COMMON_IGNORE, DocTypeSpec, FieldSpec, Kind
from pipeline.documents.types import EXTRACTED as _EXTRACTED
from pipeline.documents.types import REGISTRY as _REGISTRY
from pipeline.documents.types import (
    application_form,
    birth_certificate,
    business_registration,
    cccd,
    land_use_certificate,
    marriage_certificate,
    other,
)

CCCD = cccd.SPEC
BIRTH = birth_certificate.SPEC
MARRIAGE = marriage_certificate.SPEC
LAND = land_use_certificate.SPEC
APPLICATION = application_form.SPEC
BUSINESS = business_registration.SPEC
OTHER = other.SPEC
DOC_TYPES: tuple[DocTypeSpec, ...] = tuple(t.spec for t in _EXTRACTED)
BY_NAME: dict[str, DocTypeSpec] = {t.name: t.spec for t in _REGISTRY}

__all__ = [
    "APPLICATION", "BIRTH", "BUSINESS", "BY_NAME", "CCCD", "COMMON_IGNORE", "DOC_TYPES", "LAND", "MARRIAGE",
    "OTHER", "DocTypeSpec", "FieldSpec", "Kind",
]
