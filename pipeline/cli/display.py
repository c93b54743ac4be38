"""What staff read in tables: Vietnamese names for document types and fields, dd/mm/yyyy dates.

JSON output keeps the machine names of /work/shared/spec/documents.md and ISO 8601 dates; only
the human tables go through here.
"""

from __future__ import annotations

import re
from datetime import date, datetime

DOC_TYPE_NAMES = {
    "cccd": "Căn cước công dân (citizen ID card)",
    "birth_certificate": "Giấy khai sinh (birth certificate)",
    "marriage_certificate": "Giấy chứng nhận kết hôn (marriage certificate)",
    "land_use_certificate": "Giấy chứng nhận quyền sử dụng đất (land use certificate)",
    "application_form": "Tờ khai / đơn đề nghị (application form)",
    "business_registration": "Giấy chứng nhận đăng ký doanh nghiệp (business registration)",
    "other": "Tài liệu khác (other document)",
}

FIELD_LABELS = {
    "id_number": "Số định danh cá nhân",
    "full_name": "Họ và tên",
    "date_of_birth": "Ngày sinh",
    "sex": "Giới tính",
    "nationality": "Quốc tịch",
    "ethnicity": "Dân tộc",
    "place_of_origin": "Quê quán",
    "place_of_residence": "Nơi cư trú",
    "place_of_birth": "Nơi sinh",
    "expiry_date": "Có giá trị đến",
    "issue_date": "Ngày cấp",
    "registration_number": "Số đăng ký",
    "registration_book": "Quyển số",
    "registration_date": "Ngày đăng ký",
    "mother_name": "Họ và tên mẹ",
    "father_name": "Họ và tên cha",
    "certificate_serial": "Số phát hành",
    "holder_name": "Người sử dụng đất",
    "holder_id_number": "Số định danh người sử dụng đất",
    "parcel_number": "Thửa đất số",
    "map_sheet_number": "Tờ bản đồ số",
    "land_address": "Địa chỉ thửa đất",
    "area_m2": "Diện tích (m²)",
    "registry_number": "Số vào sổ cấp GCN",
    "phone": "Số điện thoại",
    "procedure_name": "Thủ tục đề nghị",
    "enterprise_code": "Mã số doanh nghiệp",
    "name": "Tên",
    "address": "Địa chỉ",
    "legal_representative": "Người đại diện theo pháp luật",
}

_SPOUSE = {"husband_": "chồng", "wife_": "vợ"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def doc_type_name(doc_type: str) -> str:
    return DOC_TYPE_NAMES.get(doc_type, doc_type)


def field_label(key: str) -> str:
    """``date_of_birth`` → ``Ngày sinh``; ``wife_name`` → ``Tên (vợ)``; unknown keys unchanged."""
    for prefix, who in _SPOUSE.items():
        if key.startswith(prefix):
            rest = key[len(prefix):]
            base = "Họ và tên" if rest == "name" else FIELD_LABELS.get(rest, rest)
            return f"{base} ({who})"
    return FIELD_LABELS.get(key, key)


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
