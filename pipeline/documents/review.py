"""Validation and review flags for a document's fields.

Nothing is dropped here: a value that fails a check keeps its value, gets the check's warning
and ``needs_review``; so does a value whose confidence is under ``review_confidence``.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.documents import validate as v
from pipeline.documents.extract import UNLABELLED_DOB, UNLABELLED_ID
from pipeline.documents.models import FieldValue
from pipeline.documents.spec import DocumentType, FieldSpec
from pipeline.documents.types import document_type

LOW_CONFIDENCE = "độ tin cậy thấp, cần kiểm tra (low confidence, please check)"

MISSING = "không tìm thấy trường (missing fields): "


def _person_of(
    dtype: DocumentType, key: str, fields: dict[str, FieldValue]
) -> tuple[str | None, str | None]:
    """(date of birth, sex) of the person whose id ``key`` is, as the document gives them."""
    person = next((p for p in dtype.persons if p.id_key == key), None)
    dob_key, sex_ref = (person.dob_key, person.sex_key) if person else ("", "")
    dob = fields[dob_key].value if dob_key in fields else None
    sex: str | None = None
    if sex_ref and sex_ref.startswith("="):
        sex = sex_ref[1:]
    elif sex_ref and sex_ref in fields:
        sex = fields[sex_ref].value
    return dob, sex


DOB_YEAR_FROM_ID = ("năm sinh đọc được không thể có, đã sửa theo số định danh, cần kiểm tra "
                    "(the year of birth read is impossible; taken from the id number, please check)")


def _birth_years_from_ids(dtype: DocumentType, fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """A date of birth whose year cannot be (1362, 2096) takes the year its person's id encodes
    when the two differ in one digit only: the id is a second reading of that year. Always
    flagged: only the year is checked, and by one reading."""
    out = dict(fields)
    for person in dtype.persons:
        dob, ident = fields.get(person.dob_key), fields.get(person.id_key)
        if dob is None or ident is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", dob.value):
            continue
        read, encoded = dob.value[:4], v.id_birth_year(ident.value)
        possible = range(1900, date.today().year + 1)
        if encoded is None or encoded not in possible or int(read) in possible:
            continue
        if sum(a != b for a, b in zip(read, str(encoded), strict=True)) != 1:
            continue
        out[person.dob_key] = dob.model_copy(update={
            "value": f"{encoded}{dob.value[4:]}", "warnings": [*dob.warnings, DOB_YEAR_FROM_ID],
        })
    return out


def corroborated_id(dtype: DocumentType, key: str, fv: FieldValue, fields: dict[str, FieldValue]) -> bool:
    """Whether an id found by its shape alone (its label unreadable) is the person's id: its
    province code exists and its century, sex and birth-year digits agree with the date of
    birth read elsewhere on the document. Three digits read twice, independently, seldom
    agree by chance; the other digits are still judged by their OCR confidence."""
    dob, sex = _person_of(dtype, key, fields)
    if dob is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", dob):
        return False
    person = next(p for p in dtype.persons if p.id_key == key)
    if {DOB_YEAR_FROM_ID, UNLABELLED_DOB} & set(fields[person.dob_key].warnings):
        return False  # that year was copied from this id, or the date chosen by it: no second reading
    return not v.check_id_number(fv.value, dob, sex)


DOB_NOT_ID_YEAR = ("năm sinh không khớp năm ghi trong số định danh, cần kiểm tra "
                   "(date_of_birth's year differs from the one the id_number encodes)")


def _dob_against_id(dtype: DocumentType, key: str, value: str, fields: dict[str, FieldValue]) -> list[str]:
    """A date of birth is read a second time in its person's id (digits 4–6): when the two
    years differ, one of them is misread, and the date is flagged as well as the id."""
    person = next((p for p in dtype.persons if p.dob_key == key), None)
    ident = fields.get(person.id_key) if person is not None else None
    if ident is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return []
    encoded = v.id_birth_year(ident.value)
    return [DOB_NOT_ID_YEAR] if encoded is not None and encoded != int(value[:4]) else []


def _checks(
    dtype: DocumentType, key: str, fs: FieldSpec, fv: FieldValue, fields: dict[str, FieldValue]
) -> list[str]:
    value = fv.value
    if fs.kind == "id12":
        dob, sex = _person_of(dtype, key, fields)
        return v.check_id_number(value, dob, sex)
    if fs.kind == "date":
        if len(value) != 10:
            return []
        return v.check_date(value, True, past=key in dtype.past_dates) + _dob_against_id(
            dtype, key, value, fields
        )
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
    fields = _birth_years_from_ids(dtype, fields)
    for key, fv in fields.items():
        fs = specs.get(key)
        if (fs is not None and fs.kind == "id12" and fv.warnings == [UNLABELLED_ID]
                and corroborated_id(dtype, key, fv, fields)):
            fv = fv.model_copy(update={"warnings": []})
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
