from __future__ import annotations

from datetime import date

from pipeline.documents.cccd import apply_mrz
from pipeline.documents.lines import page_lines
from pipeline.documents.models import FieldValue
from pipeline.documents.mrz import check_digit, parse_mrz, yymmdd_to_iso
from tests.datagen.mrz import td1_lines
from tests.datagen.values import Person, Place
from tests.documents.helpers import make_page


def person(id_number: str = "001095001234", dob: date = date(1995, 3, 12), sex: str = "Nam") -> Person:
    return Person("Nguyễn", "Văn", "An", sex, dob, "Kinh", Place("xã Vân Canh", "huyện Hoài Đức", "001"),
                  "Số 1, phường Dịch Vọng", id_number)


def test_icao_check_digits() -> None:
    # ICAO 9303 part 3 worked examples.
    assert check_digit("L898902C3") == 6
    assert check_digit("740812") == 2
    assert check_digit("120415") == 9
    assert check_digit("D23145890") == 7


def test_vietnamese_td1_parsed_with_check_digits() -> None:
    lines = td1_lines(person(), date(2035, 3, 12))
    mrz = parse_mrz(["Ngày, tháng, năm / Date, month, year: 01/01/2021", *lines])
    assert mrz is not None
    assert mrz.id_number == "001095001234"
    assert mrz.document_number == "095001234"
    assert mrz.birth_yymmdd == "950312" and mrz.expiry_yymmdd == "350312"
    assert mrz.sex == "Nam" and mrz.composite_ok
    assert mrz.name == "NGUYEN VAN AN"


def test_ocr_confusions_in_the_zone_are_undone() -> None:
    l1, l2, l3 = td1_lines(person(sex="Nữ", id_number="079195001234"), date(2035, 3, 12))
    noisy1 = l1.replace("0", "O", 2).replace("<<", "«")
    noisy2 = l2.replace("1", "I", 1).replace("<", "K", 1)
    mrz = parse_mrz([noisy1, noisy2, l3.replace("<", " <", 1)])
    assert mrz is not None
    assert mrz.id_number == "079195001234"
    assert mrz.birth_yymmdd == "950312"
    assert mrz.sex == "Nữ"


def test_wrong_check_digit_rejects_the_value() -> None:
    l1, l2, l3 = td1_lines(person(), date(2035, 3, 12))
    bad2 = "950313" + l2[6:]  # birth date altered, check digit kept
    mrz = parse_mrz([l1, bad2, l3])
    assert mrz is not None
    assert mrz.birth_yymmdd is None
    assert mrz.expiry_yymmdd == "350312"


def test_two_digit_years() -> None:
    assert yymmdd_to_iso("950312") == "1995-03-12"
    assert yymmdd_to_iso("050312", century=2000) == "2005-03-12"
    assert yymmdd_to_iso("350312", future=True) == "2035-03-12"


def test_mrz_overrides_misread_printed_values_and_confirms_good_ones() -> None:
    lines = td1_lines(person(), date(2035, 3, 12))
    page = make_page(lines)
    fields = {
        "id_number": FieldValue(value="001095001284", confidence=0.9),  # OCR misread 3 → 8
        "date_of_birth": FieldValue(value="1995-03-12", confidence=0.9),
        "full_name": FieldValue(value="NGUYỄN VĂN AN", confidence=0.85),
    }
    apply_mrz(fields, page_lines(page))
    assert fields["id_number"].value == "001095001234"
    assert fields["id_number"].source == "mrz" and fields["id_number"].warnings
    assert fields["date_of_birth"].source == "text+mrz"
    assert fields["date_of_birth"].confidence > 0.99
    assert fields["full_name"].confidence >= 0.97
    assert fields["expiry_date"].value == "2035-03-12"
