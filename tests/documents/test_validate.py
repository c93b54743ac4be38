from __future__ import annotations

from pipeline.documents import validate as v
from pipeline.documents.models import FieldValue
from pipeline.documents.review import review_fields


def test_id_number_structure_and_what_it_encodes() -> None:
    assert v.check_id_number("001095001234", "1995-03-12", "Nam") == []
    assert v.check_id_number("001305001234", "2005-03-12", "Nữ") == []
    assert any("12 digits" in w for w in v.check_id_number("00109500123"))
    assert any("province code" in w for w in v.check_id_number("003095001234"))  # 003 does not exist
    assert any("does not match date_of_birth" in w for w in v.check_id_number("001095001234", "1996-03-12"))
    assert any("does not match date_of_birth" in w for w in v.check_id_number("001295001234", "1995-03-12"))
    assert any("does not match sex" in w for w in v.check_id_number("001095001234", None, "Nữ"))


def test_id_number_encoding_a_birth_year_no_holder_has_is_flagged() -> None:
    """A land certificate prints its holder's id with no date of birth beside it: a misread
    "00" → "96" gives a holder born in 2096, flagged by the id alone."""
    from datetime import date

    today = date(2026, 12, 2)
    assert v.check_id_number("019300163968", today=today) == []  # born 2000
    assert v.check_id_number("019326163968", today=today) == []  # born 2026
    for misread in ("019396163968", "019327163968", "019862163968", "019462163968"):  # 2096, 2027, 1862, 2162
        assert v.ID_YEAR_IMPLAUSIBLE in v.check_id_number(misread, today=today), misread


def test_other_validators() -> None:
    assert v.check_phone("0912345678") == []
    assert v.check_phone("912345678") and v.check_phone("09123456789")
    assert v.check_enterprise_code("0101234567") == []
    assert v.check_enterprise_code("0101234567-001") == []
    assert v.check_enterprise_code("010123456")
    assert v.check_certificate_serial("CS 123456") == []
    assert v.check_certificate_serial("C5 123456")
    assert v.check_date("2020-02-31", False)
    assert v.check_date("2090-01-01", True, past=True)
    assert v.check_date("1990-01-01", True, past=True) == []


def test_failed_validation_is_flagged_never_dropped() -> None:
    fields = {
        "id_number": FieldValue(value="001095001234", confidence=0.97),
        "date_of_birth": FieldValue(value="1996-03-12", confidence=0.97),
        "sex": FieldValue(value="Nam", confidence=0.97),
        "full_name": FieldValue(value="NGUYỄN VĂN AN", confidence=0.5),
    }
    out, warnings = review_fields("cccd", fields, 0.8)
    assert out["id_number"].value == "001095001234"
    assert out["id_number"].needs_review
    assert any("id_number does not match date_of_birth" in w for w in warnings)
    assert out["full_name"].needs_review and out["full_name"].value == "NGUYỄN VĂN AN"
    assert not out["sex"].needs_review


def test_missing_required_fields_are_reported() -> None:
    _, warnings = review_fields("application_form", {"phone": FieldValue(value="0912345678", confidence=0.9)},
                                0.8)
    assert any("missing fields" in w and "full_name" in w for w in warnings)


def test_phone_numbers_are_checked_against_the_national_numbering_plan() -> None:
    """Mobiles: 10 digits, 03/05/07/08/09; fixed lines: 11 digits, 02 (Thông tư 22/2014/TT-BTTTT
    as amended)."""
    for number in ("0912345678", "0381846069", "0585689214", "0701234567", "0861234567", "02438253456"):
        assert v.check_phone(number) == [], number
    # Ten digits without a network code, an old 11-digit mobile, a 10-digit fixed line: misreads.
    for number in ("0123456789", "0612345678", "0012345678", "01234567890", "0243825345", "9585689214"):
        assert v.check_phone(number) == [v.PHONE_NOT_IN_PLAN], number


def test_phone_values_of_the_plan_have_the_shape_of_phones() -> None:
    from pipeline.documents.values import PHONE_PREFIX_ADDED, parse_value

    fixed = parse_value("phone", "(024) 3825 3456")
    assert fixed.value == "02438253456" and fixed.structured and fixed.warnings == []
    assert parse_value("phone", "+84 24 3825 3456").value == "02438253456"
    assert not parse_value("phone", "0612345678").structured
    lost = parse_value("phone", "2438253456")  # a fixed line's 0 lost: put back, flagged
    assert lost.value == "02438253456" and lost.warnings == [PHONE_PREFIX_ADDED]
    _, warnings = review_fields(
        "application_form", {"phone": FieldValue(value="02438253456", confidence=0.9)}, 0.8
    )
    assert v.PHONE_NOT_IN_PLAN not in warnings
