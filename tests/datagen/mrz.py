"""The 3×30 machine-readable zone (ICAO 9303 TD1) printed on the back of chip CCCD cards.

Vietnamese cards put the last 9 digits of the 12-digit number in the document-number field and the
full number in the optional data, followed by ``<<`` and the check digit of the full number.
"""

from __future__ import annotations

from datetime import date

from tests.datagen.values import Person, mrz_name

_WEIGHTS = (7, 3, 1)


def check_digit(data: str) -> str:
    total = 0
    for i, ch in enumerate(data):
        if ch.isdigit():
            value = int(ch)
        elif ch.isalpha():
            value = ord(ch.upper()) - ord("A") + 10
        else:  # filler '<'
            value = 0
        total += value * _WEIGHTS[i % 3]
    return str(total % 10)


def _yymmdd(d: date) -> str:
    return d.strftime("%y%m%d")


def td1_lines(person: Person, expiry: date) -> list[str]:
    doc = person.id_number[3:]
    line1 = f"IDVNM{doc}{check_digit(doc)}{person.id_number}<<{check_digit(person.id_number)}"
    dob = _yymmdd(person.date_of_birth)
    exp = _yymmdd(expiry)
    sex = "M" if person.sex == "Nam" else "F"
    body = f"{dob}{check_digit(dob)}{sex}{exp}{check_digit(exp)}VNM"
    line2 = body.ljust(29, "<")
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    line2 += check_digit(composite)
    line3 = mrz_name(person)[:30].ljust(30, "<")
    lines = [line1, line2, line3]
    assert all(len(line) == 30 for line in lines), lines
    return lines
