"""What staff read in tables: Vietnamese names for document types and fields, dd/mm/yyyy dates.

JSON output keeps the machine names of /work/shared/spec/documents.md and ISO 8601 dates; only
the human tables go through here.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from pipeline.documents.types import BY_NAME, REGISTRY

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def doc_type_name(doc_type: str) -> str:
    """The type's Vietnamese name with its English gloss, from the registry of document types."""
    known = BY_NAME.get(doc_type)
    return known.display() if known is not None else doc_type


def field_label(key: str) -> str:
    """``date_of_birth`` → ``Ngày sinh``; ``wife_name`` → ``Họ và tên (vợ)``; unknown keys unchanged."""
    return _FIELD_NAMES.get(key, key)


_FIELD_NAMES = {k: name for t in REGISTRY for k, name in t.field_names.items()}


def vn_date(value: date | datetime | str | None) -> str:
    """dd/mm/yyyy (with HH:MM for a time); an ISO string is converted, anything else kept."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
        try:
            value = date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else datetime.fromisoformat(text)
        except ValueError:
            return text
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def field_value(key: str, value: str) -> str:
    """A field's value as staff read it: ISO dates as dd/mm/yyyy."""
    return vn_date(value) if _ISO_DATE.fullmatch(value) else value
