"""Cross-checking a CCCD's printed fields with its machine-readable zone.

A zone value whose check digit verifies is trusted over the OCR of the printed value; where both
exist and agree the confidence is near certain, where they differ the zone wins and the field
says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from pipeline.documents.folding import fold
from pipeline.documents.lines import TextLine
from pipeline.documents.models import FieldValue
from pipeline.documents.mrz import MrzResult, parse_mrz, yymmdd_to_iso

_CENTURY = {"0": 1900, "1": 1900, "2": 2000, "3": 2000, "4": 2100, "5": 2100}
MRZ_CONFIDENCE = 0.985
AGREE_CONFIDENCE = 0.995


NO_EXPIRY = "991231"  # what the MRZ carries for a card printed "Không thời hạn" (no expiry)


def _merge(fields: dict[str, FieldValue], key: str, mrz_value: str | None, printed_label: str) -> None:
    if mrz_value is None:
        return
    printed = fields.get(key)
    if printed is None:
        fields[key] = FieldValue(value=mrz_value, confidence=MRZ_CONFIDENCE, source="mrz")
    elif printed.value == mrz_value:
        fields[key] = printed.model_copy(
            update={"confidence": max(printed.confidence, AGREE_CONFIDENCE), "source": "text+mrz",
                    "warnings": []}
        )
    else:
        fields[key] = FieldValue(
            value=mrz_value,
            confidence=MRZ_CONFIDENCE,
            source="mrz",
            warnings=[f"{printed_label} in trên thẻ đọc khác MRZ, dùng giá trị MRZ "
                      f"(printed {key} differs from the MRZ; MRZ value used)"],
        )


def apply_mrz(fields: dict[str, FieldValue], lines: Sequence[TextLine]) -> MrzResult | None:
    mrz = parse_mrz([ln.text for ln in lines])
    if mrz is None:
        return None
    _merge(fields, "id_number", mrz.id_number, "Số định danh")
    printed = fields.get("id_number")
    if (mrz.id_number is None and mrz.document_number and printed is not None
            and printed.value.endswith(mrz.document_number)):
        # 9 of the 12 printed digits are confirmed by a verified check digit.
        fields["id_number"] = printed.model_copy(
            update={"confidence": max(printed.confidence, 0.95), "source": "text+mrz"}
        )
    id_number = mrz.id_number or (fields["id_number"].value if "id_number" in fields else None)
    century = _CENTURY.get(id_number[3]) if id_number and len(id_number) == 12 else None
    if mrz.birth_yymmdd:
        _merge(fields, "date_of_birth", yymmdd_to_iso(mrz.birth_yymmdd, century=century), "Ngày sinh")
    if mrz.expiry_yymmdd == NO_EXPIRY:
        fields.pop("expiry_date", None)  # the card says "Không thời hạn": there is no date to record
    elif mrz.expiry_yymmdd:
        _merge(fields, "expiry_date", yymmdd_to_iso(mrz.expiry_yymmdd, future=True), "Ngày hết hạn")
    if mrz.sex and mrz.composite_ok:
        _merge(fields, "sex", mrz.sex, "Giới tính")
    name = fields.get("full_name")
    if name is not None and mrz.name:
        # The zone spells the name without diacritics: it confirms the letters, not the marks.
        similarity = fuzz.ratio(fold(name.value).upper(), mrz.name)
        if similarity == 100:
            fields["full_name"] = name.model_copy(
                update={"confidence": max(name.confidence, 0.97), "source": "text+mrz"}
            )
        elif similarity >= 90:
            fields["full_name"] = name.model_copy(update={"confidence": max(name.confidence, 0.85)})
    return mrz
