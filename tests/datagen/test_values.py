"""Identifiers and values have the real structures (so that validators downstream are tested for real)."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest

from tests.datagen import values as v
from tests.datagen.mrz import check_digit, td1_lines
from tests.datagen.truthcheck import cccd_problems, mrz_problems
from tests.datagen.words import area_words, date_words, number_words


def test_province_table_is_the_cccd_table() -> None:
    assert len(v.PROVINCES) == 63
    assert v.PROVINCES["001"] == "Hà Nội"
    assert v.PROVINCES["079"] == "Hồ Chí Minh"
    assert v.PROVINCES["096"] == "Cà Mau"
    assert all(code in v.PROVINCES for code in v.LOCALITIES)


@pytest.mark.parametrize(
    ("year", "sex", "digit"),
    [(1985, "Nam", 0), (1985, "Nữ", 1), (2003, "Nam", 2), (2003, "Nữ", 3), (2101, "Nữ", 5)],
)
def test_century_sex_digit(year: int, sex: str, digit: int) -> None:
    assert v.century_sex_digit(year, sex) == digit


def test_cccd_numbers_encode_birth_and_sex() -> None:
    rng = random.Random(7)
    for _ in range(300):
        p = v.random_person(rng, born_between=(date(1940, 1, 1), date(2024, 12, 31)))
        assert re.fullmatch(r"\d{12}", p.id_number)
        assert p.id_number[:3] == p.origin.province_code
        assert cccd_problems(p.id_number, p.date_of_birth.isoformat(), p.sex) == []
    # and the check itself catches a wrong one
    assert cccd_problems("001095012345", "1995-01-01", "Nữ") != []


def test_other_identifiers() -> None:
    rng = random.Random(3)
    for _ in range(100):
        assert re.fullmatch(r"0\d{9}", v.phone_number(rng))
        assert re.fullmatch(r"\d{10}", v.enterprise_code(rng, "001"))
        assert re.fullmatch(r"[A-Z]{2} \d{6}", v.land_serial(rng))
        assert re.fullmatch(r"\d{2}/2024", v.registration_book(rng, 2024))


def test_names_are_vietnamese_and_nfc() -> None:
    rng = random.Random(11)
    families = {f for f, _ in v.FAMILY_NAMES}
    for _ in range(100):
        p = v.random_person(rng)
        assert p.family in families
        assert p.name_upper == p.name_upper.upper()
        assert p.name == __import__("unicodedata").normalize("NFC", p.name)


def test_area_printing() -> None:
    assert v.fmt_area(112.5) == ("112,5", "112.5")
    assert v.fmt_area(80.0) == ("80", "80")


def test_mrz_check_digits_on_a_published_card_vector() -> None:
    # A real chip-CCCD MRZ as published in an eKYC sample: our check-digit rules reproduce it.
    l1, l2 = "IDVNM0930470641001093047064<<2", "9301054M3301052VNM<<<<<<<<<<<8"
    assert check_digit(l1[5:14]) == l1[14]
    assert check_digit(l1[15:27]) == l1[29]
    assert check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]) == l2[29]


def test_generated_mrz_agrees_with_the_person() -> None:
    rng = random.Random(5)
    for _ in range(50):
        p = v.random_person(rng)
        expiry = date(p.date_of_birth.year + 60, p.date_of_birth.month, p.date_of_birth.day)
        lines = td1_lines(p, expiry)
        assert all(len(line) == 30 for line in lines)
        assert lines[2].startswith(v.plain(p.family) + "<<")
        fields = {"id_number": p.id_number, "date_of_birth": p.date_of_birth.isoformat(), "sex": p.sex,
                  "expiry_date": expiry.isoformat()}  # fmt: skip
        assert mrz_problems("\n".join(lines), fields) == []
        fields["sex"] = "Nữ" if p.sex == "Nam" else "Nam"
        assert mrz_problems("\n".join(lines), fields) == ["MRZ sex differs"]


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (105, "một trăm linh năm"),
        (2008, "hai nghìn không trăm linh tám"),
        (1995, "một nghìn chín trăm chín mươi lăm"),
    ],
)
def test_number_words(n: int, words: str) -> None:
    assert number_words(n) == words


def test_date_and_area_words() -> None:
    assert date_words(date(2024, 4, 5)) == "Ngày mùng năm tháng tư năm hai nghìn không trăm hai mươi tư"
    assert area_words("112,5") == "Một trăm mười hai phẩy năm mét vuông"
