"""Căn cước công dân / Thẻ căn cước (citizen ID card, front and back)."""

from __future__ import annotations

from pipeline.documents.cccd import apply_mrz
from pipeline.documents.qr import parse_cccd_qr
from pipeline.documents.spec import DocTypeSpec, DocumentType, Person, label, with_common

SPEC = with_common(
    DocTypeSpec(
        "cccd",
        titles=(
            "CĂN CƯỚC CÔNG DÂN / Citizen Identity Card",
            "CĂN CƯỚC CÔNG DÂN",
            "THẺ CĂN CƯỚC",
            "CĂN CƯỚC / IDENTITY CARD",
            "CĂN CƯỚC",
            "Citizen Identity Card",
            "IDENTITY CARD",
        ),
        fields=(
            label(
                "id_number",
                "id12",
                "Số / No.",
                "Số định danh cá nhân / Personal identification number",
                "Số định danh cá nhân / Personal identification No.",
            ),
            label("full_name", "name", "Họ và tên / Full name", "Họ, chữ đệm và tên khai sinh / Full name"),
            label(
                "date_of_birth", "date", "Ngày sinh / Date of birth", "Ngày, tháng, năm sinh / Date of birth"
            ),
            label("sex", "sex", "Giới tính / Sex"),
            label("nationality", "nationality", "Quốc tịch / Nationality"),
            label("place_of_origin", "address", "Quê quán / Place of origin"),
            label(
                "place_of_residence",
                "address",
                "Nơi thường trú / Place of residence",
                "Nơi cư trú / Place of residence",
            ),
            label(
                "expiry_date",
                "date",
                "Có giá trị đến / Date of expiry",
                "Ngày, tháng, năm hết hạn / Date of expiry",
            ),
            label(
                "issue_date",
                "date",
                "Ngày, tháng, năm / Date, month, year",
                "Ngày, tháng, năm cấp / Date of issue",
            ),
            label(
                "_features",
                "ignore",
                "Đặc điểm nhân dạng / Personal identification",
                "Đặc điểm nhận dạng / Personal identification",
            ),
            label("_birth_place", "ignore", "Nơi đăng ký khai sinh / Place of birth"),
            label(
                "_issuer",
                "ignore",
                "CỤC TRƯỞNG CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI",
                "BỘ CÔNG AN / MINISTRY OF PUBLIC SECURITY",
                "Nơi cấp / Place of issue",
            ),
        ),
        keywords=(
            "Personal identification",
            "Place of residence",
            "Date of expiry",
            "IDVNM",
            "SOCIALIST REPUBLIC OF VIET NAM",
            "Ngón trỏ trái",
            "Ngón trỏ phải",
        ),
    )
)

TYPE = DocumentType(
    SPEC,
    display_name="Căn cước công dân",
    gloss="citizen ID card",
    field_names={
        "id_number": "Số định danh",
        "full_name": "Họ và tên",
        "date_of_birth": "Ngày sinh",
        "sex": "Giới tính",
        "nationality": "Quốc tịch",
        "place_of_origin": "Quê quán",
        "place_of_residence": "Nơi thường trú / cư trú",
        "expiry_date": "Có giá trị đến",
        "issue_date": "Ngày cấp",
    },
    owner_fields=(("id_number", "holder"),),
    number_fields=("issue_date",),  # the card's number is its holder's id; a renewal has a new date
    # The residence is on the 2021 front and the 2024 back: a dossier needs both sides.
    required=("id_number", "full_name", "date_of_birth", "sex", "place_of_residence"),
    split="card_sides",
    persons=(Person("id_number", "date_of_birth", "sex"),),
    past_dates=("date_of_birth", "issue_date"),
    post_extract=apply_mrz,
    qr_parser=parse_cccd_qr,
)
