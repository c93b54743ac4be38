"""Turning the raw text after a label into the normalised value of its kind."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.documents import normalize as n
from pipeline.documents.address import repair_address
from pipeline.documents.doctypes import Kind
from pipeline.documents.folding import fold
from pipeline.documents.names import repair_name
from pipeline.documents.provinces import PROVINCE_CODES
from pipeline.documents.syllables import is_syllable
from pipeline.documents.vocab import canonical


@dataclass
class Parsed:
    value: str | None
    warnings: list[str] = field(default_factory=list)
    structured: bool = False  # a value with a checkable shape (id, date...) that parsed cleanly


MIN_DIGITS = 3  # one or two digits are an item number ("6.") or a speck, not a misread id or phone


def _id12(text: str) -> Parsed:
    """12 digits; printed one per box on forms (CT01), where box edges OCR as | [ ] or I."""
    m = re.search(r"\d(?:[\d .]*\d)?", n.numeric_token(text))
    digits = re.sub(r"\D", "", m.group(0)) if m else ""
    if len(digits) != 12:
        boxed = re.sub(r"[|\[\]{}()Il!]", " ", text)
        run = re.search(r"\d(?:[\d .]*\d)?", boxed)
        if run is not None and len(re.sub(r"\D", "", run.group(0))) == 12:
            digits = re.sub(r"\D", "", run.group(0))
    if len(digits) < MIN_DIGITS:
        return Parsed(None)  # an item number or a box edge is no id: the field is missing
    return Parsed(digits, structured=len(digits) == 12)


def _first_number(raw: str) -> str | None:
    m = re.search(r"\d+(?:[/.\-]\d+)*", n.numeric_token(raw))
    return m.group(0) if m else None


NAME_SHAPE = ("họ tên có ký tự lạ hoặc chữ của nhãn, cần kiểm tra "
              "(name has digits, label words or non-syllables)")
# Words of labels that no Vietnamese name contains (diacritics matter: "Chi", "Chí" are names).
_LABEL_WORDS = frozenset({"cccd", "cmnd", "số", "ngày", "tháng", "người", "chỉ", "sinh", "tịch", "tính",
                          "email", "điện", "thoại", "địa", "cấp"})


def parse_name_value(text: str) -> Parsed:
    """A name: the text up to a comma (inline fields go on after one), letters only.

    Digits, label words, or words that are no Vietnamese syllable mean the value is not (only) a
    name: it keeps what looks like the name and is flagged. In a name printed in capitals,
    lower-case debris after it (dotted leaders OCR'd as letters) is cut off, and flagged.
    """
    text = n.parse_name(re.split(r"[,;]", text, maxsplit=1)[0])
    warnings: list[str] = []
    if re.search(r"\d", text):
        warnings.append(NAME_SHAPE)
    # Names are letters, spaces, hyphens and apostrophes inside a word ("H'Hen"); other
    # marks are specks ("PHẠM 'THU").
    name = re.sub(r"(?<![^\W\d_])'|'(?![^\W\d_])|[^\w\s'\-]|\d|_", " ", text)
    words = n.clean_text(name).split()
    if sum(1 for w in words if w.isupper()) >= 2:
        while words and not words[-1].isupper():
            words.pop()
            if NAME_SHAPE not in warnings:
                warnings.append(NAME_SHAPE)
    value = repair_name(" ".join(words))
    if not value:
        return Parsed(None)
    tokens = value.split()
    odd = any(t.lower() in _LABEL_WORDS for t in tokens) or not all(
        is_syllable(fold(t)) for t in tokens if "'" not in t and "-" not in t
    )
    odd = odd or any(len(t) == 1 for t in tokens)  # "NGUYỄN QUỐC A A Ô": leader debris, not a name
    if (odd or len(tokens) < 2) and NAME_SHAPE not in warnings:
        warnings.append(NAME_SHAPE)
    return Parsed(value, warnings)


ADDRESS_SHAPE = "địa chỉ có chữ không đọc rõ, cần kiểm tra (address has unreadable words)"
# Place names of the Central Highlands and the north that are no Kinh syllable.
_PLACE_WORDS = frozenset({"đắk", "lắk", "lăk", "pleiku", "krông", "búk", "kạn", "kon", "tum", "m'gar"})


ADDRESS_CUT = ("địa chỉ không kết thúc bằng tên tỉnh/thành phố, có thể bị cắt, cần kiểm tra "
               "(address does not end with a province; it may be cut short)")
_PROVINCE_ENDS = tuple(sorted({fold(p) for p in PROVINCE_CODES.values()} | {"hue"}, key=len, reverse=True))


def ends_with_province(value: str) -> bool:
    """Whether an address ends with a province or centrally-run city: an official address is
    written down to it, so one that stops before ("…, tỉnh", "…, phường Mỹ Bình,") was cut."""
    folded = " ".join(fold(value).replace(",", " ").replace(".", " ").split())
    return any(folded == p or folded.endswith(" " + p) for p in _PROVINCE_ENDS)


def parse_address_value(text: str) -> Parsed:
    """An address: every word is a syllable, a number or a known place word, and it ends with
    its province; else flagged."""
    value = repair_address(text)
    warnings: list[str] = []
    for token in re.findall(r"[^\W\d_][\w']*", value):
        word = token.lower()
        if word in _PLACE_WORDS or (token.isupper() and len(token) <= 4) or is_syllable(fold(token)):
            continue
        warnings.append(ADDRESS_SHAPE)
        break
    if not ends_with_province(value):
        warnings.append(ADDRESS_CUT)
    return Parsed(value, warnings)


PROCEDURE_SHAPE = ("tên thủ tục có ký tự lạ hoặc chữ hoa giữa câu, cần kiểm tra "
                   "(procedure name has stray marks or a capital inside)")


# Words official procedure names capitalise ("Cấp Giấy xác nhận …", "Ủy ban nhân dân").
_CAPITALISED = frozenset({"Giấy", "Ủy", "UBND"})


def parse_procedure_value(text: str) -> Parsed:
    """"... giải quyết thủ tục: Đăng ký khai sinh." — the sentence ends the value; marks before
    its first letter are specks. A capital inside ("trích Lục") is a misread: flagged."""
    value = n.clean_text(re.split(r"\.(?:\s|$)", text, maxsplit=1)[0])
    value = re.sub(r"^[^\w]+", "", value).strip()
    if not value:
        return Parsed(None)
    words = value.split()
    capital_inside = any(any(c.isupper() for c in w) and w not in _CAPITALISED for w in words[1:])
    odd = capital_inside or bool(re.search(r"[^\w\s,\-/()]", value))
    return Parsed(value, [PROCEDURE_SHAPE] if odd else [])


def parse_value(kind: Kind, raw: str) -> Parsed:
    text = n.clean_text(raw)
    if not text:
        return Parsed(None)
    if kind == "procedure":
        return parse_procedure_value(text)
    if kind == "address":
        return parse_address_value(text)
    if kind == "text":
        return Parsed(text)
    if kind == "name":
        return parse_name_value(text)
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
        return _id12(text)
    if kind == "phone":
        m = re.search(r"\d(?:[\d .\-]*\d)?", n.numeric_token(text))
        if m is None:
            return Parsed(None)
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) < MIN_DIGITS:
            return Parsed(None)  # an item number ("6.") or a speck is no phone number
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
