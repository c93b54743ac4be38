"""Giấy chứng nhận kết hôn (marriage certificate): a section per spouse."""

from __future__ import annotations

from pipeline.documents.spec import DocTypeSpec, DocumentType, FieldSpec, Person, label, with_common

SPEC = with_common(
    DocTypeSpec(
        "marriage_certificate",
        titles=("GIẤY CHỨNG NHẬN KẾT HÔN",),
        fields=(
            FieldSpec("name", ("Họ, chữ đệm, tên", "Họ, chữ đệm và tên", "Họ và tên"), "name", True),
            # "Giấy tờ tùy thân: CCCD số 012345678901" on the current form.
            FieldSpec("date_of_birth", ("Ngày, tháng, năm sinh", "Ngày sinh"), "date", True),
            FieldSpec("ethnicity", ("Dân tộc",), "ethnicity", True),
            FieldSpec("nationality", ("Quốc tịch",), "nationality", True),
            FieldSpec("place_of_residence", ("Nơi cư trú", "Nơi thường trú"), "address", True),
            FieldSpec("id_number", ("Số định danh cá nhân", "Số CCCD", "CCCD số"), "id12", True),
            label("registration_number", "digits", "Số"),
            label("registration_book", "book", "Quyển số"),
            label(
                "registration_date",
                "date",
                "Ngày, tháng, năm đăng ký",
                "Ngày đăng ký",
                "Ngày đăng ký kết hôn",
            ),
            label("_reg_place", "ignore", "Nơi đăng ký kết hôn", "Nơi đăng ký"),
            label("_id_paper", "ignore", "Giấy tờ tùy thân"),
        ),
        keywords=("kết hôn", "người chồng", "người vợ"),
        sections=(
            ("husband_", ("Thông tin người chồng", "Thông tin về người chồng", "Người chồng", "Chồng")),
            ("wife_", ("Thông tin người vợ", "Thông tin về người vợ", "Người vợ", "Vợ")),
        ),
    )
)

TYPE = DocumentType(
    SPEC,
    display_name="Giấy chứng nhận kết hôn",
    gloss="marriage certificate",
    field_names={
        "husband_name": "Họ và tên (chồng)",
        "husband_date_of_birth": "Ngày sinh (chồng)",
        "husband_ethnicity": "Dân tộc (chồng)",
        "husband_nationality": "Quốc tịch (chồng)",
        "husband_place_of_residence": "Nơi cư trú (chồng)",
        "husband_id_number": "Số định danh (chồng)",
        "wife_name": "Họ và tên (vợ)",
        "wife_date_of_birth": "Ngày sinh (vợ)",
        "wife_ethnicity": "Dân tộc (vợ)",
        "wife_nationality": "Quốc tịch (vợ)",
        "wife_place_of_residence": "Nơi cư trú (vợ)",
        "wife_id_number": "Số định danh (vợ)",
        "registration_number": "Số",
        "registration_book": "Quyển số",
        "registration_date": "Ngày đăng ký",
    },
    owner_fields=(("husband_id_number", "husband"), ("wife_id_number", "wife")),
    number_fields=("registration_number", "registration_book"),
    persons=(
        Person("husband_id_number", "husband_date_of_birth", "=Nam"),
        Person("wife_id_number", "wife_date_of_birth", "=Nữ"),
    ),
    past_dates=("registration_date", "husband_date_of_birth", "wife_date_of_birth"),
)
