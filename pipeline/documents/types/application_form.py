"""Tờ khai / Đơn đề nghị / Đơn xin (the citizen's request form, Mẫu CT01 included)."""

from __future__ import annotations

from pipeline.documents.spec import DocTypeSpec, DocumentType, Person, label, with_common

SPEC = with_common(
    DocTypeSpec(
        "application_form",
        # "ĐƠN XIN …" letters are requests too; Mẫu CT01 is a "TỜ KHAI".
        titles=("TỜ KHAI", "ĐƠN ĐỀ NGHỊ", "ĐƠN YÊU CẦU", "PHIẾU YÊU CẦU", "ĐƠN XIN"),
        fields=(
            label(
                "full_name", "name", "Họ và tên người yêu cầu", "Họ, chữ đệm, tên người yêu cầu",
                "Họ, chữ đệm và tên", "Tôi tên là",
            ),
            label("id_number", "id12", "Số định danh cá nhân", "Số CCCD", "Số định danh cá nhân/CMND"),
            label("date_of_birth", "date", "Ngày sinh", "Ngày, tháng, năm sinh", "Sinh ngày"),
            label("place_of_residence", "address", "Nơi cư trú", "Nơi thường trú"),
            label("phone", "phone", "Số điện thoại", "Điện thoại", "Số điện thoại liên hệ"),
            label(
                "procedure_name",
                "procedure",
                "giải quyết thủ tục",
                "Đề nghị giải quyết thủ tục",
                "Thủ tục đề nghị giải quyết",
                "Nội dung đề nghị",
            ),
            label("_relation", "ignore", "Quan hệ với người được"),
            label("_email", "ignore", "Email", "Thư điện tử"),
            label("_kinh_gui", "ignore", "Kính gửi"),
            label("_promise", "ignore", "Tôi cam đoan", "Tôi xin cam đoan"),
            # Mẫu CT01's other items, so that each value ends where the next item starts.
            label("_sex", "ignore", "Giới tính"),
            label("_temporary", "ignore", "Nơi tạm trú"),
            label("_current", "ignore", "Nơi ở hiện tại"),
            label("_job", "ignore", "Nghề nghiệp, nơi làm việc"),
            label("_head", "ignore", "Họ, chữ đệm và tên chủ hộ"),
            label("_head_relation", "ignore", "Quan hệ với chủ hộ"),
            label("_head_id", "ignore", "Số định danh cá nhân/CMND của chủ hộ"),
            label("_members", "ignore", "Những thành viên trong hộ gia đình cùng thay đổi"),
            label("_issued", "ignore", "Ngày cấp", "Nơi cấp"),
            label("_reason", "ignore", "Lý do"),
            # CT01's footnotes repeat a label inside a sentence ("Ghi rõ ràng, cụ thể nội dung đề nghị").
            label("_footnote", "ignore", "Ghi rõ ràng, cụ thể nội dung đề nghị", "Chú thích"),
        ),
        keywords=("người yêu cầu", "Kính gửi", "thủ tục", "Tôi cam đoan", "đề nghị"),
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
