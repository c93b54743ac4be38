"""Turning the raw text after a label into the normalised value of its kind."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.documents import normalize as n
from pipeline.documents.address import repair_address
from pipeline.documents.doctypes import Kind
from pipeline.documents.names import repair_name
from pipeline.documents.vocab import canonical


@dataclass
class Parsed:
    value: str | None
    warnings: list[str] = field(default_factory=list)
    structured: bool = False  # a value with a checkable shape (id, date...) that parsed cleanly


def _first_number(raw: str) -> str | None:
    m = re.search(r"\d+(?:[/.\-]\d+)*", n.numeric_token(raw))
    return m.group(0) if m else None


def parse_value(kind: Kind, raw: str) -> Parsed:
    text = n.clean_text(raw)
    if not text:
        return Parsed(None)
    if kind == "procedure":
        # "... giải quyết thủ tục: Đăng ký khai sinh." — the sentence ends the value.
        return Parsed(n.clean_text(re.split(r"\.(?:\s|$)", text, maxsplit=1)[0]) or None)
    if kind == "address":
        return Parsed(repair_address(text))
    if kind == "text":
        return Parsed(text)
    if kind == "name":
        # Names are letters, spaces, hyphens and apostrophes inside a word ("H'Hen"); other
        # marks are specks ("PHẠM 'THU").
        name = re.sub(r"(?<![^\W\d_])'|'(?![^\W\d_])|[^\w\s'\-]|\d|_", " ", n.parse_name(text))
        return Parsed(repair_name(n.clean_text(name)) or None)
    if kind == "date":
        iso, exists = n.parse_date(text)
        if iso is None:
            return Parsed(None, ["không đọc được ngày (date not readable)"])
        if not exists:
            return Parsed(iso, ["ngày không tồn tại (date does not exist)"])
        return Parsed(iso, structured=True)
    if kind in ("ethnicity", "nationality"):
        known = canonical(text, kind)
        return Parsed(known or text, structured=known is not None)
    if kind == "sex":
        sex = n.parse_sex(text)
        return Parsed(sex, structured=sex is not None)
    if kind == "id12":
        m = re.search(r"\d(?:[\d .]*\d)?", n.numeric_token(text))
        if m is None:
            return Parsed(None)
        digits = re.sub(r"\D", "", m.group(0))
        return Parsed(digits, structured=len(digits) == 12)
    if kind == "phone":
        m = re.search(r"\d(?:[\d .\-]*\d)?", n.numeric_token(text))
        if m is None:
            return Parsed(None)
        digits = re.sub(r"\D", "", m.group(0))
        return Parsed(digits, structured=bool(re.fullmatch(r"0\d{9}", digits)))
    if kind == "enterprise":
        m = re.search(r"\d(?:[\d .]*\d)?(?:\s*-\s*\d{3})?", n.numeric_token(text))
        if m is None:
            return Parsed(None)
        code = re.sub(r"[^\d\-]", "", m.group(0))
        return Parsed(code, structured=bool(re.fullmatch(r"\d{10}(?:-\d{3})?", code)))
    if kind == "serial":
        m = re.search(r"([A-Za-zĐđ]{2})\s*[-.]?\s*([0-9OoIlSBZG|]{6})(?![0-9])", text)
        if m is None:
            return Parsed(text)
        letters = m.group(1).upper().replace("Đ", "D")
        value = f"{letters} {n.digits_only(m.group(2))}"
        return Parsed(value, structured=bool(re.fullmatch(r"[A-Z]{2} \d{6}", value)))
    if kind == "book":
        m = re.search(r"(\d{1,3})\s*/\s*(\d{4})", n.numeric_token(text))
        if m is None:  # the slash OCR'd as I, l, | or 1: "03I2012", "0312012"
            m = re.search(r"(?<!\d)(\d{1,3})\s*[Il|!\\1]{1,2}\s*((?:19|20)\d{2})(?!\d)", text)
        if m is None:
            return Parsed(text)
        return Parsed(f"{m.group(1)}/{m.group(2)}", structured=True)
    if kind == "digits":
        number = _first_number(text)
        return Parsed(number, structured=number is not None)
    if kind == "area":
        area = n.parse_area(text)
        return Parsed(area, structured=area is not None)
    return Parsed(text)
