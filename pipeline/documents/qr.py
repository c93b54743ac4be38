"""QR codes as the source of truth for the fields they carry, cross-checked against the print.

A chip CCCD / Căn cước front holds ``id|old id|name|ddmmyyyy birth|sex|address|ddmmyyyy issue``;
a land-use certificate of the 2024 layout holds ``serial|holder id|holder name|parcel|map
sheet|area|registry number`` (sohoa's reading of it; every value's shape is checked, so a code
of another layout is ignored rather than misread). Where a code decodes, its values replace
the OCR'd ones; a printed value that differs is kept out and named in a warning and the field
is flagged for review: either OCR misread the print or the print does not match the code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from pipeline.documents.models import FieldValue

QR_CONFIDENCE = 0.995
MISSING_PREFIX = "không tìm thấy trường (missing fields): "

_ID12 = re.compile(r"\d{12}")
_OLD_ID = re.compile(r"(\d{9}|\d{12})?")
_SERIAL = re.compile(r"[A-Z]{2} \d{6}")
_DIGITS = re.compile(r"\d{1,6}")
_AREA = re.compile(r"\d{1,7}(\.\d{1,2})?")
_REGISTRY = re.compile(r"[A-Z]{1,3}[ -]?\d{1,6}")
_SEXES = {"nam": "Nam", "nữ": "Nữ", "nu": "Nữ"}

LABELS = {
    "id_number": "Số định danh",
    "full_name": "Họ và tên",
    "date_of_birth": "Ngày sinh",
    "sex": "Giới tính",
    "place_of_residence": "Nơi thường trú",
    "issue_date": "Ngày cấp",
    "certificate_serial": "Số phát hành",
    "holder_id_number": "Số định danh người sử dụng đất",
    "holder_name": "Người sử dụng đất",
    "parcel_number": "Thửa đất số",
    "map_sheet_number": "Tờ bản đồ số",
    "area_m2": "Diện tích",
    "registry_number": "Số vào sổ",
}


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _date(ddmmyyyy: str) -> str | None:
    if not re.fullmatch(r"\d{8}", ddmmyyyy):
        return None
    try:
        return date(int(ddmmyyyy[4:]), int(ddmmyyyy[2:4]), int(ddmmyyyy[:2])).isoformat()
    except ValueError:
        return None


def _name(text: str) -> str | None:
    name = _clean(text)
    return name if name and not any(c.isdigit() for c in name) else None


def parse_cccd_qr(text: str) -> dict[str, str] | None:
    """The fields of a chip card's QR, or None when ``text`` is not one."""
    parts = [_clean(p) for p in text.split("|")]
    if len(parts) < 7:
        return None
    id_number, old_id, raw_name, birth, sex, address, issued = parts[:7]
    name, dob, iso_issued = _name(raw_name), _date(birth), _date(issued)
    if not (_ID12.fullmatch(id_number) and _OLD_ID.fullmatch(old_id) and name and dob and iso_issued):
        return None
    out = {"id_number": id_number, "full_name": name, "date_of_birth": dob, "issue_date": iso_issued}
    if sex.casefold() in _SEXES:
        out["sex"] = _SEXES[sex.casefold()]
    if address:
        out["place_of_residence"] = address
    return out


def parse_land_qr(text: str) -> dict[str, str] | None:
    """The fields of a 2024 land-use certificate's QR, or None when ``text`` is not one."""
    parts = [_clean(p) for p in text.split("|")]
    if len(parts) != 7:
        return None
    serial, holder_id, raw_name, parcel, sheet, area, registry = parts
    name = _name(raw_name)
    shapes = [(_SERIAL, serial), (_ID12, holder_id), (_DIGITS, parcel), (_DIGITS, sheet), (_AREA, area),
              (_REGISTRY, registry)]  # fmt: skip
    if name is None or not all(pattern.fullmatch(value) for pattern, value in shapes):
        return None
    return {"certificate_serial": serial, "holder_id_number": holder_id, "holder_name": name,
            "parcel_number": parcel, "map_sheet_number": sheet, "area_m2": area,
            "registry_number": registry}  # fmt: skip


def _same(a: str, b: str) -> bool:
    return _clean(a).casefold() == _clean(b).casefold()


def apply_qr(doc_type: str, fields: dict[str, FieldValue], qr_texts: Sequence[str]) -> list[str]:
    """Merge the first QR of ``qr_texts`` that parses for ``doc_type`` into reviewed ``fields``.

    Runs after review: values from the code need no shape check (the parser checked them),
    agreement confirms the printed value, a mismatch is flagged. Returns document warnings.
    """
    from pipeline.documents.types import document_type  # the type modules import the parsers

    parser = document_type(doc_type).qr_parser
    if parser is None:
        return []
    data = next((d for t in qr_texts if (d := parser(t)) is not None), None)
    if data is None:
        return []
    warnings: list[str] = []
    for key, value in data.items():
        printed = fields.get(key)
        if printed is None or _same(printed.value, value):
            source = "qr" if printed is None else f"{printed.source}+qr"
            fields[key] = FieldValue(value=value, confidence=QR_CONFIDENCE, source=source)
            continue
        label = LABELS.get(key, key)
        warning = (f"{label} in trên giấy tờ khác mã QR, dùng giá trị trong mã QR "
                   f"(printed {key} differs from the QR code; QR value used)")  # fmt: skip
        fields[key] = FieldValue(
            value=value, confidence=QR_CONFIDENCE, needs_review=True, warnings=[warning], source="qr"
        )
        warnings.append(warning)
    return warnings


def without_filled(doc_warnings: list[str], fields: dict[str, FieldValue]) -> list[str]:
    """The review's "missing fields" warning, less the fields a QR code has since filled."""
    out: list[str] = []
    for w in doc_warnings:
        if w.startswith(MISSING_PREFIX):
            left = [k for k in w[len(MISSING_PREFIX) :].split(", ") if k not in fields]
            if not left:
                continue
            w = MISSING_PREFIX + ", ".join(left)
        out.append(w)
    return out


def merge_qr(
    doc_type: str, fields: dict[str, FieldValue], doc_warnings: list[str], qr_texts: Sequence[str]
) -> list[str]:
    """:func:`apply_qr` then the document's warnings brought up to date (the hook analyse calls)."""
    added = apply_qr(doc_type, fields, qr_texts)
    return [*without_filled(doc_warnings, fields), *added]
