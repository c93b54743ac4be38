"""Validation and review flags for a document's fields.

Nothing is dropped here: a value that fails a check keeps its value, gets the check's warning
and ``needs_review``; so does a value whose confidence is under ``review_confidence``.
"""

from __future__ import annotations

from pipeline.documents import validate as v
from pipeline.documents.doctypes import BY_NAME, FieldSpec
from pipeline.documents.models import FieldValue

LOW_CONFIDENCE = "độ tin cậy thấp, cần kiểm tra (low confidence, please check)"

# Fields a document of the type cannot lack (a CCCD side may legitimately lack the others).
REQUIRED: dict[str, tuple[str, ...]] = {
    "cccd": ("id_number", "full_name", "date_of_birth", "sex"),
}

# id field → (date of birth field, sex field or a fixed sex) of the same person
_PERSON: dict[str, tuple[str, str | None]] = {
    "id_number": ("date_of_birth", "sex"),
    "husband_id_number": ("husband_date_of_birth", "=Nam"),
    "wife_id_number": ("wife_date_of_birth", "=Nữ"),
    "holder_id_number": ("", None),
}
_PAST_DATES = {"date_of_birth", "issue_date", "registration_date", "husband_date_of_birth",
               "wife_date_of_birth"}


def _checks(key: str, fs: FieldSpec, fv: FieldValue, fields: dict[str, FieldValue]) -> list[str]:
    value = fv.value
    if fs.kind == "id12":
        dob_key, sex_ref = _PERSON.get(key, ("", None))
        dob = fields[dob_key].value if dob_key in fields else None
        sex: str | None = None
        if sex_ref and sex_ref.startswith("="):
            sex = sex_ref[1:]
        elif sex_ref and sex_ref in fields:
            sex = fields[sex_ref].value
        return v.check_id_number(value, dob, sex)
    if fs.kind == "date":
        return v.check_date(value, True, past=key in _PAST_DATES) if len(value) == 10 else []
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
    spec = BY_NAME[doc_type]
    specs = dict(spec.output_keys())
    out: dict[str, FieldValue] = {}
    doc_warnings: list[str] = []
    for key, fv in fields.items():
        fs = specs.get(key)
        warnings = list(fv.warnings)
        failed = [w for w in _checks(key, fs, fv, fields) if w not in warnings] if fs else []
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
    required = REQUIRED.get(doc_type, tuple(k for k, _ in spec.output_keys()))
    missing = [k for k in required if k not in out]
    if missing:
        doc_warnings.append("không tìm thấy trường (missing fields): " + ", ".join(missing))
    return out, doc_warnings
