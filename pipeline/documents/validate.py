"""Checks on extracted values; each failure is a warning the clerk reads (Vietnamese / English).

A failed check never drops the value: the caller flags it for review with these messages.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.documents.provinces import PROVINCE_CODES

# century/sex digit of the CCCD number → (first year of the century, sex)
_CENTURY_SEX = {
    "0": (1900, "Nam"), "1": (1900, "Nữ"), "2": (2000, "Nam"), "3": (2000, "Nữ"),
    "4": (2100, "Nam"), "5": (2100, "Nữ"), "6": (2200, "Nam"), "7": (2200, "Nữ"),
    "8": (1800, "Nam"), "9": (1800, "Nữ"),
}


ID_YEAR_IMPLAUSIBLE = ("năm sinh ghi trong số định danh không thể có (id_number encodes a birth year "
                      "in the future or before 1900)")


def id_birth_year(value: str) -> int | None:
    """The birth year a well-formed 12-digit id encodes (digits 4–6), or None."""
    if not re.fullmatch(r"\d{12}", value) or value[:3] not in PROVINCE_CODES:
        return None
    return _CENTURY_SEX[value[3]][0] + int(value[4:6])


def check_id_number(
    value: str, date_of_birth: str | None = None, sex: str | None = None, today: date | None = None
) -> list[str]:
    """Structure of a 12-digit personal id (CCCD / số định danh cá nhân) and what it encodes.

    Digits 4–6 encode the century, sex and birth year: a misread there often gives a year no
    living holder has (2096, 1862), which flags the id even where no date of birth is printed
    beside it (a land certificate's holder).
    """
    if not re.fullmatch(r"\d{12}", value):
        return ["số định danh phải có 12 chữ số (id_number must be 12 digits)"]
    warnings: list[str] = []
    if value[:3] not in PROVINCE_CODES:
        warnings.append("mã tỉnh trong số định danh không tồn tại (id_number province code does not exist)")
    century, encoded_sex = _CENTURY_SEX[value[3]]
    year = century + int(value[4:6])
    if not 1900 <= year <= (today or date.today()).year:
        warnings.append(ID_YEAR_IMPLAUSIBLE)
    if (date_of_birth and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_of_birth)
            and int(date_of_birth[:4]) != year):
        warnings.append("số định danh không khớp ngày sinh (id_number does not match date_of_birth)")
    if sex in ("Nam", "Nữ") and sex != encoded_sex:
        warnings.append("số định danh không khớp giới tính (id_number does not match sex)")
    return warnings


def check_date(iso: str, exists: bool, *, past: bool = False, today: date | None = None) -> list[str]:
    try:
        day = date.fromisoformat(iso) if exists else None
    except ValueError:  # a misread month or day: the clerk must see it, not a crash
        day = None
    if day is None:
        return ["ngày không tồn tại (date does not exist)"]
    if past:
        if day > (today or date.today()):
            return ["ngày ở tương lai (date is in the future)"]
        if iso < "1900-01-01":
            return ["ngày quá xa (date is implausibly old)"]
    return []


# Vietnam's numbering plan (Thông tư 22/2014/TT-BTTTT as amended, the 2017-2018 conversions
# done): a mobile number is 10 digits, 0 and a network code 3, 5, 7, 8 or 9 ("0912345678"); a
# fixed line is 11 digits, 0 and a province code of the 2x block ("02438253456" Hà Nội).
MOBILE = re.compile(r"0[35789]\d{8}")
FIXED_LINE = re.compile(r"02\d{9}")
PHONE_NOT_IN_PLAN = ("số điện thoại không đúng kế hoạch đánh số (di động 10 chữ số 03/05/07/08/09, "
                     "cố định 11 chữ số 02) (phone number does not fit Vietnam's numbering plan)")


def fits_numbering_plan(value: str) -> bool:
    """Whether ``value`` (digits only) is a mobile or fixed-line number of the national plan."""
    return bool(MOBILE.fullmatch(value) or FIXED_LINE.fullmatch(value))


def check_phone(value: str) -> list[str]:
    return [] if fits_numbering_plan(value) else [PHONE_NOT_IN_PLAN]


def check_enterprise_code(value: str) -> list[str]:
    if not re.fullmatch(r"\d{10}(?:-\d{3})?", value):
        return ["mã số doanh nghiệp phải có 10 chữ số, có thể thêm -NNN "
                "(enterprise_code must be 10 digits, optionally -NNN)"]
    return []


def check_certificate_serial(value: str) -> list[str]:
    if not re.fullmatch(r"[A-Z]{2} \d{6}", value):
        return ["số phát hành phải gồm 2 chữ cái và 6 chữ số "
                "(certificate_serial must be 2 letters and 6 digits)"]
    return []


def check_sex(value: str) -> list[str]:
    if value not in ("Nam", "Nữ"):
        return ["giới tính phải là Nam hoặc Nữ (sex must be Nam or Nữ)"]
    return []


def check_registration_book(value: str) -> list[str]:
    if not re.fullmatch(r"\d{1,3}/\d{4}", value):
        return ["quyển số không đúng dạng NN/YYYY (registration_book is not NN/YYYY)"]
    return []
