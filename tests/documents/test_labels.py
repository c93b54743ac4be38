from __future__ import annotations

from pipeline.documents.doctypes import BIRTH, BUSINESS, CCCD, LAND
from pipeline.documents.extract import extract_fields, spec_patterns
from pipeline.documents.labels import find_label_hits, value_after
from pipeline.documents.lines import page_lines
from tests.documents.helpers import make_page


def keys(line: str, spec=CCCD) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.key for h in find_label_hits(line, spec_patterns(spec))]


def test_bilingual_label_in_full_or_by_either_half() -> None:
    assert keys("Ngày sinh / Date of birth: 12/03/1995") == ["date_of_birth"]
    assert keys("Ngay sinh: 12/03/1995") == ["date_of_birth"]
    assert keys("Date of birth: 12/03/1995") == ["date_of_birth"]


def test_two_labels_on_one_line_split_the_values() -> None:
    line = "Giới tính / Sex: Nam Quốc tịch / Nationality: Việt Nam"
    hits = find_label_hits(line, spec_patterns(CCCD))
    assert [h.key for h in hits] == ["sex", "nationality"]
    assert value_after(line, hits[0], hits[1].start)[0].strip() == "Nam"
    assert value_after(line, hits[1], None)[0] == "Việt Nam"


def test_similar_labels_are_told_apart() -> None:
    # "năm cấp" is the issue date, not the birth date, although the folded strings are close.
    assert keys("Ngày, tháng, năm cấp / Date of issue: 01/07/2024") == ["issue_date"]
    assert keys("Ngày, tháng, năm sinh / Date of birth: 01/07/1990") == ["date_of_birth"]
    assert keys("Ngày, tháng, năm / Date, month, year: 11/08/2016") == ["issue_date"]
    # The mother's name label is longer than the child's and must win where it is printed...
    assert keys("Họ, chữ đệm, tên người mẹ: TRẦN THỊ LAN", BIRTH) == ["mother_name"]
    # ...but not swallow the child's label followed by a name that starts like "người".
    assert keys("Họ, chữ đệm, tên: NGUYỄN VĂN AN", BIRTH) == ["full_name"]


def test_short_labels_need_a_separator_and_are_not_found_inside_values() -> None:
    assert keys("Số: 129 Quyển số: 03/2021", BIRTH) == ["registration_number", "registration_book"]
    # "Số 12" in an address and "Hòa Tiến" (close to "Họ và tên") are values, not labels.
    assert keys("Nơi sinh: Số 12, đường Lê Lợi, xã Hòa Tiến", BIRTH) == ["place_of_birth"]
    assert keys("Ấp 2, xã Hòa Tiến, huyện Hòa Vang", BUSINESS) == []
    assert keys("phường Phú Cường, tỉnh Nam Định", BIRTH) == []


def test_noisy_labels_still_match() -> None:
    assert keys("Noi thuong tru / Place of resldence: Số 5, Hà Nội") == ["place_of_residence"]
    assert keys("Sô dinh danh cá nhân: 001095001234", BIRTH) == ["id_number"]
    assert keys("Quyen so: 05/2024", BIRTH) == ["registration_book"]


def test_value_on_the_next_line_and_wrapped_values() -> None:
    page = make_page([
        "Họ và tên / Full name:",
        "NGUYỄN VĂN AN",
        "Nơi thường trú / Place of residence: Số 128, đường Lý Thường Kiệt, phường An Hòa, quận",
        "Ninh Kiều, thành phố Cần Thơ",
        "Có giá trị đến / Date of expiry: 24/02/2036",
    ])
    fields = extract_fields(page_lines(page), CCCD)
    assert fields["full_name"].value == "NGUYỄN VĂN AN"
    assert fields["place_of_residence"].value == (
        "Số 128, đường Lý Thường Kiệt, phường An Hòa, quận Ninh Kiều, thành phố Cần Thơ"
    )
    assert fields["expiry_date"].value == "2036-02-24"


def test_ignored_labels_end_the_previous_value() -> None:
    page = make_page(["Ông: NGUYỄN VĂN AN Sinh năm: 1970", "CCCD số: 001070001234",
                      "Địa chỉ thường trú: Số 5, phường Dịch Vọng"])
    fields = extract_fields(page_lines(page), LAND)
    assert fields["holder_name"].value == "NGUYỄN VĂN AN"
    assert fields["holder_id_number"].value == "001070001234"
    assert "land_address" not in fields  # the holder's address is not the parcel's


def test_an_id_whose_label_is_unreadable_is_taken_by_shape_and_sent_to_review() -> None:
    from pipeline.documents.analyse import analyse_pages
    from pipeline.documents.doctypes import APPLICATION

    lines = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TỜ KHAI", "Họ và tên người yêu cầu: LÊ VĂN AN",
             "Ngày sinh: 11/12/1996", "50£CC:", "075096833530", "Số điện thoại: 0913636032"]
    fields = extract_fields(page_lines(make_page(lines)), APPLICATION)
    assert fields["id_number"].value == "075096833530"
    assert fields["id_number"].confidence < 0.8 and fields["id_number"].warnings
    doc = analyse_pages([make_page(lines)])[0]
    assert doc.fields["id_number"].needs_review
    assert doc.fields["phone"].value == "0913636032"  # a 10-digit phone is not mistaken for it
