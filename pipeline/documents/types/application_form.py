"""Tờ khai / Đơn đề nghị / Đơn xin (the citizen's request form, Mẫu CT01 included)."""

from __future__ import annotations

from pipeline.documents.spec import DocTypeSpec, DocumentType, Person, label, with_common

SPEC = with_common(
    DocTypeSpec(
        "application_form",
        titles=("TỜ KHAI", "ĐƠN ĐỀ NGHỊ", "ĐƠN YÊU CẦU", "PHIẾU YÊU CẦU"),
        fields=(
            label("full_name", "name", "Họ và tên người yêu cầu", "Họ, chữ đệm, tên người yêu cầu"),
            label("id_number", "id12", "Số định danh cá nhân", "Số CCCD"),
            label("date_of_birth", "date", "Ngày sinh", "Ngày, tháng, năm sinh"),
            label("place_of_residence", "address", "Nơi cư trú"),
            label("phone", "phone", "Số điện thoại", "Điện thoại"),
            label(
                "procedure_name",
                "procedure",
                "giải quyết thủ tục",
                "Đề nghị giải quyết thủ tục",
                "Thủ tục đề nghị giải quyết",
            ),
            label("_relation", "ignore", "Quan hệ với người được"),
            label("_email", "ignore", "Email", "Thư điện tử"),
            label("_kinh_gui", "ignore", "Kính gửi"),
            label("_promise", "ignore", "Tôi cam đoan"),
        ),
        keywords=("người yêu cầu", "Kính gửi", "thủ tục", "Tôi cam đoan"),
    )
)

TYPE = DocumentType(
    SPEC,
    display_name="Tờ khai / Đơn đề nghị",
    gloss="application form",
    field_names={
        "full_name": "Họ và tên",
        "id_number": "Số định danh",
        "date_of_birth": "Ngày sinh",
        "place_of_residence": "Nơi cư trú",
        "phone": "Số điện thoại",
        "procedure_name": "Thủ tục đề nghị",
    },
    owner_fields=(("id_number", "applicant"),),
    persons=(Person("id_number", "date_of_birth"),),
    past_dates=("date_of_birth",),
)
