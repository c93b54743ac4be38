"""Validation and review flags for a document's fields.

Nothing is dropped here: a value that fails a check keeps its value, gets the check's warning
and ``needs_review``; so does a value whose confidence is under ``review_confidence``.
"""

from __future__ import annotations

from pipeline.documents import validate as v
from pipeline.documents.models import FieldValue
from pipeline.documents.spec import DocumentType, FieldSpec
from pipeline.documents.types import document_type

LOW_CONFIDENCE = "độ tin cậy thấp, cần kiểm tra (low confidence, please check)"

MISSING = "không tìm thấy trường (missing fields): "


def _checks(
    dtype: DocumentType, key: str, fs: FieldSpec, fv: FieldValue, fields: dict[str, FieldValue]
) -> list[str]:
    value = fv.value
    if fs.kind == "id12":
        person = next((p for p in dtype.persons if p.id_key == key), None)
        dob_key, sex_ref = (person.dob_key, person.sex_key) if person else ("", "")
        dob = fields[dob_key].value if dob_key in fields else None
        sex: str | None = None
        if sex_ref and sex_ref.startswith("="):
            sex = sex_ref[1:]
        elif sex_ref and sex_ref in fields:
            sex = fields[sex_ref].value
        return v.check_id_number(value, dob, sex)
    if fs.kind == "date":
        return v.check_date(value, True, past=key in dtype.past_dates) if len(value) == 10 else []
    if fs.kind == "phone":
        return v.check_phone(value)
    if fs.kind == "enterprise":
        return v.check_enterprise_code(value)
    if fs.kind == "serial":
        return v.check_certificate_serial(value)
    if fs.kind == "sex":
        return v.check_sex(value)
    if fs.kind == "book":
        return v.check_registration_book(value)
    return []


def review_fields(
    doc_type: str, fields: dict[str, FieldValue], review_confidence: float
) -> tuple[dict[str, FieldValue], list[str]]:
    """Validated copies of ``fields`` and the document-level warnings."""
    dtype = document_type(doc_type)
    spec = dtype.spec
    specs = dict(spec.output_keys())
    out: dict[str, FieldValue] = {}
    doc_warnings: list[str] = []
    for key, fv in fields.items():
        fs = specs.get(key)
        warnings = list(fv.warnings)
        failed = [w for w in _checks(dtype, key, fs, fv, fields) if w not in warnings] if fs else []
        warnings.extend(failed)
        # Warnings carried from extraction on an MRZ-verified value are informational only.
        flagged = bool(failed) or bool(fv.warnings and fv.source == "text")
        confidence = min(fv.confidence, 0.6) if flagged else fv.confidence
        needs_review = flagged or confidence < review_confidence
        if confidence < review_confidence and LOW_CONFIDENCE not in warnings:
            warnings.append(LOW_CONFIDENCE)
        out[key] = fv.model_copy(
            update={"warnings": warnings, "needs_review": needs_review, "confidence": confidence}
        )
        for w in warnings:
            if w != LOW_CONFIDENCE and w not in doc_warnings:
                doc_warnings.append(w)
    missing = [k for k in dtype.required_keys if k not in out]
    if missing:
        doc_warnings.append(MISSING + ", ".join(missing))
    return out, doc_warnings
