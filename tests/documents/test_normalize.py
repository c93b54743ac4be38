from __future__ import annotations

import pytest

from pipeline.documents.folding import fold, fold_with_map
from pipeline.documents.normalize import clean_text, parse_area, parse_date, parse_name, parse_sex
from pipeline.documents.values import parse_value


def test_fold_strips_diacritics_d_and_punctuation() -> None:
    assert fold("Ngày, tháng, năm sinh / Date of birth:") == "ngay thang nam sinh date of birth"
    assert fold("ĐỊA CHỈ") == "dia chi"
    assert fold("Số định danh  cá nhân") == "so dinh danh ca nhan"


def test_fold_map_points_back_to_original_characters() -> None:
    text = "Họ và tên: NGUYỄN VĂN AN"
    f = fold_with_map(text)
    start = f.text.index("nguyen")
    s, e = f.span(start, start + len("nguyen"))
    assert text[s:e] == "NGUYỄN"


def test_clean_text_nfc_spaces_and_edge_punctuation() -> None:
    decomposed = "Nguye\u0302\u0303n   Va\u0306n  An."
    assert clean_text(decomposed) == "Nguyễn Văn An"
    assert clean_text(": ......... Kinh ....") == "Kinh"
    assert clean_text("  - Việt Nam;") == "Việt Nam"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("12/03/1995", "1995-03-12"),
        ("1/2/2001", "2001-02-01"),
        ("12-03-1995", "1995-03-12"),
        ("ngày 05 tháng 03 năm 2015", "2015-03-05"),
        ("Ngay O5 thang 03 nam 2O15", "2015-03-05"),
        ("24/02!1966", "1966-02-24"),
        ("24I02I2026", "2026-02-24"),
        ("I2/O3/l995", "1995-03-12"),
        ("04J06I2045", "2045-06-04"),
        ("09/02!12021", "2021-02-09"),
        ("1710211975", "1975-02-17"),
        ("17I022035", "2035-02-17"),
    ],
)
def test_parse_date_printed_forms_and_ocr_confusions(raw: str, iso: str) -> None:
    assert parse_date(raw) == (iso, True)


def test_parse_date_that_does_not_exist_is_kept_and_flagged() -> None:
    assert parse_date("31/02/2020") == ("2020-02-31", False)
    assert parse_date("no date here") == (None, False)


def test_sex_area_name() -> None:
    assert parse_sex("Nam") == "Nam"
    assert parse_sex("Nữ") == "Nữ"
    assert parse_sex("Nu") == "Nữ"
    assert parse_sex("Female") == "Nữ"
    assert parse_sex("???") is None
    assert parse_area("112,5 m²") == "112.5"
    assert parse_area("1.234,5 m2") == "1234.5"
    assert parse_area("250 m²") == "250"
    assert parse_name("Ông: NGUYỄN VĂN AN") == "NGUYỄN VĂN AN"
    assert parse_name("Trần Thị Bích") == "Trần Thị Bích"


def test_parse_value_kinds() -> None:
    assert parse_value("id12", "0O1 095 00l234").value == "001095001234"
    assert parse_value("phone", "0912 345 678").value == "0912345678"
    assert parse_value("enterprise", "0101234567-001").value == "0101234567-001"
    assert parse_value("serial", "CS 12345G").value == "CS 123456"
    assert parse_value("book", "05/2024").value == "05/2024"
    assert parse_value("book", "02I12021").value == "02/2021"  # the slash OCR'd as "I1"
    assert parse_value("procedure", "Đăng ký khai sinh. Tôi cam đoan").value == "Đăng ký khai sinh"
    assert parse_value("digits", "129").value == "129"
    id_short = parse_value("id12", "12345")
    assert id_short.value == "12345" and not id_short.structured


def test_address_unit_words_and_provinces_get_their_diacritics_back() -> None:
    from pipeline.documents.address import repair_address

    assert repair_address("Số 54, đương Hai Bà Trưng, quân Cầu Giấy, thanh phô Ha Nôi") == (
        "Số 54, đường Hai Bà Trưng, quận Cầu Giấy, thành phố Hà Nội"
    )
    assert repair_address("phường Phương Mai, quận Đống Đa") == "phường Phương Mai, quận Đống Đa"
    assert repair_address("Khu phố 4; xã Hải Thanh, —— _ thành ¡ phố Vũng Tàu, tỉnh Bà Rịa - Vũng Tàu") == (
        "Khu phố 4, xã Hải Thanh, thành phố Vũng Tàu, tỉnh Bà Rịa - Vũng Tàu"
    )
    assert repair_address("Thôn Phú Mỹ, huyên Hải Hậu, tinh Nam Đinh") == (
        "Thôn Phú Mỹ, huyện Hải Hậu, tỉnh Nam Định"
    )


def test_names_and_closed_vocabularies() -> None:
    from pipeline.documents.names import repair_family_name
    from pipeline.documents.vocab import canonical

    assert repair_family_name("NGUYÊN THU GIANG") == "NGUYỄN THU GIANG"
    assert repair_family_name("Tran Văn Vân") == "Trần Văn Vân"  # given names untouched
    assert repair_family_name("Xyz Văn An") == "Xyz Văn An"
    assert canonical("Tay", "ethnicity") == "Tày"
    assert canonical("Việt Nam m", "nationality") == "Việt Nam"
    assert canonical("Martian", "ethnicity") is None


def test_glued_name_syllables_are_split_and_real_syllables_kept() -> None:
    from pipeline.documents.syllables import split_glued

    assert split_glued("THÙYANH") == "THÙY ANH"
    assert split_glued("XUÂNANHSƠN") == "XUÂN ANH SƠN"
    for word in ("NGUYỄN", "NGHIÊNG", "QUYÊN", "TRƯỜNG", "HUYỀN", "KHUYA", "Niê", "MARIA"):
        assert split_glued(word) == word
    assert parse_value("name", "ĐINH ĐÌNHTÚ").value == "ĐINH ĐÌNH TÚ"
    assert parse_value("name", "BÙI KIMCHI").value == "BÙI KIM CHI"  # Vietnamese context
    assert parse_value("name", "MARIA GARCIA").value == "MARIA GARCIA"


def test_qu_takes_the_glide_rhymes_names_are_made_of() -> None:
    """"Quỳnh" was no syllable (qu + ynh: the u of "uynh" is the one in "qu"), so every name
    with it was flagged for review."""
    from pipeline.documents.folding import fold
    from pipeline.documents.syllables import is_syllable, split_glued
    from pipeline.documents.values import NAME_SHAPE, parse_name_value

    for word in ("Quỳnh", "Quýt", "Quých", "Quyên", "Quốc", "Huỳnh", "Khuyến", "Uyên"):
        assert is_syllable(fold(word)), word
    for word in ("Qunh", "Qynh", "Quynhs"):
        assert not is_syllable(fold(word)), word
    assert NAME_SHAPE not in parse_name_value("VÕ THỊ QUỲNH").warnings
    assert split_glued("NHƯQUỲNH") == "NHƯ QUỲNH"
