"""Giấy chứng nhận quyền sử dụng đất (land use certificate; 2014 and 2024 layouts)."""

from __future__ import annotations

from pipeline.documents.qr import parse_land_qr
from pipeline.documents.spec import DocTypeSpec, DocumentType, Person, label, with_common

SPEC = with_common(
    DocTypeSpec(
        "land_use_certificate",
        titles=(
            "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT",
            "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
            "QUYỀN SỬ DỤNG ĐẤT",
            "QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
            "QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT",
        ),
        fields=(
            label("certificate_serial", "serial", "Số phát hành"),
            label("holder_name", "name", "Ông", "Bà", "Ông/Bà", "Người sử dụng đất"),
            label("holder_id_number", "id12", "CCCD số", "Số định danh", "Số định danh cá nhân", "Số CCCD"),
            label("parcel_number", "digits", "Thửa đất số"),
            label("map_sheet_number", "digits", "Tờ bản đồ số"),
            label("land_address", "address", "Địa chỉ", "Địa chỉ thửa đất"),
            label("area_m2", "area", "Diện tích"),
            label("registry_number", "text", "Số vào sổ cấp GCN", "Số vào sổ cấp giấy chứng nhận"),
            label(
                "_holder",
                "ignore",
                "Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất",
                "Người sử dụng đất, chủ sở hữu tài sản gắn liền với đất",
            ),
            label("_holder_address", "ignore", "Địa chỉ thường trú"),
            label("_use_form", "ignore", "Hình thức sử dụng"),
            label("_purpose", "ignore", "Mục đích sử dụng"),
            label("_term", "ignore", "Thời hạn sử dụng"),
            label("_origin", "ignore", "Nguồn gốc sử dụng"),
            label("_birth_year", "ignore", "Sinh năm", "Năm sinh"),
            label("_land", "ignore", "Thửa đất", "Thửa đất, nhà ở và tài sản khác gắn liền với đất"),
            label("_house", "ignore", "Nhà ở"),
            label("_works", "ignore", "Công trình xây dựng khác"),
            label("_note", "ignore", "Ghi chú"),
            label("_assets", "ignore", "Tài sản gắn liền với đất"),
        ),
        keywords=("Thửa đất", "Tờ bản đồ", "quyền sử dụng đất", "Diện tích", "Số phát hành"),
    )
)

TYPE = DocumentType(
    SPEC,
    display_name="Giấy chứng nhận quyền sử dụng đất",
    gloss="land use certificate",
    field_names={
        "certificate_serial": "Số phát hành",
        "holder_name": "Người sử dụng đất",
        "holder_id_number": "Số định danh người sử dụng đất",
        "parcel_number": "Thửa đất số",
        "map_sheet_number": "Tờ bản đồ số",
        "land_address": "Địa chỉ thửa đất",
        "area_m2": "Diện tích (m²)",
        "registry_number": "Số vào sổ cấp GCN",
    },
    owner_fields=(("holder_id_number", "holder"),),
    number_fields=("certificate_serial",),
    persons=(Person("holder_id_number"),),
    qr_parser=parse_land_qr,
)
