"""A staff correction is checked like an extracted value: known field, right kind, valid value.

Without this a correction could create any field (``--field khong_co``) or put markup in a date;
both then flowed into lookups and signed copies. The field must be one the document's type yields
(documents.md), and the value must pass the same checks extraction applies to that kind.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy.orm import Session

from pipeline.documents.doctypes import BY_NAME
from pipeline.documents.models import FieldValue
from pipeline.documents.review import _checks
from pipeline.documents.types import document_type
from storage.db.errors import BadInputError, NotFoundError
from storage.db.models import Document, ExtractedField
from storage.db.records import correct_field

MAX_VALUE = 2000
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f<>]")
_DIGITS = re.compile(r"[0-9]{1,20}")
_AREA = re.compile(r"[0-9]{1,9}([.,][0-9]{1,4})?")


def check_correction(doc_type: str, key: str, value: str) -> str:
    """The value to store (trimmed), or BadInputError saying what is wrong (never echoing it)."""
    spec = BY_NAME.get(doc_type)
    kinds = dict(spec.output_keys()) if spec is not None else {}
    if key not in kinds:
        known = ", ".join(kinds) or "không có (none)"
        raise BadInputError(
            f"Loại giấy tờ {doc_type} không có trường '{key[:64]}' (unknown field); có: {known}"
        )
    value = value.strip()
    if not value or len(value) > MAX_VALUE:
        raise BadInputError(f"Giá trị phải có 1–{MAX_VALUE} ký tự (value length)")
    if _FORBIDDEN.search(value):
        raise BadInputError("Giá trị chứa ký tự điều khiển hoặc < > (control characters or markup)")
    fs = kinds[key]
    if fs.kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            raise BadInputError("Ngày phải theo dạng YYYY-MM-DD và có thật (date as YYYY-MM-DD)") from None
        if len(value) != 10:
            raise BadInputError("Ngày phải theo dạng YYYY-MM-DD (date as YYYY-MM-DD)")
    elif fs.kind == "digits" and not _DIGITS.fullmatch(value):
        raise BadInputError("Trường này chỉ gồm chữ số (digits only)")
    elif fs.kind == "area" and not _AREA.fullmatch(value):
        raise BadInputError("Diện tích là một số, ví dụ 120.5 (area as a number)")
    problems = _checks(document_type(doc_type), key, fs, FieldValue(value=value, confidence=1.0), {})
    if problems:
        raise BadInputError(f"Giá trị không hợp lệ (invalid value): {'; '.join(problems)}")
    return value


def correct_checked(
    session: Session, document_id: int, key: str, value: str, *, actor: str
) -> ExtractedField:
    """``correct_field`` after :func:`check_correction` against the document's type."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFoundError("Không tìm thấy tài liệu (unknown document)")
    checked = check_correction(document.doc_type, key, value)
    owner_fields = document_type(document.doc_type).owner_fields
    return correct_field(session, document_id, key, checked, actor=actor, owner_fields=owner_fields)
