"""Values that must have a shape, inline fields, numbered items, and what is never accepted
silently (documents.md keys; the failures seen on layouts the project did not make)."""

from __future__ import annotations

from pipeline.documents.analyse import analyse_pages
from pipeline.documents.models import DocumentResult
from tests.documents.helpers import CT01_HEAD, make_page

HOLDER_ID = "001085012345"


def analyse(lines: list[str]) -> DocumentResult:
    (doc,) = analyse_pages([make_page(lines, confidence=0.95, boxes=True)])
    return doc


def land(holder_line: str) -> DocumentResult:
    return analyse([
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY CHỨNG NHẬN",
        "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT",
        "Số phát hành: DA 270749",
        holder_line,
        "Địa chỉ thường trú: Thôn Đông, xã Phú Mỹ, huyện Phú Vang, tỉnh Thừa Thiên Huế",
        "2. Thông tin thửa đất:",
        "Thửa đất số: 12; Tờ bản đồ số: 3",
        "Diện tích: 112,5 m²",
        "Số vào sổ cấp GCN: CS 01234",
    ])


def test_inline_holder_gives_name_and_id_of_the_2024_land_certificate() -> None:
    doc = land(f"1. Người sử dụng đất: Ông/Bà NGUYỄN VĂN AN, CCCD số {HOLDER_ID}")
    assert doc.doc_type == "land_use_certificate"
    assert doc.fields["holder_name"].value == "NGUYỄN VĂN AN"
    assert doc.fields["holder_id_number"].value == HOLDER_ID
    assert not doc.fields["holder_name"].needs_review
    assert doc.fields["parcel_number"].value == "12" and doc.fields["map_sheet_number"].value == "3"


def test_old_land_certificate_holder_line() -> None:
    doc = land(f"Ông: TRẦN VĂN BÌNH, sinh năm 1970, CCCD số: {HOLDER_ID};")
    assert doc.fields["holder_name"].value == "TRẦN VĂN BÌNH"
    assert doc.fields["holder_id_number"].value == HOLDER_ID


def test_a_name_with_label_words_or_digits_is_flagged() -> None:
    doc = land("1. Người sử dụng đất: Ông/Bà NGUYỄN VĂN AN CCCD số")
    name = doc.fields["holder_name"]
    assert name.needs_review
    doc = land("1. Người sử dụng đất: Ông/Bà NGUYỄN V4N AN")
    assert doc.fields["holder_name"].needs_review


BOXED_ID = "4. Số định danh cá nhân/CMND: 0 0 1 0 8 5 0 1 2 3 4 5"


def ct01(phone_line: str, id_line: str = BOXED_ID) -> DocumentResult:
    return analyse([
        *CT01_HEAD,
        "2. Ngày, tháng, năm sinh: 05 / 03 / 1985 3. Giới tính: Nam",
        id_line,
        phone_line,
        "7. Nơi thường trú: Thôn Đông, xã Phú Mỹ, huyện Phú Vang, tỉnh Thừa Thiên Huế",
        "8. Nơi tạm trú:",
        "14. Nội dung đề nghị: Đăng ký thường trú",
    ])


def test_ct01_official_labels_and_numbered_items() -> None:
    doc = ct01("5. Số điện thoại liên hệ: 0912345678 6. Email: an85@gmail.com")
    assert doc.doc_type == "application_form"
    values = doc.field_values()
    assert values["full_name"] == "NGUYỄN VĂN AN"
    assert values["date_of_birth"] == "1985-03-05"
    assert values["id_number"] == HOLDER_ID
    assert values["phone"] == "0912345678"  # not "09123456786": item 6 begins at its number
    assert values["place_of_residence"].endswith("tỉnh Thừa Thiên Huế")
    assert values["procedure_name"] == "Đăng ký thường trú"


def test_ct01_items_without_values_give_nothing() -> None:
    doc = ct01("5. Số điện thoại liên hệ: ............... 6. Email:")
    assert "phone" not in doc.fields  # the "6" of "6. Email" is no phone number


def test_ten_digit_id_is_flagged_not_accepted() -> None:
    doc = ct01("5. Số điện thoại liên hệ: 0912345678 6. Email:", "4. Số định danh cá nhân/CMND: 0123456789")
    assert doc.fields["id_number"].needs_review
    assert doc.needs_review


def test_request_letters_are_application_forms() -> None:
    doc = analyse([
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ĐƠN XIN XÁC NHẬN CƯ TRÚ",
        "Kính gửi: Ủy ban nhân dân xã Phú Mỹ",
        "Tôi tên là: Nguyễn Văn An Sinh ngày: 05/03/1985",
        f"Số CCCD: {HOLDER_ID} Ngày cấp: 01/02/2022",
        "Nơi cư trú: Thôn Đông, xã Phú Mỹ, huyện Phú Vang, tỉnh Thừa Thiên Huế",
        "Số điện thoại: 0912345678 Email:",
    ])
    assert doc.doc_type == "application_form"
    assert doc.fields["full_name"].value == "Nguyễn Văn An"
    assert doc.fields["date_of_birth"].value == "1985-03-05"
    assert doc.fields["id_number"].value == HOLDER_ID


def test_other_documents_are_always_flagged() -> None:
    doc = analyse([
        "UBND HUYỆN PHÚ VANG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "THÔNG BÁO",
        "Về việc bổ sung hồ sơ thủ tục hành chính",
        "Đề nghị ông/bà bổ sung các giấy tờ sau đây.",
    ])
    assert doc.doc_type == "other"
    assert doc.needs_review and any("không nhận ra" in w for w in doc.warnings)


def test_two_column_rows_give_each_spouse_their_values() -> None:
    page = make_page([
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "GIẤY CHỨNG NHẬN KẾT HÔN",
        "Thông tin người chồng Thông tin người vợ",
        "Ngày, tháng, năm sinh: 14/09/1986 Ngày, tháng, năm sinh: 10/11/1973",
        "Dân tộc: Kinh Dân tộc: Tày",
    ], confidence=0.95, boxes=True)
    (doc,) = analyse_pages([page])
    values = doc.field_values()
    assert values["husband_date_of_birth"] == "1986-09-14"
    assert values["wife_date_of_birth"] == "1973-11-10"
    assert values["wife_ethnicity"] == "Tày"
