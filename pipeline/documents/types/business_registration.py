"""Giấy chứng nhận đăng ký doanh nghiệp / hộ kinh doanh (business registration)."""

from __future__ import annotations

from pipeline.documents.spec import DocTypeSpec, DocumentType, label, with_common

SPEC = with_common(
    DocTypeSpec(
        "business_registration",
        titles=(
            "GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP",
            "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
            "GIẤY CHỨNG NHẬN ĐĂNG KÝ KINH DOANH",
        ),
        fields=(
            label(
                "enterprise_code",
                "enterprise",
                "Mã số doanh nghiệp",
                "Mã số hộ kinh doanh",
                "Mã số đăng ký hộ kinh doanh",
            ),
            label(
                "name",
                "text",
                "Tên doanh nghiệp viết bằng tiếng Việt",
                "Tên công ty viết bằng tiếng Việt",
                "Tên hộ kinh doanh",
                "Tên doanh nghiệp",
                "Tên công ty",
            ),
            label(
                "address",
                "address",
                "Địa chỉ trụ sở chính",
                "Địa chỉ địa điểm kinh doanh",
                "Địa điểm kinh doanh",
            ),
            label("legal_representative", "name", "Họ và tên", "Chủ hộ kinh doanh", "Họ, chữ đệm, tên"),
            label("registration_date", "date", "Đăng ký lần đầu", "Ngày đăng ký lần đầu"),
            label(
                "_foreign_name",
                "ignore",
                "Tên doanh nghiệp viết bằng tiếng nước ngoài",
                "Tên công ty viết bằng tiếng nước ngoài",
            ),
            label("_short_name", "ignore", "Tên doanh nghiệp viết tắt", "Tên công ty viết tắt"),
            label("_capital", "ignore", "Vốn điều lệ", "Vốn kinh doanh"),
            label("_phone", "ignore", "Điện thoại"),
            label("_change", "ignore", "Đăng ký thay đổi lần thứ"),
            label(
                "_rep",
                "ignore",
                "Người đại diện theo pháp luật của công ty",
                "Người đại diện theo pháp luật của doanh nghiệp",
                "Người đại diện theo pháp luật",
            ),
            label("_sex", "ignore", "Giới tính"),
            label("_title", "ignore", "Chức danh"),
            label("_dob", "ignore", "Sinh ngày"),
            label("_ethnicity", "ignore", "Dân tộc"),
            label("_nationality", "ignore", "Quốc tịch"),
            label("_id", "ignore", "Số định danh cá nhân"),
            label("_contact", "ignore", "Địa chỉ liên lạc"),
        ),
        keywords=("doanh nghiệp", "kinh doanh", "Vốn điều lệ", "Mã số doanh nghiệp"),
    )
)

TYPE = DocumentType(
    SPEC,
    display_name="Giấy chứng nhận đăng ký doanh nghiệp / hộ kinh doanh",
    gloss="business registration",
    field_names={
        "enterprise_code": "Mã số doanh nghiệp",
        "name": "Tên",
        "address": "Địa chỉ",
        "legal_representative": "Người đại diện theo pháp luật",
        "registration_date": "Ngày đăng ký lần đầu",
    },
    owner_fields=(("enterprise_code", "enterprise"),),
    # No number_fields: each amendment is a new certificate, and the change number is not read,
    # so two certificates of one enterprise cannot be told apart: never matched as a rescan.
    past_dates=("registration_date",),
)
