"""Turning the raw text after a label into the normalised value of its kind."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.documents import normalize as n
from pipeline.documents.address import repair_address
from pipeline.documents.doctypes import Kind
from pipeline.documents.folding import fold
from pipeline.documents.names import is_family_name, repair_name
from pipeline.documents.provinces import PROVINCE_CODES
from pipeline.documents.syllables import is_syllable
from pipeline.documents.validate import fits_numbering_plan
from pipeline.documents.vocab import canonical, procedure_name


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


PHONE_PREFIX_ADDED = ("số điện thoại thiếu số 0 đầu, đã thêm, cần kiểm tra "
                      "(phone number without its leading 0; added, please check)")
# The next item's number after the phone ("0912345678 6. Emall:") when OCR missed its label.
_TRAILING_ITEM = re.compile(r"\s+\d{1,2}[.)](?:\s.*)?$")


def _phone(text: str) -> Parsed:
    """A phone number is one run of digits (spaces, dots, hyphens, an area code's brackets
    inside); a number of the next item after it is not part of it. A number of the national
    plan (``validate.fits_numbering_plan``) has the shape phones have. Without its 0 ("946061407":
    the 0 lost, or written +84 946061407) it gets it back; flagged unless +84 stood for it."""
    text = _TRAILING_ITEM.sub("", n.numeric_token(text.replace("Ø", "0").replace("ø", "0")))
    m = re.search(r"\(?\d(?:[\d .\-()]*\d)?", text)
    if m is None:
        return Parsed(None)
    digits = re.sub(r"\D", "", m.group(0))
    if len(digits) < MIN_DIGITS:
        return Parsed(None)  # an item number ("6.") or a speck is no phone number
    if digits.startswith("84") and fits_numbering_plan("0" + digits[2:]) and "+" in text[: m.start() + 1]:
        return Parsed("0" + digits[2:], structured=True)  # +84: the country code for the 0
    if not digits.startswith("0") and fits_numbering_plan("0" + digits):
        return Parsed("0" + digits, [PHONE_PREFIX_ADDED])
    return Parsed(digits, structured=fits_numbering_plan(digits))


def _first_number(raw: str) -> str | None:
    m = re.search(r"\d+(?:[/.\-]\d+)*", n.numeric_token(raw))
    return m.group(0) if m else None


NAME_SHAPE = ("họ tên có ký tự lạ hoặc chữ của nhãn, cần kiểm tra "
              "(name has digits, label words or non-syllables)")
# Words of labels that no Vietnamese name contains (diacritics matter: "Chi", "Chí" are names).
_LABEL_WORDS = frozenset({"cccd", "cmnd", "số", "ngày", "tháng", "người", "chỉ", "sinh", "tịch", "tính",
                          "email", "điện", "thoại", "địa", "cấp"})


def _syllable(word: str) -> bool:
    return word.isalpha() and is_syllable(fold(word))


def rejoin_syllables(words: list[str]) -> list[str]:
    """Words of a name that OCR cut in the wrong place, mended where only one mending makes
    every piece a syllable: "pH AM" → "PHAM" (a space inside a syllable), "THUT RÂM" → "THU TRÂM"
    (a letter on the wrong side of the space). Words that are syllables already are left alone."""
    upper = sum(1 for w in words if w.isupper()) >= 2
    out = list(words)
    k = 0
    while k + 1 < len(out):
        a, b = out[k], out[k + 1]
        if _syllable(a) and _syllable(b):
            k += 1
            continue
        joined = a + b
        if _syllable(joined) and len(fold(joined)) == len(joined):
            out[k : k + 2] = [joined.upper() if upper else joined]
            continue
        if not _syllable(a) and len(a) >= 2 and _syllable(a[:-1]) and _syllable(a[-1] + b):
            out[k : k + 2] = [a[:-1], a[-1] + b]
        k += 1
    return out


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
        if not all(w.isupper() for w in words) and NAME_SHAPE not in warnings:
            # "Nguyễn VĂN TRUNG": a name is printed in one case; a word in another was misread.
            warnings.append(NAME_SHAPE)
    rejoined = rejoin_syllables(words)
    if rejoined != words:
        words = rejoined
        if NAME_SHAPE not in warnings:
            warnings.append(NAME_SHAPE)  # rebuilt from pieces: the clerk checks it
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
    # A name of two or more syllables opening with a known family name has the shape names have.
    return Parsed(value, warnings, structured=not warnings and is_family_name(tokens[0]))


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
    return Parsed(value, warnings, structured=not warnings)


PROCEDURE_SHAPE = ("tên thủ tục có ký tự lạ hoặc chữ hoa giữa câu, cần kiểm tra "
                   "(procedure name has stray marks or a capital inside)")


# Words official procedure names capitalise ("Cấp Giấy xác nhận …", "Ủy ban nhân dân").
_CAPITALISED = frozenset({"Giấy", "Ủy", "UBND"})


PROCEDURE_FIXED = ("tên thủ tục đọc sai vài chữ, đã lấy theo danh mục thủ tục, cần kiểm tra "
                   "(procedure name misread; the catalogue's closest name taken, please check)")


def parse_procedure_value(text: str) -> Parsed:
    """"... giải quyết thủ tục: Đăng ký khai sinh." — the sentence ends the value; marks before
    its first letter are specks. A capital inside ("trích Lục") is a misread: flagged.

    A name that is, letter for letter, one of the catalogue's (``vocab.PROCEDURE_NAMES``) takes
    its spelling: OCR lost or changed a mark ("Tách hô"), a case or a hyphen. One a few letters
    off the one closest entry takes that entry, flagged."""
    value = n.clean_text(re.split(r"\.(?:\s|$)", text, maxsplit=1)[0])
    value = re.sub(r"^[^\w]+", "", value).strip()
    if not value:
        return Parsed(None)
    known = procedure_name(value)
    if known is not None:
        name, exact = known
        if value[:1].islower():
            name = name[:1].lower() + name[1:]
        return Parsed(name, [] if exact else [PROCEDURE_FIXED], structured=exact)
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
        return _phone(text)
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
