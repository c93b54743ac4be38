"""Giấy khai sinh (birth certificate; Thông tư 04/2020/TT-BTP and older)."""

from __future__ import annotations

from pipeline.documents.spec import DocTypeSpec, DocumentType, Person, label, with_common

SPEC = with_common(
    DocTypeSpec(
        "birth_certificate",
        titles=("GIẤY KHAI SINH", "GIẤY KHAI SINH (BẢN CHÍNH)", "GIẤY KHAI SINH (BẢN SAO)"),
        fields=(
            label("registration_number", "digits", "Số"),
            label("registration_book", "book", "Quyển số"),
            label("full_name", "name", "Họ, chữ đệm, tên", "Họ, chữ đệm và tên", "Họ và tên"),
            label("date_of_birth", "date", "Ngày, tháng, năm sinh"),
            label("sex", "sex", "Giới tính"),
            label("ethnicity", "ethnicity", "Dân tộc"),
            label("nationality", "nationality", "Quốc tịch"),
            label("place_of_birth", "address", "Nơi sinh"),
            label("place_of_origin", "address", "Quê quán"),
            label("id_number", "id12", "Số định danh cá nhân"),
            label("mother_name", "name", "Họ, chữ đệm, tên người mẹ", "Họ và tên người mẹ"),
            label("father_name", "name", "Họ, chữ đệm, tên người cha", "Họ và tên người cha"),
            label("_in_words", "ignore", "ghi bằng chữ", "bằng chữ"),
            label("_residence", "ignore", "Nơi cư trú"),
            label("_year_of_birth", "ignore", "Năm sinh"),
            label("_reg_place", "ignore", "Nơi đăng ký khai sinh", "Nơi đăng ký"),
            label("_reg_date", "ignore", "Ngày, tháng, năm đăng ký", "Ngày đăng ký"),
            label(
                "_declarant", "ignore", "Người đi đăng ký khai sinh", "Họ, chữ đệm, tên người đi khai sinh"
            ),
            label("_signer", "ignore", "NGƯỜI KÝ GIẤY KHAI SINH"),
        ),
        keywords=("khai sinh", "người mẹ", "người cha", "Nơi sinh"),
    )
)

TYPE = DocumentType(
    SPEC,
    display_name="Giấy khai sinh",
    gloss="birth certificate",
    field_names={
        "registration_number": "Số",
        "registration_book": "Quyển số",
        "full_name": "Họ, chữ đệm, tên",
        "date_of_birth": "Ngày sinh",
        "sex": "Giới tính",
        "ethnicity": "Dân tộc",
        "nationality": "Quốc tịch",
        "place_of_birth": "Nơi sinh",
        "place_of_origin": "Quê quán",
        "id_number": "Số định danh cá nhân",
        "mother_name": "Họ tên mẹ",
        "father_name": "Họ tên cha",
    },
    owner_fields=(("id_number", "child"),),
    number_fields=("registration_number", "registration_book"),
    persons=(Person("id_number", "date_of_birth", "sex"),),
    past_dates=("date_of_birth",),
)
